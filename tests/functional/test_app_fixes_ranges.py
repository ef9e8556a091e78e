"""Ranges of panes opened from other panes, and how ranges and context times read."""

from __future__ import annotations

from app_helpers import MINUTE_NS, NOW_NS, SECOND_NS, make_settings, wait_for

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.screens.detail import DetailScreen
from tflog_tui.ui.widgets.pane import Pane

HOUR_NS = 60 * MINUTE_NS
REPORT_TASK = "8b014441"
REPORT = '{service_name="report-builder"}'


def push_yesterday_task(server: EmbeddedLoki) -> int:
    """Push a three-line report-builder task that ran 30 hours ago; return its first timestamp."""
    start_ns = NOW_NS - 30 * HOUR_NS
    labels = {"service_name": "report-builder", "task_id": REPORT_TASK}
    lines = [(start_ns + index * SECOND_NS, f"step {index} of the report") for index in range(3)]
    server.push(labels, lines)
    return start_ns


async def loaded_pane(pilot: object, app: TflogApp, index: int = 0) -> Pane:
    await wait_for(pilot, lambda: len(app.panes()) > index, what="a pane")
    pane = app.panes()[index]
    await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
    await pilot.pause(0.2)  # type: ignore[attr-defined]
    return pane


async def test_open_task_keeps_source_range(fixed_server: EmbeddedLoki) -> None:
    push_yesterday_task(fixed_server)
    settings = make_settings(fixed_server.url, query=REPORT, time_from="now-90d")
    app = TflogApp(settings, clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        assert len(pane.state.buffer) == 3

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        await pilot.press("t")
        task = await loaded_pane(pilot, app, 1)

        assert task.state.title == f"report-builder/{REPORT_TASK}"
        assert (task.state.range_from, task.state.range_to) == ("now-90d", "now")
        assert len(task.state.buffer) == 3


async def test_open_task_widens_range_to_the_entry(fixed_server: EmbeddedLoki) -> None:
    start_ns = push_yesterday_task(fixed_server)
    settings = make_settings(fixed_server.url, query=REPORT, time_from="now-90d")
    app = TflogApp(settings, clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        entry = pane.state.buffer.entry(0)
        assert entry.ts_ns == start_ns
        pane.state.range_from = "now-1h"

        await app.open_task(entry, REPORT_TASK, pane)
        task = await loaded_pane(pilot, app, 1)

        # The entry is at 2026-12-03T06:00:00Z (30 h before the clock); 24 h before it.
        assert (task.state.range_from, task.state.range_to) == (
            "2026-12-02T06:00:00Z",
            "2026-12-04T12:00:00Z",
        )
        assert len(task.state.buffer) == 3


async def test_context_of_older_line_shows_its_date(fixed_server: EmbeddedLoki) -> None:
    push_yesterday_task(fixed_server)
    settings = make_settings(fixed_server.url, query=REPORT, time_from="now-90d")
    app = TflogApp(settings, clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded_pane(pilot, app)

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        await pilot.press("C")
        context = await loaded_pane(pilot, app, 1)

        # The selected (newest) entry is 30 h before the clock plus 2 s.
        assert context.state.title == "context 12-03 06:00"
        assert context.activity.startswith("context around 2026-12-03 06:00:02:")
        assert len(context.state.buffer) == 3


async def test_new_query_in_context_pane_leaves_context(fixed_server: EmbeddedLoki) -> None:
    push_yesterday_task(fixed_server)
    settings = make_settings(fixed_server.url, query=REPORT, time_from="now-90d")
    app = TflogApp(settings, clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded_pane(pilot, app)
        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        await pilot.press("C")
        context = await loaded_pane(pilot, app, 1)
        assert context.state.context_ns is not None

        await pilot.press("colon")
        await wait_for(pilot, lambda: context.query_bar.input.has_focus, what="the query bar")
        context.query_bar.input.value = '{service_name="billing-sync"}'
        await pilot.press("enter")
        await wait_for(pilot, lambda: context.rows_from == "range", what="the range query")
        await wait_for(pilot, lambda: not context.running, what="the range query")
        await pilot.pause(0.2)

        assert context.state.context_ns is None
        assert context.state.title == "billing-sync"
        assert context.activity.startswith("last 90d: done")
        assert context.status().limit == 5000
        assert len(context.state.buffer) == 20


async def test_link_range_reads_as_rfc3339(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=REPORT), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(pilot, app)
        link = (
            "https://grafana.example.com/explore?schemaVersion=1&panes="
            '{"a":{"queries":[{"refId":"A","expr":"{service_name=\\"mailer\\"}"}],'
            '"range":{"from":"1796383800000","to":"1796385600000"}}}'
        )
        pane.query_bar.input.value = link
        pane.query_bar.input.focus()
        await pilot.press("enter")
        await wait_for(pilot, lambda: pane.state.range_from == "1796383800000", what="the link")
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")

        assert pane.activity == "2026-12-04T11:30:00Z to 2026-12-04T12:00:00Z: done"
        assert len(pane.state.buffer) == 6
