"""Prettified lines: `p` shows JSON and logfmt lines message first, through the safe text rules."""

from __future__ import annotations

import json

from app_helpers import NOW_NS, make_settings, wait_for
from log_view_app import LogViewApp, entries, strip_text

from tflog_tui.buffer import PaneBuffer
from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.widgets.log_row import prettify_line
from tflog_tui.ui.widgets.pane import Pane


async def loaded_pane(pilot: object, app: TflogApp) -> Pane:
    await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
    pane = app.panes()[0]
    await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
    await pilot.pause(0.2)  # type: ignore[attr-defined]
    return pane


def test_prettify_json_and_logfmt() -> None:
    line = json.dumps(
        {"ts": "2026-12-04T12:00:00Z", "level": "error", "msg": "charge failed", "n": 3}
    )
    assert prettify_line(line) == "charge failed n=3"
    assert prettify_line('level=warn msg="retry soon" time=1 note="a b"') == 'retry soon note="a b"'
    assert prettify_line(json.dumps({"message": "m", "error": "boom"})) == "m error=boom"
    assert prettify_line(json.dumps({"error": "boom", "code": ""})) == 'boom code=""'
    assert prettify_line("plain text line") is None


async def test_p_toggles_prettified_rows(fixed_server: EmbeddedLoki) -> None:
    query = '{service_name="mailer"}'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 32)) as pilot:
        pane = await loaded_pane(pilot, app)
        view = pane.log_view
        before = strip_text(view.render_line(0))
        assert 'level=info msg="queue opened" attempt=0' in before

        await pilot.press("p")
        await pilot.pause(0.1)
        pretty = strip_text(view.render_line(0))
        assert "queue opened attempt=0" in pretty
        assert "level=" not in pretty
        assert "msg=" not in pretty

        await pilot.press("p")
        await pilot.pause(0.1)
        assert strip_text(view.render_line(0)) == before


async def test_prettified_message_stays_display_safe() -> None:
    line = json.dumps({"level": "info", "msg": "\x1b]8;;http://x\x07red\x1b[2J\u202eevil"})
    buffer = PaneBuffer()
    buffer.append(entries([line]))
    app = LogViewApp(buffer)
    async with app.run_test(size=(100, 10)) as pilot:
        app.log_view.toggle_prettify()
        await pilot.pause()
        row = strip_text(app.log_view.render_line(0))

        assert "red" in row
        assert "evil" in row
        assert "\x1b" not in row
        assert "\x07" not in row
        assert "\u202e" not in row
