"""Label columns of the log rows: indexed stream labels only, never fields a parser extracted."""

from __future__ import annotations

from app_helpers import BILLING_NEW_TASK, BILLING_OLD_TASK, NOW_NS, make_settings, wait_for
from log_view_app import strip_text

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.widgets.pane import Pane


async def loaded_pane(pilot: object, app: TflogApp) -> Pane:
    await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
    pane = app.panes()[0]
    await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
    await pilot.pause(0.2)  # type: ignore[attr-defined]
    return pane


async def test_json_query_shows_stream_label_columns_only(fixed_server: EmbeddedLoki) -> None:
    query = '{service_name="billing-sync"} | json'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 32)) as pilot:
        pane = await loaded_pane(pilot, app)
        view = pane.log_view
        assert "step" in pane.state.buffer.labels(0)

        assert view.visible_labels == ["task_id"]
        rows = [strip_text(view.render_line(y)) for y in range(20)]
        assert any(f" {BILLING_OLD_TASK} " in row for row in rows)
        assert any(f" {BILLING_NEW_TASK} " in row for row in rows)
        assert not any(" task started " in row[:60] for row in rows)


async def test_level_label_gets_no_column_after_plain_query(fixed_server: EmbeddedLoki) -> None:
    query = '{hostname=~"web-.*"}'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 32)) as pilot:
        pane = await loaded_pane(pilot, app)

        assert pane.log_view.visible_labels == ["service_name", "task_id", "hostname"]
