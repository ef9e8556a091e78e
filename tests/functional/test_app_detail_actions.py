"""What the detail screen returns: filters, the task's pane, context and copy."""

from __future__ import annotations

from app_helpers import (
    BILLING_NEW_TASK,
    BILLING_OLD_TASK,
    NOW_NS,
    NotifyRecorder,
    make_settings,
    wait_for,
)

from tflog_tui.buffer import Level
from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.logql import LineFilter, parse_log_query
from tflog_tui.loki import Entry, Labels
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.screens.detail import DetailAction, DetailScreen
from tflog_tui.ui.widgets.pane import Pane

BILLING = '{service_name="billing-sync"}'


async def loaded_pane(pilot: object, app: TflogApp, index: int = 0) -> Pane:
    await wait_for(pilot, lambda: len(app.panes()) > index, what="a pane")
    pane = app.panes()[index]
    await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
    await pilot.pause(0.2)  # type: ignore[attr-defined]
    return pane


async def test_include_json_field_adds_parser(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        entry = pane.state.buffer.entry(len(pane.state.buffer) - 1)

        await app.apply_detail_action(
            pane, entry, DetailAction("include", "level", "error", "json")
        )
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="re-run")
        await pilot.pause(0.2)

        assert pane.state.query == BILLING + ' | json | level="error"'
        assert len(pane.state.buffer) == 2


async def test_exclude_label_adds_matcher(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        entry = pane.state.buffer.entry(0)

        action = DetailAction("exclude", "task_id", BILLING_OLD_TASK, "label")
        await app.apply_detail_action(pane, entry, action)
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="re-run")
        await pilot.pause(0.2)

        assert pane.state.query == f'{{service_name="billing-sync", task_id!="{BILLING_OLD_TASK}"}}'
        assert len(pane.state.buffer) == 10


async def test_exclude_line_quotes_value(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        entry = pane.state.buffer.entry(0)

        action = DetailAction("exclude", None, 'say "hi" \\ bye', "line")
        await app.apply_detail_action(pane, entry, action)

        parsed = parse_log_query(pane.state.query)
        assert parsed.pipeline == (LineFilter("!=", ('say "hi" \\ bye',)),)


async def test_enter_then_context_opens_pane(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        await pilot.press("g", "e")
        cursor = pane.log_view.cursor_row
        assert cursor is not None
        index = pane.state.buffer.row_of(cursor)
        assert index is not None
        anchor_ns = pane.state.buffer.ts_ns(index)

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        await pilot.press("C")
        await wait_for(pilot, lambda: len(app.panes()) == 2, what="the context pane")
        context = app.panes()[1]
        await wait_for(pilot, lambda: context.state.loaded, what="the context query")
        await pilot.pause(0.2)

        assert context.state.context_ns == anchor_ns
        assert context.state.query.startswith('{hostname="web-1", service_name="billing-sync"')
        assert BILLING_OLD_TASK in context.state.query
        lines = [context.state.buffer.line(row) for row in range(len(context.state.buffer))]
        assert len(lines) == 10
        assert all(BILLING_OLD_TASK in line for line in lines)
        assert '"step": 0' in lines[0]
        assert '"step": 9' in lines[-1]
        assert app.active_pane() is context


async def test_open_task_from_detail(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded_pane(pilot, app)

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        await pilot.press("t")
        await wait_for(pilot, lambda: len(app.panes()) == 2, what="the task pane")
        task = app.panes()[1]

        assert task.state.query == f'{{service_name="billing-sync", task_id="{BILLING_NEW_TASK}"}}'
        assert task.state.title == f"billing-sync/{BILLING_NEW_TASK}"


async def test_copy_notifies(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    recorder = NotifyRecorder(app)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        entry = pane.state.buffer.entry(0)

        await app.apply_detail_action(pane, entry, DetailAction("copy", None, entry.line, "line"))

        assert recorder.messages
        assert "line" in recorder.messages[-1][0].lower()


async def test_open_task_found_in_line(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        stored = pane.state.buffer.entry(0)
        entry = Entry(stored.ts_ns, stored.line, Labels({"service_name": "billing-sync"}))

        action = DetailAction("open_task", "task_id", BILLING_OLD_TASK, "json")
        await app.apply_detail_action(pane, entry, action)
        task = await loaded_pane(pilot, app, 1)

        assert task.state.query == f'{BILLING} |= "{BILLING_OLD_TASK}"'
        assert task.state.title == f"billing-sync/{BILLING_OLD_TASK}"
        assert len(task.state.buffer) == 10


async def test_detail_follows_view_level_and_utc(fixed_server: EmbeddedLoki) -> None:
    mailer = '{service_name="mailer"}'
    app = TflogApp(make_settings(fixed_server.url, query=mailer, utc=True), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        view = pane.log_view
        view.focus()

        await pilot.press("u", "E")
        assert view.utc is False
        assert app.utc is True
        row = pane.state.buffer.row_of(view.cursor_row or 0)
        assert row is not None
        assert pane.state.buffer.level(row) == Level.CRITICAL

        await pilot.press("enter")
        await pilot.pause(0.1)
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        assert screen.level == Level.CRITICAL
        assert screen.utc is False
