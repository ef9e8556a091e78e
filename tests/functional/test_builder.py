"""The query builder: compose a query from pickers, preview and validate it, run it."""

from __future__ import annotations

from typing import Any

from app_helpers import BILLING_NEW_TASK, BILLING_OLD_TASK, NOW_NS, make_settings, wait_for
from textual.widgets import Button, Checkbox, Input, Select, Static

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.logql import JsonParser, parse
from tflog_tui.logql.builder import QueryModel
from tflog_tui.loki.decode import MatrixSeries
from tflog_tui.loki.models import EMPTY_LABELS
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.screens.builder import BuilderScreen, LabelListSuggester, sample_fields
from tflog_tui.ui.widgets.label_picker import LabelPicker
from tflog_tui.ui.widgets.metric_chart import sum_by_step
from tflog_tui.ui.widgets.pane import Pane


def start(server: EmbeddedLoki, query: str) -> tuple[TflogApp, Any]:
    """Return the app whose first pane shows `query`, and its Pilot context."""
    app = TflogApp(make_settings(server.url, query=query), clock=lambda: NOW_NS)
    return app, app.run_test(size=(120, 50))


async def loaded_pane(app: TflogApp, pilot: Any, count: int = 1) -> Pane:
    await wait_for(pilot, lambda: len(app.panes()) == count, what=f"{count} panes")
    pane = app.active_pane()
    assert pane is not None
    await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the range query")
    return pane


async def open_builder(app: TflogApp, pilot: Any) -> BuilderScreen:
    await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(app.screen, BuilderScreen), what="the builder")
    screen = app.screen
    assert isinstance(screen, BuilderScreen)
    await wait_for(pilot, lambda: bool(screen.query(LabelPicker)), what="the builder's form")
    await wait_for(pilot, lambda: bool(screen.label_picker.label_names), what="label names")
    return screen


async def type_into(pilot: Any, widget: Input, text: str) -> None:
    widget.focus()
    await pilot.pause()
    widget.value = text
    await pilot.press("enter")
    await pilot.pause()


async def test_compose_from_pickers_and_run(fixed_server: EmbeddedLoki) -> None:
    app, context = start(fixed_server, f'{{task_id="{BILLING_NEW_TASK}"}}')
    async with context as pilot:
        pane = await loaded_pane(app, pilot)
        screen = await open_builder(app, pilot)
        picker = screen.label_picker

        assert [matcher.name for matcher in picker.matchers] == ["task_id"]
        picker.query_one("#matchers").focus()
        await pilot.pause()
        await pilot.press("delete")
        picker.query_one("#label-name", Select).value = "service_name"
        await wait_for(pilot, lambda: picker.values == ["billing-sync", "mailer"], what="values")
        await wait_for(pilot, lambda: bool(picker.stream_counts), what="stream counts")
        assert picker.stream_counts == {"billing-sync": 2, "mailer": 1}

        value_input = picker.query_one("#label-value", Input)
        value_input.focus()
        await pilot.press("b", "i", "l", "l")
        await pilot.press("down", "enter")
        await pilot.pause()
        assert screen.preview_text == '{service_name="billing-sync"}'

        await type_into(pilot, screen.line_filter_list.query_one(Input), "ledger")
        screen.query_one("#parser-kind", Select).value = "json"
        await pilot.pause()
        assert screen.label_filter_list.fields == ["level", "msg", "step", "task_id_extracted"]

        filters = screen.label_filter_list
        filters.query_one("#label-filter-name", Input).value = "step"
        filters.query_one("#label-filter-kind", Select).value = "number"
        await pilot.pause()
        filters.query_one("#label-filter-op", Select).value = ">="
        await type_into(pilot, filters.query_one("#label-filter-value", Input), "6")
        screen.query_one("#level-error", Checkbox).value = True
        await pilot.pause()

        expected = '{service_name="billing-sync"} |= "ledger" | json | level="error" | step >= 6'
        assert screen.preview_text == expected
        assert screen.problems == []

        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not isinstance(app.screen, BuilderScreen), what="close")
        await wait_for(pilot, lambda: pane.state.query == expected, what="the new query")
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")

        lines = [pane.state.buffer.line(row) for row in range(len(pane.state.buffer))]
        assert len(app.panes()) == 1
        assert len(lines) == 2
        assert all("ledger rejected invoice" in line for line in lines)
        assert {BILLING_OLD_TASK, BILLING_NEW_TASK} == {
            pane.state.buffer.labels(row)["task_id"] for row in range(len(lines))
        }


async def test_open_in_new_pane_keeps_range(fixed_server: EmbeddedLoki) -> None:
    app, context = start(fixed_server, '{service_name="billing-sync"}')
    async with context as pilot:
        pane = await loaded_pane(app, pilot)
        pane.set_range("now-30m", "now")
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
        screen = await open_builder(app, pilot)

        line_filters = screen.line_filter_list
        value_input = line_filters.query_one("#line-filter-value", Input)
        await type_into(pilot, value_input, "task")
        await type_into(pilot, value_input, "debug")
        await type_into(pilot, value_input, "fin")
        assert [item.value for item in line_filters.filters] == ["task", "debug", "fin"]

        line_filters.query_one("#line-filters").focus()
        await pilot.pause()
        await pilot.press("home", "down", "delete")
        await pilot.pause()
        assert [item.value for item in line_filters.filters] == ["task", "fin"]

        await pilot.press("enter")
        await pilot.pause()
        assert value_input.has_focus
        assert value_input.value == "fin"
        assert [item.value for item in line_filters.filters] == ["task", "fin"]
        await type_into(pilot, value_input, "finished")
        assert [item.value for item in line_filters.filters] == ["task", "finished"]

        assert screen.preview_text == '{service_name="billing-sync"} |= "task" |= "finished"'
        await pilot.press("ctrl+o")
        new_pane = await loaded_pane(app, pilot, count=2)

        assert new_pane is not pane
        assert new_pane.state.query == '{service_name="billing-sync"} |= "task" |= "finished"'
        assert (new_pane.state.range_from, new_pane.state.range_to) == ("now-30m", "now")
        assert len(new_pane.state.buffer) == 1
        assert pane.state.query == '{service_name="billing-sync"}'


async def test_builder_without_pane_opens_one(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 50)) as pilot:
        await wait_for(pilot, lambda: bool(app.sidebar.values), what="services")
        titles = [command.title for command in app.get_system_commands(app.screen)]
        assert "Query builder" in titles
        assert "Open Explore link or query" in titles
        assert "Copy Grafana Explore link" in titles
        screen = await open_builder(app, pilot)

        assert screen.preview_text == "{}"
        screen.label_picker.pick("service_name", "=", "mailer")
        screen.label_picker.add_current()
        await pilot.pause()
        await pilot.press("ctrl+r")
        pane = await loaded_pane(app, pilot)

        assert pane.state.query == '{service_name="mailer"}'
        assert (pane.state.range_from, pane.state.range_to) == ("now-1h", "now")
        assert len(pane.state.buffer) == 6


async def test_fills_form_from_pane_query(fixed_server: EmbeddedLoki) -> None:
    query = (
        '{service_name="billing-sync", task_id=~"7f.*"} |= "ledger" != "slow" '
        '| json | level=~"error|warn" | step > 2'
    )
    app, context = start(fixed_server, query)
    async with context as pilot:
        await loaded_pane(app, pilot)
        screen = await open_builder(app, pilot)

        assert screen.does_not_fit is None
        assert screen.preview_text == (
            '{service_name="billing-sync", task_id=~"7f.*"} |= "ledger" != "slow" '
            '| json | level=~"error|warn" | step > 2'
        )
        assert [(m.name, m.op, m.value) for m in screen.label_picker.matchers] == [
            ("service_name", "=", "billing-sync"),
            ("task_id", "=~", "7f.*"),
        ]
        assert [(f.op, f.value) for f in screen.line_filter_list.filters] == [
            ("|=", "ledger"),
            ("!=", "slow"),
        ]
        assert screen.query_one("#parser-kind", Select).value == "json"
        assert screen.query_one("#level-error", Checkbox).value
        assert screen.query_one("#level-extra-1", Checkbox).label.plain == "warn"
        assert screen.query_one("#level-extra-1", Checkbox).value
        assert not screen.query_one("#level-warning", Checkbox).value
        assert not screen.query_one("#level-info", Checkbox).value


async def test_names_part_that_does_not_fit(fixed_server: EmbeddedLoki) -> None:
    query = '{service_name="billing-sync", task_id="7f3a9c2e"} | json | line_format "{{.msg}}"'
    app, context = start(fixed_server, query)
    async with context as pilot:
        pane = await loaded_pane(app, pilot)
        screen = await open_builder(app, pilot)

        notice = str(screen.query_one("#builder-notice-text", Static).render())
        assert screen.does_not_fit == "the line_format stage"
        assert "cannot show the line_format stage" in notice
        assert not screen.query_one("#builder-form").display

        await pilot.press("ctrl+r")
        assert app.screen is screen

        screen.query_one("#builder-from-selector", Button).press()
        await pilot.pause()
        assert screen.does_not_fit is None
        assert screen.preview_text == '{service_name="billing-sync", task_id="7f3a9c2e"}'

        await pilot.press("escape")
        await pilot.pause()
        assert pane.state.query == query

        screen = await open_builder(app, pilot)
        screen.query_one("#builder-edit-text", Button).press()
        await wait_for(pilot, lambda: pane.query_bar.input.has_focus, what="the query bar")
        assert pane.state.query == query
        await pilot.pause(0.1)


async def test_syntax_error_offers_selector(fixed_server: EmbeddedLoki) -> None:
    app, context = start(fixed_server, '{service_name="mailer"}')
    async with context as pilot:
        pane = await loaded_pane(app, pilot)
        pane.state.query = '{service_name="mailer"} |~ "(unclosed"'
        screen = await open_builder(app, pilot)

        assert screen.does_not_fit is not None
        assert "col 28" in screen.does_not_fit


async def test_preview_shows_problems(fixed_server: EmbeddedLoki) -> None:
    app, context = start(fixed_server, '{service_name="mailer"}')
    async with context as pilot:
        pane = await loaded_pane(app, pilot)
        screen = await open_builder(app, pilot)

        screen.label_picker.query_one("#matchers").focus()
        await pilot.pause()
        await pilot.press("delete")
        await pilot.pause()

        preview_lines = str(screen.query_one("#builder-preview", Static).render()).splitlines()
        assert screen.preview_text == "{}"
        assert screen.problems[0].startswith("parse error at line 1, col 2")
        assert preview_lines[1].index("^") == preview_lines[0].index("}")

        screen.label_picker.pick("service_name", "=", "mailer")
        screen.label_picker.add_current()
        screen.line_filter_list.query_one("#line-filter-op", Select).value = "|~"
        await pilot.pause()
        await type_into(pilot, screen.line_filter_list.query_one(Input), "(unclosed")
        await pilot.press("ctrl+r")
        await pilot.pause()

        problems = str(screen.query_one("#builder-problems", Static).render())
        assert app.screen is screen
        assert screen.preview_text == '{service_name="mailer"} |~ "(unclosed"'
        assert screen.problems[0].startswith("parse error at line 1, col 28: invalid regex")
        assert screen.problems[1].startswith("line filter |~: ")
        assert "line filter |~" in problems
        assert pane.state.query == '{service_name="mailer"}'


async def test_metric_chart_sums_by_level(fixed_server: EmbeddedLoki) -> None:
    app, context = start(fixed_server, '{service_name="billing-sync"} | json')
    async with context as pilot:
        pane = await loaded_pane(app, pilot)
        screen = await open_builder(app, pilot)

        screen.query_one("#metric-enabled", Checkbox).value = True
        screen.query_one("#metric-sum-by", Input).value = "level"
        screen.query_one("#metric-range", Input).value = "1h"
        await wait_for(pilot, lambda: "series" in screen.metric_chart.caption, what="the chart")

        expected = 'sum by (level) (count_over_time({service_name="billing-sync"} | json [1h]))'
        caption = screen.metric_chart.caption
        assert screen.preview_text == expected
        assert caption.startswith("count_over_time: 4 series")
        assert "peak 20" in caption
        assert '{level="info"}' in caption

        bare = 'rate({service_name="billing-sync"} |= "ledger" [10m])'
        screen.fill(QueryModel.from_logql(bare))
        await pilot.pause()
        assert screen.preview_text == bare

        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: not isinstance(app.screen, BuilderScreen), what="close")
        assert pane.state.query == '{service_name="billing-sync"} |= "ledger"'


async def test_hostile_values_match_exactly(fixed_server: EmbeddedLoki) -> None:
    hostile = 'C:\\tmp "q" a.b*(x'
    decoy = 'C:\\tmp "q" aXbbb(x'
    needle = '"hi" \\d+ [x]'
    base_ns = NOW_NS - 5 * 60 * 1_000_000_000
    fixed_server.push(
        {"service_name": "hostile", "path": hostile},
        [(base_ns, f"say {needle} now"), (base_ns + 1, "say hi 42 x"), (base_ns + 2, "plain")],
    )
    fixed_server.push({"service_name": "hostile", "path": decoy}, [(base_ns + 3, needle)])

    app, context = start(fixed_server, '{service_name="hostile"}')
    async with context as pilot:
        pane = await loaded_pane(app, pilot)
        assert len(pane.state.buffer) == 4
        screen = await open_builder(app, pilot)
        picker = screen.label_picker

        picker.query_one("#label-name", Select).value = "path"
        await wait_for(pilot, lambda: hostile in picker.values, what="values of path")
        picker.query_one("#label-op", Select).value = "=~"
        value_input = picker.query_one("#label-value", Input)
        value_input.focus()
        value_input.value = "a.b"
        await pilot.pause()
        await pilot.press("down", "enter")
        await pilot.pause()
        await type_into(pilot, screen.line_filter_list.query_one(Input), needle)

        query = screen.preview_text
        parsed = parse(query)
        assert screen.problems == []
        assert str(parsed) == query
        assert "path=~" in query

        await pilot.press("ctrl+r")
        await wait_for(pilot, lambda: pane.state.query == query, what="the new query")
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")

        buffer = pane.state.buffer
        assert [buffer.line(row) for row in range(len(buffer))] == [f"say {needle} now"]
        assert buffer.labels(0)["path"] == hostile


def test_sample_fields_guesses_stream_labels() -> None:
    line = '{"level":"info","msg":"hi","task_id":"t1","http":{"status":200}}'
    merged = {"service_name": "s", "task_id": "t1", "task_id_extracted": "t1", "level": "info"}
    plain = {"service_name": "s", "task_id": "t1"}

    with_parser = sample_fields([(merged, line)], JsonParser(), labels_include_extracted=True)
    without = sample_fields([(plain, line)], JsonParser())
    broken = sample_fields([(plain, "not json")], JsonParser())

    assert with_parser == ["http_status", "level", "msg", "task_id_extracted"]
    assert without == ["http_status", "level", "msg", "task_id_extracted"]
    assert broken == []


def test_sum_by_step_fills_missing_steps() -> None:
    series = [
        MatrixSeries(EMPTY_LABELS, [(0, 1.0), (20, 2.0)]),
        MatrixSeries(EMPTY_LABELS, [(20, 3.0), (25, 1.0), (99, 7.0)]),
    ]

    assert sum_by_step(series, 0, 30, 10) == [1.0, 0.0, 6.0, 0.0]


async def test_sum_by_suggester_completes_last_name() -> None:
    suggester = LabelListSuggester(lambda: ["level", "service_name", "task_id"])

    assert await suggester.get_suggestion("lev") == "level"
    assert await suggester.get_suggestion("level, ser") == "level, service_name"
    assert await suggester.get_suggestion("level, ") is None
    assert await suggester.get_suggestion("level") is None
    assert await suggester.get_suggestion("host") is None
