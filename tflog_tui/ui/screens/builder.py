"""The query builder: compose a LogQL query from pickers, with a live, validated preview."""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar, Final, Literal

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from tflog_tui.logql import LogQLSyntaxError, LogQuery, parse
from tflog_tui.logql import ast as logql_ast
from tflog_tui.logql.builder import (
    DEFAULT_RANGE_NS,
    DoesNotFitBuilder,
    LevelSpec,
    MetricSpec,
    ParserSpec,
    QueryModel,
)
from tflog_tui.logql.evaluator import ERROR_LABEL, EXTRACTED_SUFFIX, LogQueryEvaluator
from tflog_tui.logql.units import format_duration, parse_duration
from tflog_tui.loki import LokiClient
from tflog_tui.loki.errors import LokiError
from tflog_tui.ui.pane_query import first_log_query
from tflog_tui.ui.widgets.label_filter_list import LabelFilterList
from tflog_tui.ui.widgets.label_picker import LabelPicker
from tflog_tui.ui.widgets.line_filter_list import LineFilterList
from tflog_tui.ui.widgets.metric_chart import MetricChart
from tflog_tui.ui.widgets.query_bar import excerpt_with_caret

logger = logging.getLogger(__name__)

LEVEL_NAMES: Final[tuple[str, ...]] = ("critical", "error", "warning", "info", "debug", "trace")
"""Level checkboxes, most severe first; a query may bring others (`warn`, `fatal`)."""

PARSER_KINDS: Final[tuple[str, ...]] = ("none", "json", "logfmt", "regexp", "pattern")

CHART_POINTS: Final = 60
"""Steps the metric chart requests from Loki over the pane's range."""

CHART_DELAY_S: Final = 0.4
"""Seconds the form must stay unchanged before the chart query is sent."""

MIN_STEP_NS: Final = 1_000_000_000

_REGEX_GROUP: Final = re.compile(r"\(\?P?<([A-Za-z_][A-Za-z0-9_]*)>")
_PATTERN_CAPTURE: Final = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>")

BuilderAction = Literal["run", "new_pane", "edit_text"]


@dataclass(frozen=True)
class BuilderResult:
    """The action the builder requests from the app, with its query.

    `query` is the complete LogQL, metric wrapper included. `log_query` is the log
    query inside it, which is what a pane runs, because a pane shows entries.
    With `action` "edit_text" both are empty and the app focuses the query bar.
    """

    action: BuilderAction
    query: str = ""
    log_query: str = ""


PARSER_STAGES: Final = (
    logql_ast.JsonParser,
    logql_ast.LogfmtParser,
    logql_ast.RegexpParser,
    logql_ast.PatternParser,
    logql_ast.UnpackParser,
)


def sample_fields(
    lines: Iterable[tuple[Mapping[str, str], str]],
    stage: logql_ast.Stage,
    *,
    labels_include_extracted: bool = False,
) -> list[str]:
    """Run `stage` (a json or logfmt parser) over `lines` and return the field names it extracts.

    `lines` are (labels, line) pairs as a pane stores them. Lines the parser cannot read
    are skipped. Names clash with stream labels as in Loki (`task_id_extracted`). Set
    `labels_include_extracted` when the pane's query had a parser, so its labels may
    contain extracted fields besides the stream labels.
    """
    evaluator = LogQueryEvaluator(LogQuery(selector=(), pipeline=(stage,)))
    names: set[str] = set()
    for labels, line in lines:
        raw = evaluator.process(0, {}, line)
        if raw is None or ERROR_LABEL in raw.labels:
            continue
        stream = _stream_labels(labels, raw.parsed) if labels_include_extracted else labels
        processed = evaluator.process(0, stream, line)
        if processed is not None:
            names.update(processed.parsed)
    names.discard(ERROR_LABEL)
    return sorted(names)


def _stream_labels(labels: Mapping[str, str], extracted: Mapping[str, str]) -> dict[str, str]:
    """Guess the stream labels of a pane entry whose labels may include extracted ones.

    Loki responses without `categorize-labels` merge what the query's own parser
    extracted into the labels. A label equal to what the parser extracts from the line
    came from the line, unless a `name_extracted` label shows that a stream label of
    that name clashed.
    """
    stream: dict[str, str] = {}
    for name, value in labels.items():
        if name.endswith(EXTRACTED_SUFFIX):
            continue
        from_line = extracted.get(name) == value
        if from_line and f"{name}{EXTRACTED_SUFFIX}" not in labels:
            continue
        stream[name] = value
    return stream


class LabelListSuggester(Suggester):
    """Complete the last name of a comma-separated label list from `names()`."""

    def __init__(self, names: Callable[[], Iterable[str]]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.names = names

    async def get_suggestion(self, value: str) -> str | None:
        """Return `value` with its last, partly typed name completed, or None."""
        typed = value.rpartition(",")[2].lstrip()
        if not typed:
            return None
        for name in sorted(set(self.names())):
            if name.startswith(typed) and name != typed:
                return value + name[len(typed) :]
        return None


class BuilderScreen(ModalScreen[BuilderResult | None]):
    """Compose a query: matchers, line filters, a parser, label filters, levels and a metric.

    `query` is the pane's query; when it fits the builder the form starts from it,
    otherwise a notice names the part that does not fit. `time_range` is the pane's
    range as (start, end) nanoseconds, used for label names, values and the chart.
    `sample` contains (stream labels, line) pairs from the pane, read for field names.
    `level_source` names where the pane's entries carry `level` ("label" makes the level
    filter a stream matcher).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+r", "run", "Run in this pane"),
        Binding("ctrl+o", "new_pane", "Open in a new pane"),
    ]

    DEFAULT_CSS = """
    BuilderScreen {
        align: center middle;
    }
    BuilderScreen > #builder-dialog {
        width: 100%;
        max-width: 120;
        height: 100%;
        border: round $accent;
        background: $panel;
        padding: 0 1;
    }
    BuilderScreen #builder-title {
        text-style: bold;
        color: $accent;
    }
    BuilderScreen #builder-form {
        height: 1fr;
    }
    BuilderScreen .builder--section {
        margin-top: 1;
        text-style: bold;
    }
    BuilderScreen Horizontal {
        height: auto;
    }
    BuilderScreen #builder-notice {
        height: auto;
        border: round $warning;
        padding: 0 1;
        display: none;
    }
    BuilderScreen.-does-not-fit #builder-notice {
        display: block;
    }
    BuilderScreen.-does-not-fit #builder-form,
    BuilderScreen.-does-not-fit #builder-preview,
    BuilderScreen.-does-not-fit #builder-problems,
    BuilderScreen.-does-not-fit #builder-run,
    BuilderScreen.-does-not-fit #builder-new-pane {
        display: none;
    }
    BuilderScreen #parser-kind {
        width: 14;
    }
    BuilderScreen #parser-pattern {
        width: 1fr;
        margin: 0 1;
    }
    BuilderScreen #metric-function {
        width: 20;
    }
    BuilderScreen #metric-range {
        width: 8;
        margin: 0 1;
    }
    BuilderScreen #metric-sum-by {
        width: 1fr;
        min-width: 16;
    }
    BuilderScreen #builder-preview {
        height: auto;
        max-height: 6;
        border-top: solid $panel-lighten-2;
    }
    BuilderScreen #builder-problems {
        height: auto;
        color: $error;
    }
    BuilderScreen #builder-buttons {
        height: auto;
        align-horizontal: right;
    }
    BuilderScreen #builder-buttons Button {
        margin-left: 1;
    }
    """

    def __init__(
        self,
        client: LokiClient,
        *,
        query: str | None,
        time_range: tuple[int, int],
        sample: Sequence[tuple[Mapping[str, str], str]] = (),
        level_source: str | None = None,
        range_description: str = "",
    ) -> None:
        super().__init__()
        self.client = client
        self.initial_query = query
        self.time_range = time_range
        self.sample = list(sample)
        self.level_source = level_source
        self.range_description = range_description
        self.does_not_fit: str | None = None
        self.preview_text = ""
        self.problems: list[str] = []
        self.warnings: list[str] = []
        """Doubts about the query that do not stop it from running."""
        self._json_fields: list[str] = []
        self._logfmt_fields: list[str] = []
        self._extra_levels: list[str] = []
        self._chart_timer: object | None = None
        self._metric_aggregate = True
        self._filling = False

    # --- layout ------------------------------------------------------------

    def compose(self) -> ComposeResult:
        with Vertical(id="builder-dialog"):
            title = "Query builder"
            if self.range_description:
                title += f" · {self.range_description}"
            yield Static(title, id="builder-title", markup=False)
            with Vertical(id="builder-notice"):
                yield Static("", id="builder-notice-text", markup=False)
                with Horizontal():
                    yield Button("Edit as text", id="builder-edit-text", compact=True)
                    yield Button(
                        "New query from the selector", id="builder-from-selector", compact=True
                    )
            with VerticalScroll(id="builder-form"):
                yield Label("Stream selector", classes="builder--section")
                yield LabelPicker(self.client, lambda: self.time_range, id="label-picker")
                yield Label("Line filters", classes="builder--section")
                yield LineFilterList(id="line-filter-list")
                yield Label("Parser", classes="builder--section")
                with Horizontal():
                    yield Select[str](
                        [(kind, kind) for kind in PARSER_KINDS],
                        value="none",
                        allow_blank=False,
                        id="parser-kind",
                        compact=True,
                    )
                    yield Input(
                        placeholder="regexp (?P<name>…) or pattern <name>",
                        id="parser-pattern",
                        compact=True,
                    )
                yield Label("Label filters", classes="builder--section")
                yield LabelFilterList(id="label-filter-list")
                yield Label("Level", classes="builder--section")
                with Horizontal(id="level-boxes"):
                    for name in LEVEL_NAMES:
                        yield Checkbox(name, id=f"level-{name}", compact=True)
                    yield Checkbox("level is a stream label", id="level-stream", compact=True)
                yield Label("Metric", classes="builder--section")
                with Horizontal():
                    yield Checkbox("metric", id="metric-enabled", compact=True)
                    yield Select[str](
                        [("count_over_time", "count_over_time"), ("rate", "rate")],
                        value="count_over_time",
                        allow_blank=False,
                        id="metric-function",
                        compact=True,
                    )
                    yield Input(format_duration(DEFAULT_RANGE_NS), id="metric-range", compact=True)
                    yield Input(
                        placeholder="sum by: label, label",
                        id="metric-sum-by",
                        compact=True,
                        suggester=LabelListSuggester(self._sum_by_names),
                    )
                yield MetricChart(id="metric-chart")
            yield Static("", id="builder-preview")
            yield Static("", id="builder-problems", markup=False)
            with Horizontal(id="builder-buttons"):
                yield Button(
                    "Run in this pane (ctrl+r)", id="builder-run", variant="primary", compact=True
                )
                yield Button("Open in a new pane (ctrl+o)", id="builder-new-pane", compact=True)
                yield Button("Cancel (esc)", id="builder-cancel", compact=True)

    def on_mount(self) -> None:
        """Collect field names from the sample and fill the form from the pane's query."""
        extracted = self._initial_query_has_parser()
        self._json_fields = sample_fields(
            self.sample, logql_ast.JsonParser(), labels_include_extracted=extracted
        )
        self._logfmt_fields = sample_fields(
            self.sample, logql_ast.LogfmtParser(), labels_include_extracted=extracted
        )
        self.query_one("#level-stream", Checkbox).value = self.level_source == "label"
        self.query_one("#parser-pattern", Input).display = False
        self.query_one(MetricChart).display = False

        # A pane opened for a new query shows `{}` until a query is typed.
        if self.initial_query and self.initial_query.strip() not in ("", "{}"):
            self._load_query(self.initial_query)
        self._update_fields()
        self.update_preview()

    def _sum_by_names(self) -> list[str]:
        return self.label_picker.label_names + self.label_filter_list.fields

    def _initial_query_has_parser(self) -> bool:
        try:
            log_query = first_log_query(parse(self.initial_query or ""))
        except LogQLSyntaxError:
            return False
        if log_query is None:
            return False
        return any(isinstance(stage, PARSER_STAGES) for stage in log_query.pipeline)

    def _load_query(self, query: str) -> None:
        try:
            model = QueryModel.from_logql(query)
        except DoesNotFitBuilder as error:
            self._show_does_not_fit(error.part)
            return
        except LogQLSyntaxError as error:
            self._show_does_not_fit(f"a syntax error ({error})")
            return
        self.fill(model)

    def _show_does_not_fit(self, part: str) -> None:
        self.does_not_fit = part
        self.query_one("#builder-notice-text", Static).update(
            f"The query builder cannot show {part} in this pane's query. "
            "Edit the query as text, or start a new query from its stream selector."
        )
        self.add_class("-does-not-fit")
        self.query_one("#builder-edit-text", Button).focus()

    # --- the model ---------------------------------------------------------

    @property
    def label_picker(self) -> LabelPicker:
        """The stream selector editor."""
        return self.query_one(LabelPicker)

    @property
    def line_filter_list(self) -> LineFilterList:
        """The line filter editor."""
        return self.query_one(LineFilterList)

    @property
    def label_filter_list(self) -> LabelFilterList:
        """The label filter editor."""
        return self.query_one(LabelFilterList)

    @property
    def metric_chart(self) -> MetricChart:
        """The chart of the metric wrapper's result."""
        return self.query_one(MetricChart)

    def fill(self, model: QueryModel) -> None:
        """Set every field of the form from `model`."""
        self._filling = True
        try:
            self.label_picker.set_matchers(list(model.matchers))
            self.line_filter_list.set_filters(list(model.line_filters))
            self.label_filter_list.set_filters(list(model.label_filters))

            parser_kind = model.parser.kind if model.parser is not None else "none"
            self.query_one("#parser-kind", Select).value = parser_kind
            pattern_input = self.query_one("#parser-pattern", Input)
            pattern_input.value = model.parser.pattern if model.parser is not None else ""
            pattern_input.display = parser_kind in ("regexp", "pattern")

            self._fill_levels(model.level)
            self._fill_metric(model.metric)
        finally:
            self._filling = False
        self.update_preview()

    def _fill_levels(self, level: LevelSpec) -> None:
        boxes = self.query_one("#level-boxes", Horizontal)
        for name in level.levels:
            if name not in LEVEL_NAMES and name not in self._extra_levels:
                self._extra_levels.append(name)
                box = Checkbox(name, id=f"level-extra-{len(self._extra_levels)}", compact=True)
                boxes.mount(box, before="#level-stream")
        for box in self._level_boxes():
            box.value = str(box.label) in level.levels
        if level.levels:
            self.query_one("#level-stream", Checkbox).value = level.stream_matcher

    def _fill_metric(self, metric: MetricSpec | None) -> None:
        self.query_one("#metric-enabled", Checkbox).value = metric is not None
        if metric is None:
            return
        self._metric_aggregate = metric.aggregate
        self.query_one("#metric-function", Select).value = metric.function
        self.query_one("#metric-range", Input).value = format_duration(metric.range_ns)
        self.query_one("#metric-sum-by", Input).value = ", ".join(metric.sum_by)

    def _level_boxes(self) -> list[Checkbox]:
        return [
            box
            for box in self.query_one("#level-boxes", Horizontal).query(Checkbox)
            if box.id != "level-stream"
        ]

    def build_model(self) -> tuple[QueryModel, list[str]]:
        """Read the form into a model; also return problems found while reading it."""
        problems: list[str] = []
        model = QueryModel(
            matchers=self.label_picker.matchers,
            line_filters=self.line_filter_list.filters,
            label_filters=self.label_filter_list.filters,
        )

        kind = str(self.query_one("#parser-kind", Select).value)
        if kind != "none":
            pattern = self.query_one("#parser-pattern", Input).value
            model.parser = ParserSpec(kind=kind, pattern=pattern)  # type: ignore[arg-type]

        levels = [str(box.label) for box in self._level_boxes() if box.value]
        stream_matcher = self.query_one("#level-stream", Checkbox).value
        model.level = LevelSpec(levels=levels, stream_matcher=stream_matcher)
        level_in_line = self.level_source in ("json", "logfmt")
        if levels and not stream_matcher and model.parser is None and level_in_line:
            problems.append(
                f"the pane's lines carry level inside {self.level_source}: "
                f"pick the {self.level_source} parser so the level filter can read it"
            )

        if self.query_one("#metric-enabled", Checkbox).value:
            model.metric = self._read_metric(problems)

        return model, problems

    def _read_metric(self, problems: list[str]) -> MetricSpec:
        function = str(self.query_one("#metric-function", Select).value)
        range_text = self.query_one("#metric-range", Input).value.strip()
        try:
            range_ns = parse_duration(range_text)
        except ValueError:
            problems.append(f"invalid metric range {range_text!r}: expected a duration like 5m")
            range_ns = DEFAULT_RANGE_NS
        sum_by_text = self.query_one("#metric-sum-by", Input).value
        sum_by = [name.strip() for name in sum_by_text.split(",") if name.strip()]

        # A query without `sum` keeps one series per stream until labels to sum by are named.
        aggregate = self._metric_aggregate or bool(sum_by)
        return MetricSpec(
            function=function,  # type: ignore[arg-type]
            range_ns=range_ns,
            sum_by=sum_by,
            aggregate=aggregate,
        )

    # --- preview -----------------------------------------------------------

    def update_preview(self) -> None:
        """Print the query, check it with the parser and the model, and show both."""
        if self._filling:
            return
        model, problems = self.build_model()
        problems.extend(model.validate())
        self.warnings = self.label_picker.unseen_warnings()
        preview = self.query_one("#builder-preview", Static)

        try:
            text = model.to_logql()
        except ValueError as error:
            self.preview_text = ""
            self.problems = [str(error), *problems]
            preview.update(Text("LogQL› ", style="bold") + Text("(incomplete)", style="dim"))
            self._show_problems()
            return

        self.preview_text = text
        shown = Text("LogQL› ", style="bold")
        try:
            parse(text)
        except LogQLSyntaxError as error:
            width = max(self.size.width - 12, 40)
            excerpt, caret = excerpt_with_caret(text, error.column or 1, width)
            shown.append_text(excerpt)
            shown.append("\n       ")
            shown.append_text(caret)
            problems.insert(0, str(error))
        else:
            shown.append(text)
        preview.update(shown)
        self.problems = problems
        self._show_problems()
        self._schedule_chart()

    def _show_problems(self) -> None:
        lines = [f"✗ {problem}" for problem in self.problems]
        lines.extend(f"! {warning}" for warning in self.warnings)
        problems = self.query_one("#builder-problems", Static)
        problems.update("\n".join(lines))
        problems.display = bool(lines)

    def _update_fields(self) -> None:
        kind = str(self.query_one("#parser-kind", Select).value)
        pattern = self.query_one("#parser-pattern", Input).value
        if kind == "json":
            fields, source = self._json_fields, "json"
        elif kind == "logfmt":
            fields, source = self._logfmt_fields, "logfmt"
        elif kind == "regexp":
            fields, source = sorted(set(_REGEX_GROUP.findall(pattern))), "the regexp"
        elif kind == "pattern":
            names = set(_PATTERN_CAPTURE.findall(pattern)) - {"_"}
            fields, source = sorted(names), "the pattern"
        else:
            fields = sorted(set(self._json_fields) | set(self._logfmt_fields))
            source = "json or logfmt"
        self.label_filter_list.set_fields(fields, source)

    # --- metric chart --------------------------------------------------------

    def _schedule_chart(self) -> None:
        enabled = self.query_one("#metric-enabled", Checkbox).value
        self.metric_chart.display = enabled
        if not enabled:
            return
        if self._chart_timer is not None:
            self._chart_timer.stop()  # type: ignore[attr-defined]
        if self.problems or not self.preview_text:
            self.metric_chart.show_message("Fix the problems above to draw the chart.")
            return
        self.metric_chart.show_message("Querying…")
        self._chart_timer = self.set_timer(CHART_DELAY_S, self._start_chart)

    def _start_chart(self) -> None:
        self.run_worker(
            self._load_chart(self.preview_text), group="chart", exclusive=True, exit_on_error=False
        )

    async def _load_chart(self, query: str) -> None:
        start_ns, end_ns = self.time_range
        step_ns = max((end_ns - start_ns) // CHART_POINTS, MIN_STEP_NS)
        function = str(self.query_one("#metric-function", Select).value)
        try:
            series = await self.client.query_range_matrix(
                query, start_ns=start_ns, end_ns=end_ns, step_ns=step_ns
            )
        except LokiError as error:
            logger.warning("metric chart query failed: %s", error)
            self.metric_chart.show_message(f"The chart query failed: {error}")
            return
        if query == self.preview_text:
            self.metric_chart.show_series(
                series, function, start_ns=start_ns, end_ns=end_ns, step_ns=step_ns
            )

    # --- events ------------------------------------------------------------

    @on(LabelPicker.Changed)
    @on(LineFilterList.Changed)
    @on(LabelFilterList.Changed)
    @on(Checkbox.Changed)
    @on(Input.Changed, "#metric-range, #metric-sum-by")
    @on(Select.Changed, "#metric-function")
    def _on_form_changed(self) -> None:
        self.update_preview()

    @on(Select.Changed, "#parser-kind")
    def _on_parser_changed(self, event: Select.Changed) -> None:
        self.query_one("#parser-pattern", Input).display = event.value in ("regexp", "pattern")
        self._update_fields()
        self.update_preview()

    @on(Input.Changed, "#parser-pattern")
    def _on_pattern_changed(self) -> None:
        self._update_fields()
        self.update_preview()

    @on(Button.Pressed, "#builder-run")
    def _on_run_pressed(self) -> None:
        self.action_run()

    @on(Button.Pressed, "#builder-new-pane")
    def _on_new_pane_pressed(self) -> None:
        self.action_new_pane()

    @on(Button.Pressed, "#builder-cancel")
    def _on_cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Button.Pressed, "#builder-edit-text")
    def _on_edit_text_pressed(self) -> None:
        self.dismiss(BuilderResult(action="edit_text"))

    @on(Button.Pressed, "#builder-from-selector")
    def _on_from_selector_pressed(self) -> None:
        self.start_from_selector()

    def start_from_selector(self) -> None:
        """Leave the notice and fill the form with the stream selector of the pane's query."""
        self.does_not_fit = None
        self.remove_class("-does-not-fit")
        model = QueryModel()
        try:
            log_query = first_log_query(parse(self.initial_query or ""))
        except LogQLSyntaxError:
            log_query = None
        if log_query is not None:
            try:
                model = QueryModel.from_ast(LogQuery(selector=log_query.selector, pipeline=()))
            except DoesNotFitBuilder:
                model = QueryModel()
        self.fill(model)
        self.label_picker.query_one("#label-name", Select).focus()

    def _finish(self, action: BuilderAction) -> None:
        if self.does_not_fit is not None:
            self.app.bell()
            return
        self.update_preview()
        if self.problems or not self.preview_text:
            self.app.bell()
            self.notify("Fix the problems shown under the query first.", severity="warning")
            return

        model, _ = self.build_model()
        model.metric = None
        self.dismiss(
            BuilderResult(action=action, query=self.preview_text, log_query=model.to_logql())
        )

    def action_run(self) -> None:
        """Close the builder and run the query in the pane it was opened from."""
        self._finish("run")

    def action_new_pane(self) -> None:
        """Close the builder and open the query in a new pane."""
        self._finish("new_pane")

    def action_cancel(self) -> None:
        """Close the builder without changing anything."""
        self.dismiss(None)
