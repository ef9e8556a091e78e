"""The demo notice names the reason tflog shows the embedded server's demo data."""

from __future__ import annotations

import pytest
from app_helpers import NOW_NS, NotifyRecorder, make_settings

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp


@pytest.mark.parametrize(
    ("demo", "reason"),
    [(False, "No Loki address is configured, so"), (True, "--demo was given, so")],
)
async def test_demo_notice_names_reason(
    fixed_server: EmbeddedLoki, demo: bool, reason: str
) -> None:
    app = TflogApp(make_settings(fixed_server.url, demo=demo), clock=lambda: NOW_NS)
    recorder = NotifyRecorder(app)

    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.pause()

    notices = [message for message, _ in recorder.messages if "demo data" in message]
    assert len(notices) == 1
    assert notices[0].startswith(reason)
    assert fixed_server.url in notices[0]
