"""Context of an entry: the lines around it from the same source, the entry selected."""

from __future__ import annotations

from app_helpers import (
    BILLING_OLD_TASK,
    NOW_NS,
    PAYMENTS_FAILED_TASK,
    load_leveled_data,
    make_settings,
    wait_for,
)

from tflog_tui.buffer import Level
from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.screens.detail import DetailScreen
from tflog_tui.ui.widgets.pane import Pane


async def loaded_pane(pilot: object, app: TflogApp, index: int = 0) -> Pane:
    await wait_for(pilot, lambda: len(app.panes()) > index, what="a pane")
    pane = app.panes()[index]
    await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
    await pilot.pause(0.2)  # type: ignore[attr-defined]
    return pane


async def open_context_of_next_error(pilot: object, app: TflogApp, pane: Pane) -> tuple[int, Pane]:
    """Move to the first error, open its detail, press C; return its timestamp and the new pane."""
    await pilot.press("g", "e")  # type: ignore[attr-defined]
    cursor = pane.log_view.cursor_row
    assert cursor is not None
    row = pane.state.buffer.row_of(cursor)
    assert row is not None
    assert pane.state.buffer.level(row) in (Level.ERROR, Level.CRITICAL)
    anchor_ns = pane.state.buffer.ts_ns(row)

    await pilot.press("enter")  # type: ignore[attr-defined]
    await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
    await pilot.press("C")  # type: ignore[attr-defined]
    context = await loaded_pane(pilot, app, 1)
    return anchor_ns, context


def selected_ts(pane: Pane) -> int:
    cursor = pane.log_view.cursor_row
    assert cursor is not None
    row = pane.state.buffer.row_of(cursor)
    assert row is not None
    return pane.state.buffer.ts_ns(row)


async def test_context_drops_level_label(fixed_server: EmbeddedLoki) -> None:
    load_leveled_data(fixed_server)
    query = '{service_name="payments"}'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        anchor_ns, context = await open_context_of_next_error(pilot, app, pane)

        assert context.state.query == (
            f'{{hostname="web-3", service_name="payments", task_id="{PAYMENTS_FAILED_TASK}"}}'
        )
        buffer = context.state.buffer
        levels = {buffer.level(row) for row in range(len(buffer))}
        assert len(buffer) == 9
        assert Level.INFO in levels
        assert Level.ERROR in levels
        assert selected_ts(context) == anchor_ns
        assert context.log_view.follow is False


async def test_context_after_json_keeps_stream_labels_only(fixed_server: EmbeddedLoki) -> None:
    query = '{service_name="billing-sync"} | json'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        assert "msg" in pane.state.buffer.labels(0)
        anchor_ns, context = await open_context_of_next_error(pilot, app, pane)

        assert context.state.query == (
            f'{{hostname="web-1", service_name="billing-sync", task_id="{BILLING_OLD_TASK}"}}'
        )
        buffer = context.state.buffer
        lines = [buffer.line(row) for row in range(len(buffer))]
        assert len(lines) == 10
        assert '"step": 0' in lines[0]
        assert '"step": 9' in lines[-1]
        assert selected_ts(context) == anchor_ns
        cursor_row = buffer.row_of(context.log_view.cursor_row or 0)
        assert cursor_row is not None
        assert "ledger rejected" in buffer.line(cursor_row)
