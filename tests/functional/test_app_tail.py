"""Live tail: entries arrive, a dropped connection resumes without duplicate rows."""

from __future__ import annotations

import asyncio
import time

from app_helpers import MAILER_TASK, NOW_NS, SECOND_NS, NotifyRecorder, make_settings, wait_for

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.widgets.pane import Pane

MAILER = '{service_name="mailer"}'
MAILER_LABELS = {"service_name": "mailer", "hostname": "web-2", "task_id": MAILER_TASK}


def record_activities(pane: Pane) -> list[str]:
    """Record every activity the pane shows in the status line, in order."""
    activities: list[str] = []
    set_activity = pane._set_activity

    def record(text: str, style: str = "") -> None:
        activities.append(text)
        set_activity(text, style)

    pane._set_activity = record  # type: ignore[method-assign]
    return activities


def buffer_lines(app: TflogApp) -> list[str]:
    pane = app.panes()[0]
    buffer = pane.state.buffer
    return [buffer.line(row) for row in range(len(buffer))]


async def test_tail_resumes_without_duplicates(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=MAILER), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded, what="the range query")
        assert len(pane.state.buffer) == 6

        activities = record_activities(pane)
        await pilot.press("t")
        await wait_for(pilot, lambda: pane.activity == "tail live", what="the tail")
        fixed_server.push(
            MAILER_LABELS, [(NOW_NS + n * SECOND_NS, f"level=info live {n}") for n in range(3)]
        )
        await wait_for(pilot, lambda: len(pane.state.buffer) == 9, what="3 tailed entries")

        dropped = await fixed_server.drop_tail_connections()
        assert dropped == 1
        fixed_server.push(
            MAILER_LABELS, [(NOW_NS + n * SECOND_NS, f"level=info live {n}") for n in range(3, 6)]
        )
        await wait_for(pilot, lambda: len(pane.state.buffer) == 12, what="entries after the drop")
        await pilot.pause(0.5)

        lines = buffer_lines(app)
        assert len(lines) == 12
        assert len(set(lines)) == 12
        assert lines[6:] == [f"level=info live {n}" for n in range(6)]
        assert pane.state.mode == "tail"
        assert pane.status().lines == 12
        assert any(text.startswith("tail reconnecting (1)") for text in activities)
        assert activities[-1] == "tail live"

        await pilot.press("k")
        fixed_server.push(MAILER_LABELS, [(NOW_NS + 10 * SECOND_NS, "level=info while paused")])
        await wait_for(pilot, lambda: pane.status().new_lines == 1, what="the new line count")
        assert "1 new, f follows" in app.status_line.pane_text().plain

        await pilot.press("t")
        await pilot.pause(0.1)
        assert not pane.running
        assert pane.activity == "tail stopped by you"
        assert len(pane.state.buffer) == 13


async def test_tail_survives_max_duration(make_loki_server: object) -> None:
    server = await make_loki_server(tail_max_duration_s=1.0, tail_ping_interval_s=0.2)  # type: ignore[operator]
    labels = {"service_name": "counter"}
    settings = make_settings(server.url, query='{service_name="counter"}', tail=True)
    app = TflogApp(settings)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        activities = record_activities(pane)
        await wait_for(pilot, lambda: pane.activity == "tail live", what="the tail")

        for number in range(50):
            server.push(labels, [(time.time_ns(), f"number {number}")])
            await asyncio.sleep(0.05)
        await wait_for(pilot, lambda: len(pane.state.buffer) >= 50, what="every number")
        await pilot.pause(0.3)

        lines = buffer_lines(app)
        assert lines == [f"number {number}" for number in range(50)]
        assert sum(text.startswith("tail reconnecting") for text in activities) >= 1
        assert pane.state.mode == "tail"
        assert pane.running


async def test_proxy_without_websocket(fixed_server: EmbeddedLoki) -> None:
    fixed_server.reject_tail_upgrades(200, "<html><body>Sign in</body></html>")
    app = TflogApp(make_settings(fixed_server.url, query=MAILER), clock=lambda: NOW_NS)
    recorder = NotifyRecorder(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded, what="the range query")

        await pilot.press("t")
        await wait_for(pilot, lambda: not pane.running, what="the tail to stop")
        await pilot.pause(0.2)

        errors = recorder.errors()
        assert len(errors) == 1
        assert errors[0].startswith(f"Loki at {fixed_server.url}")
        assert "200" in errors[0]
        assert pane.activity.startswith("tail stopped: ")
        assert len(pane.state.buffer) == 6
        assert app.is_running


async def test_tail_closed_by_server_error(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=MAILER), clock=lambda: NOW_NS)
    recorder = NotifyRecorder(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded, what="the range query")
        await pilot.press("t")
        await wait_for(pilot, lambda: pane.activity == "tail live", what="the tail")

        reason = "max concurrent tail requests limit exceeded, count > limit (11 > 10)"
        await fixed_server.close_tails(1011, reason)
        await wait_for(pilot, lambda: bool(recorder.errors()), what="the error")
        await pilot.pause(0.2)

        assert reason in recorder.errors()[0]
        assert recorder.errors()[0].startswith(f"Loki at {fixed_server.url}")
        assert pane.activity == f"tail stopped: {reason}"
        assert "code 1011" in recorder.errors()[0]
        assert not pane.running
        assert len(pane.state.buffer) == 6
        assert app.is_running
