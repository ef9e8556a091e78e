"""The only-errors switch: `!` and a palette command show critical and error entries only."""

from __future__ import annotations

from app_helpers import NOW_NS, make_settings, wait_for

from tflog_tui.buffer import Level
from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.widgets.pane import Pane


async def loaded_pane(pilot: object, app: TflogApp) -> Pane:
    await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
    pane = app.panes()[0]
    await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
    await pilot.pause(0.2)  # type: ignore[attr-defined]
    return pane


async def test_bang_toggles_only_errors(fixed_server: EmbeddedLoki) -> None:
    query = '{hostname=~"web-.*"}'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 32)) as pilot:
        pane = await loaded_pane(pilot, app)
        assert pane.log_view.row_count == 26

        await pilot.press("exclamation_mark")
        await pilot.pause(0.1)
        assert pane.state.levels == {Level.CRITICAL, Level.ERROR}
        assert pane.log_view.row_count == 3

        await pilot.press("exclamation_mark")
        await pilot.pause(0.1)
        assert pane.state.levels == set(Level)
        assert pane.log_view.row_count == 26


async def test_only_errors_in_palette(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=None), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 32)) as pilot:
        await pilot.pause(0.1)
        commands = {command.title: command for command in app.get_system_commands(app.screen)}

        assert "Only errors" in commands
        assert "(!)" in commands["Only errors"].help
