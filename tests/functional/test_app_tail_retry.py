"""A tail against a server that refuses connections keeps retrying and says so plainly."""

from __future__ import annotations

import socket

from app_helpers import NOW_NS, make_settings, wait_for

from tflog_tui.loki import LokiSettings
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.widgets.pane import tail_retry_text


def closed_port() -> int:
    """Return a 127.0.0.1 port nothing listens on (bound once, then released)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


async def test_tail_to_closed_port_reads_short() -> None:
    port = closed_port()
    url = f"http://127.0.0.1:{port}"
    loki = LokiSettings(addr=url, retries=0, timeout_s=2.0, tail_backoff_initial_s=0.05)
    app = TflogApp(make_settings(url, loki=loki), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 32)) as pilot:
        pane = await app.open_query('{service_name="mailer"}', "mailer", tail=True)
        await wait_for(
            pilot, lambda: pane.activity.startswith("tail reconnecting (2)"), what="two retries"
        )

        expected = f"Loki at 127.0.0.1:{port} refused the connection; t stops"
        assert pane.activity.endswith(expected)
        assert "Errno" not in pane.activity
        assert pane.running
        assert pane.message.display
        assert str(pane.message.render()).startswith("tail reconnecting (")
        assert expected in str(pane.message.render())

        await pilot.pause(0.1)
        shown = str(app.status_line.render())
        assert expected in shown

        await pilot.press("t")
        await wait_for(pilot, lambda: not pane.running, what="the tail to stop")


def test_retry_text_keeps_other_reasons_short() -> None:
    reason = "the tail request got HTTP 502: " + "x" * 300
    text = tail_retry_text(3, reason, "https://loki.example:3100/")
    assert text.startswith("tail reconnecting (3): the tail request got HTTP 502")
    assert text.endswith("; t stops")
    assert len(text) < 100
