"""Panes: range picker, line limit, split, close, and the status line."""

from __future__ import annotations

from app_helpers import NOW_NS, SECOND_NS, make_settings, wait_for
from textual.widgets import Input

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.screens.help import HelpScreen
from tflog_tui.ui.screens.range_picker import RangePicker
from tflog_tui.ui.widgets.pane import Pane

BILLING = '{service_name="billing-sync"}'


async def loaded_pane(pilot: object, app: TflogApp, index: int = 0) -> Pane:
    await wait_for(pilot, lambda: len(app.panes()) > index, what="a pane")
    pane = app.panes()[index]
    await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
    await pilot.pause(0.2)  # type: ignore[attr-defined]
    return pane


async def test_range_preset(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)

        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RangePicker), what="the picker")
        await pilot.press("up", "enter")
        await wait_for(pilot, lambda: pane.state.range_from == "now-15m", what="the new range")
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="re-run")
        await pilot.pause(0.2)

        assert pane.state.range_to == "now"
        assert len(pane.state.buffer) == 10
        assert pane.activity.startswith("last 15m: done")


async def test_range_custom_from(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)

        await pilot.press("r")
        await wait_for(pilot, lambda: isinstance(app.screen, RangePicker), what="the picker")
        field = app.screen.query_one("#range-from", Input)
        field.value = "not a time"
        field.focus()
        await pilot.press("enter")
        await pilot.pause(0.1)
        error = str(app.screen.query_one("#range-error").render())
        assert "Invalid 'from' 'not a time'" in error

        field.value = "2026-12-04T11:45:00Z"
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, RangePicker), what="dismiss")
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="re-run")
        await pilot.pause(0.2)

        assert pane.state.range_from == "2026-12-04T11:45:00Z"
        assert len(pane.state.buffer) == 10


async def test_raise_limit_doubles(fixed_server: EmbeddedLoki) -> None:
    settings = make_settings(fixed_server.url, query=BILLING, limit=6)
    app = TflogApp(settings, clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        assert len(pane.state.buffer) == 6
        newest = pane.state.buffer.line(5)

        await pilot.press("plus")
        await wait_for(pilot, lambda: pane.state.limit == 12, what="the new limit")
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="re-run")
        await pilot.pause(0.2)

        assert len(pane.state.buffer) == 12
        assert pane.state.buffer.line(11) == newest
        assert "(limit 12)" in app.status_line.pane_text().plain


async def test_split_and_close(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        left = await loaded_pane(pilot, app)

        await pilot.press("vertical_line")
        right = await loaded_pane(pilot, app, 1)
        assert app.split
        assert app.side_of(right) == "right"
        assert app.active_pane() is right
        assert right.state.query == left.state.query
        assert right.state.buffer is not left.state.buffer

        await pilot.press("o")
        assert app.active_pane() is left
        await pilot.press("o")
        assert app.active_pane() is right
        left.log_view.focus()
        await pilot.pause()
        assert app.active_pane() is left
        right.log_view.focus()
        await pilot.pause()
        assert app.active_pane() is right

        await pilot.press("x")
        await pilot.pause(0.1)
        assert not app.split
        assert app.panes() == [left]
        assert app.active_pane() is left

        await pilot.press("x")
        await pilot.pause(0.1)
        assert app.panes() == []
        assert app.main_screen.query_one("#welcome").display


async def test_unsplit_keeps_rows(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded_pane(pilot, app)
        await pilot.press("vertical_line")
        right = await loaded_pane(pilot, app, 1)
        await pilot.press("4")
        state = right.state

        await pilot.press("vertical_line")
        await pilot.pause(0.3)

        assert not app.split
        panes = app.panes()
        assert len(panes) == 2
        assert panes[1].state is state
        assert len(panes[1].state.buffer) == 20
        assert panes[1].log_view.row_count == 8


async def test_status_line_names_demo_server(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded_pane(pilot, app)

        text = app.status_line.render().plain
        assert f"embedded demo server at {fixed_server.url}" in text
        assert "20 lines (limit 5,000)" in text
        assert "connected" in text


async def test_palette_lists_actions(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)):
        titles = [command.title for command in app.get_system_commands(app.screen)]

        for title in (
            "Push level filter into query",
            "Toggle sidebar",
            "Pick range",
            "Start or stop live tail",
            "Toggle split",
            "Toggle level error",
            "Next error",
            "Toggle wrap",
        ):
            assert title in titles


async def test_escape_cancels_range_query(make_loki_server: object) -> None:
    server = await make_loki_server(now_ns=lambda: NOW_NS)  # type: ignore[operator]
    start_ns = NOW_NS - 30 * 60 * SECOND_NS
    lines = [(start_ns + n * 1_000_000, f"level=info entry {n}") for n in range(20_000)]
    server.push({"service_name": "bulk"}, lines)
    settings = make_settings(server.url, query='{service_name="bulk"}', limit=20_000)
    settings.loki.max_entries_per_page = 200
    app = TflogApp(settings, clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.pages >= 2, what="two pages")
        assert pane.running

        await pilot.press("escape")
        await wait_for(pilot, lambda: not pane.running, what="the cancelled query")
        await pilot.pause(0.2)

        kept = len(pane.state.buffer)
        assert pane.activity == "query cancelled"
        assert 0 < kept < 20_000
        assert pane.log_view.row_count == kept
        assert pane.state.buffer.line(kept - 1) == "level=info entry 19999"


async def test_palette_runs_command(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        assert app.sidebar.display

        await pilot.press("ctrl+p")
        await pilot.press(*"Toggle sidebar")
        await pilot.pause(0.3)
        await pilot.press("enter")
        await pilot.pause(0.2)

        assert not app.sidebar.display
        assert pane.log_view.has_focus

        await pilot.press("s")
        assert app.sidebar.display
        assert app.sidebar.service_tree.has_focus

        commands = {command.title: command for command in app.get_system_commands(app.screen)}
        commands["First entry"].callback()
        commands["Next error"].callback()
        await pilot.pause()
        cursor = pane.log_view.cursor_row
        assert cursor is not None
        index = pane.state.buffer.row_of(cursor)
        assert index is not None
        assert "ledger rejected invoice" in pane.state.buffer.line(index)
        assert pane.log_view.has_focus


async def test_help_key_opens_help(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await pilot.press("question_mark")
        await pilot.pause(0.1)

        assert isinstance(app.screen, HelpScreen)


async def test_closing_left_merges_right(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        left = await loaded_pane(pilot, app)
        await pilot.press("vertical_line")
        right = await loaded_pane(pilot, app, 1)
        state = right.state

        left.log_view.focus()
        await pilot.press("x")
        await pilot.pause(0.3)

        panes = app.panes()
        assert not app.split
        assert len(panes) == 1
        assert panes[0].state is state
        assert app.side_of(panes[0]) == "left"
        assert app.active_pane() is panes[0]


async def test_tabs_keep_cursor(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        billing = await loaded_pane(pilot, app)
        await pilot.press("g", "j", "j")
        cursor = billing.log_view.cursor_row
        await app.open_query('{service_name="mailer"}', "mailer")
        mailer = await loaded_pane(pilot, app, 1)
        assert app.active_pane() is mailer

        await pilot.press("left_square_bracket")
        assert app.active_pane() is billing
        assert billing.log_view.cursor_row == cursor
        assert billing.log_view.follow is False
        await pilot.press("right_square_bracket")
        assert app.active_pane() is mailer
        assert mailer.log_view.follow is True
