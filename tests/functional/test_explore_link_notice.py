"""The notice after copying an Explore link without a datasource uid stays short."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_helpers import NOW_NS, NotifyRecorder, make_settings, wait_for

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.settings import GrafanaSettings
from tflog_tui.ui.app import TflogApp


async def test_uid_notice_inside_tmux_is_short(
    fixed_server: EmbeddedLoki, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("TMUX", f"{tmp_path / 'no-tmux-server'},1,0")
    settings = make_settings(fixed_server.url, query='{service_name="mailer"}')
    settings.grafana = GrafanaSettings(url="https://grafana.example.com")
    app = TflogApp(settings, clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.panes()), what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
        recorder = NotifyRecorder(app)

        await pilot.press("Y")
        await pilot.pause()

        warnings = [message for message, severity in recorder.messages if severity == "warning"]
        assert len(warnings) == 1
        message = warnings[0]
        assert ".." not in message
        assert message.startswith("Sent the Explore link (")
        assert "set-clipboard" not in message
        assert "No Loki datasource uid is set" in message
        assert "--grafana-datasource-uid" in message
        assert len(message) <= 280
