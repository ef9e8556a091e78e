"""Evaluate LogQL log queries entry by entry, as Loki's pipeline does.

`LogQueryEvaluator` compiles a `LogQuery` once (regexes, templates, patterns,
json paths) into a list of stage functions and then runs each entry through
them. It follows Loki's semantics where they are visible to a user:

- a parser that cannot read a line keeps the line and sets `__error__`
  (`JSONParserErr`, `LogfmtParserErr`) and `__error_details__`; a later
  `| __error__=""` drops it;
- extracted names are sanitized, a clash with a stream label gets the
  `_extracted` suffix, and when a name is extracted twice the first value wins;
- numeric, duration and bytes label filters let an entry through when the
  value does not convert, with `__error__="LabelFilterErr"`, and they pass
  every entry that already carries an error (only string filters drop errors);
- a template that fails keeps the line or label and sets `TemplateFormatErr`.

Metric queries are evaluated by `tflog_tui.logql.metric`; `evaluate_metric`,
`evaluate_instant`, `Series` and `Sample` are re-exported here.
"""

from __future__ import annotations

import logging
import operator
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Final, TypeAlias

from tflog_tui.logql.ast import (
    AndLabelFilter,
    BytesLabelFilter,
    Decolorize,
    DropLabels,
    DurationLabelFilter,
    IpLabelFilter,
    JsonParser,
    KeepLabels,
    LabelFilter,
    LabelFilterExpr,
    LabelFormat,
    LabelRename,
    LineFilter,
    LineFormat,
    LogfmtParser,
    LogQuery,
    Matcher,
    MetricExpr,
    NumberLabelFilter,
    OrLabelFilter,
    PatternParser,
    RegexpParser,
    Stage,
    StringLabelFilter,
    UnpackParser,
    Unwrap,
)
from tflog_tui.logql.parser import parse_json_path
from tflog_tui.logql.re2 import compile_re2
from tflog_tui.logql.stages import (
    CompiledPattern,
    ExtractionError,
    IpMatcher,
    compile_pattern,
    decolorize,
    json_labels,
    json_path_value,
    logfmt_pairs,
    parse_humanized_bytes,
    parse_label_number,
    sanitize_label_name,
    unpack_labels,
)
from tflog_tui.logql.templates import Template, TemplateExecError
from tflog_tui.logql.units import parse_duration

logger = logging.getLogger(__name__)

ERROR_LABEL: Final = "__error__"
ERROR_DETAILS_LABEL: Final = "__error_details__"
EXTRACTED_SUFFIX: Final = "_extracted"

JSON_PARSER_ERR: Final = "JSONParserErr"
LOGFMT_PARSER_ERR: Final = "LogfmtParserErr"
LABEL_FILTER_ERR: Final = "LabelFilterErr"
TEMPLATE_FORMAT_ERR: Final = "TemplateFormatErr"
SAMPLE_EXTRACTION_ERR: Final = "SampleExtractionErr"


class UnsupportedQueryError(ValueError):
    """A valid LogQL construct that the embedded evaluator does not implement.

    The message names the construct, e.g.
    `unsupported in the embedded evaluator: quantile_over_time`.
    """

    def __init__(self, construct: str) -> None:
        super().__init__(f"unsupported in the embedded evaluator: {construct}")
        self.construct = construct


class ProcessedEntry:
    """One entry after the pipeline.

    `labels` are the labels Loki groups the output stream by: stream labels,
    structured metadata and extracted labels, including `__error__` and
    `__error_details__` when set. `parsed` holds only the labels the
    pipeline added or changed. `line` is the line after `line_format`,
    `unpack` and `decolorize`. `metadata` is the structured metadata passed
    in, `ts_ns` the timestamp in nanoseconds, and `value` the sample value
    an `unwrap` stage extracted (0.0 without one).
    """

    __slots__ = ("labels", "line", "metadata", "parsed", "ts_ns", "value")

    def __init__(
        self,
        ts_ns: int,
        line: str,
        labels: dict[str, str],
        parsed: dict[str, str],
        metadata: Mapping[str, str],
    ) -> None:
        self.ts_ns = ts_ns
        self.line = line
        self.labels = labels
        self.parsed = parsed
        self.metadata = metadata
        self.value = 0.0

    def set_error(self, error: str, details: str) -> None:
        """Set `__error__` and `__error_details__`, replacing an earlier error."""
        self.labels[ERROR_LABEL] = error
        self.parsed[ERROR_LABEL] = error
        self.labels[ERROR_DETAILS_LABEL] = details
        self.parsed[ERROR_DETAILS_LABEL] = details

    def add_extracted(self, name: str, value: str, base: Mapping[str, str]) -> None:
        """Add a label extracted by a parser, with Loki's clash and first-wins rules."""
        if name in base:
            name += EXTRACTED_SUFFIX
        if name in self.parsed:
            return
        self.parsed[name] = value
        self.labels[name] = value

    def set_label(self, name: str, value: str) -> None:
        """Set a label as `label_format` does, overriding any earlier value."""
        self.labels[name] = value
        self.parsed[name] = value

    def delete_label(self, name: str) -> None:
        """Remove a label from the entry (from both `labels` and `parsed`)."""
        self.labels.pop(name, None)
        self.parsed.pop(name, None)

    def __repr__(self) -> str:
        return f"ProcessedEntry({self.ts_ns}, {self.line!r}, labels={self.labels!r})"


StageFunction = Callable[[ProcessedEntry, Mapping[str, str]], bool]
"""A compiled stage: returns False to drop the entry; the mapping is the stream labels."""
LineTest = Callable[[str], bool]


# --- selectors -----------------------------------------------------------------


def compile_matcher(matcher: Matcher) -> Callable[[Mapping[str, str]], bool]:
    """Compile one label matcher; a missing label compares as the empty string."""
    name = matcher.name
    value = matcher.value
    if matcher.op == "=":
        return lambda labels: labels.get(name, "") == value
    if matcher.op == "!=":
        return lambda labels: labels.get(name, "") != value

    regex = compile_re2(value, anchored=True)
    match = regex.match
    if matcher.op == "=~":
        return lambda labels: match(labels.get(name, "")) is not None
    return lambda labels: match(labels.get(name, "")) is None


def selector_matches(matchers: Sequence[Matcher], labels: Mapping[str, str]) -> bool:
    """Return whether a label set satisfies every matcher of a stream selector.

    Regexes are RE2 and fully anchored, as in Prometheus; compiled regexes are
    cached, so calling this once per stream is cheap.
    """
    return all(compile_matcher(matcher)(labels) for matcher in matchers)


# --- line filters --------------------------------------------------------------


def compile_line_filter(stage: LineFilter) -> LineTest:
    """Compile a line filter; `or` values match when any value does (`!=`: when none does)."""
    values = stage.values
    op = stage.op
    positive = op in ("|=", "|~", "|>")

    tests: list[LineTest]
    if stage.ip:
        matchers = [IpMatcher(value) for value in values]
        tests = [matcher.search for matcher in matchers]
    elif op in ("|=", "!="):
        if len(values) == 1:
            needle = values[0]
            if positive:
                return lambda line: needle in line
            return lambda line: needle not in line
        tests = [_contains(value) for value in values]
    elif op in ("|~", "!~"):
        tests = [_regex_search(value) for value in values]
    else:
        patterns = [compile_pattern(value, require_named=False) for value in values]
        tests = [pattern.matches for pattern in patterns]

    if len(tests) == 1:
        test = tests[0]
        if positive:
            return test
        return lambda line: not test(line)
    if positive:
        return lambda line: any(test(line) for test in tests)
    return lambda line: not any(test(line) for test in tests)


def _contains(needle: str) -> LineTest:
    return lambda line: needle in line


def _regex_search(pattern: str) -> LineTest:
    search = compile_re2(pattern).search
    return lambda line: search(line) is not None


# --- label filters -------------------------------------------------------------

_COMPARE: Final[dict[str, Callable[[float, float], bool]]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def compile_label_filter(expr: LabelFilterExpr) -> StageFunction:
    """Compile a label filter expression into a stage function."""
    if isinstance(expr, StringLabelFilter):
        test = compile_matcher(Matcher(expr.name, expr.op, expr.value))
        return lambda entry, _stream: test(entry.labels)

    if isinstance(expr, NumberLabelFilter):
        return _converting_filter(expr.name, expr.op, expr.value, parse_label_number)
    if isinstance(expr, DurationLabelFilter):
        return _converting_filter(expr.name, expr.op, expr.value_ns, _parse_duration_value)
    if isinstance(expr, BytesLabelFilter):
        return _converting_filter(expr.name, expr.op, expr.value_bytes, _parse_bytes_value)

    if isinstance(expr, IpLabelFilter):
        return _ip_filter(expr)

    if isinstance(expr, AndLabelFilter):
        left = compile_label_filter(expr.left)
        right = compile_label_filter(expr.right)

        def both(entry: ProcessedEntry, stream: Mapping[str, str]) -> bool:
            # Both sides run, as in Loki, so a conversion error on the right is recorded.
            left_passed = left(entry, stream)
            right_passed = right(entry, stream)
            return left_passed and right_passed

        return both

    if isinstance(expr, OrLabelFilter):
        left = compile_label_filter(expr.left)
        right = compile_label_filter(expr.right)
        return lambda entry, stream: left(entry, stream) or right(entry, stream)

    raise UnsupportedQueryError(type(expr).__name__)


def _ip_filter(expr: IpLabelFilter) -> StageFunction:
    matcher = IpMatcher(expr.pattern)
    name = expr.name
    wanted = expr.op == "="

    def check(entry: ProcessedEntry, _stream: Mapping[str, str]) -> bool:
        # Like the converting filters, an ip() filter keeps entries that carry an error.
        labels = entry.labels
        if ERROR_LABEL in labels:
            return True
        return matcher.contains(labels.get(name, "")) is wanted

    return check


def _parse_duration_value(text: str) -> float:
    if not text or text != text.strip():
        raise ValueError(f'time: invalid duration "{text}"')
    try:
        return float(parse_duration(text))
    except ValueError as error:
        raise ValueError(f'time: invalid duration "{text}"') from error


def _parse_bytes_value(text: str) -> float:
    return float(parse_humanized_bytes(text))


def _converting_filter(
    name: str, op: str, expected: float, convert: Callable[[str], float]
) -> StageFunction:
    compare = _COMPARE[op]
    if name in (ERROR_LABEL, ERROR_DETAILS_LABEL):
        # Loki's converting filters cannot read the error labels, so they match nothing.
        return lambda _entry, _stream: False

    def check(entry: ProcessedEntry, _stream: Mapping[str, str]) -> bool:
        labels = entry.labels
        if ERROR_LABEL in labels:
            return True
        text = labels.get(name)
        if text is None:
            return False
        try:
            value = convert(text)
        except ValueError as error:
            entry.set_error(LABEL_FILTER_ERR, str(error))
            return True
        return compare(value, expected)

    return check


# --- parsers -------------------------------------------------------------------


def _compile_json(stage: JsonParser) -> StageFunction:
    if not stage.params:

        def extract_all(entry: ProcessedEntry, stream: Mapping[str, str]) -> bool:
            try:
                pairs = json_labels(entry.line)
            except ExtractionError as error:
                entry.set_error(JSON_PARSER_ERR, str(error))
                return True
            add = entry.add_extracted
            for name, value in pairs:
                add(name, value, stream)
            return True

        return extract_all

    paths = [(param.name, parse_json_path(param.expression)) for param in stage.params]

    def extract_paths(entry: ProcessedEntry, stream: Mapping[str, str]) -> bool:
        line = entry.line
        for name, path in paths:
            try:
                value = json_path_value(line, path)
            except ExtractionError as error:
                entry.set_error(JSON_PARSER_ERR, str(error))
                return True
            # NOTE: a path missing from the line extracts the label with an empty
            # value, so `| json x="a.b" | x=""` selects lines without that field.
            entry.add_extracted(name, "" if value is None else value, stream)
        return True

    return extract_paths


def _compile_logfmt(stage: LogfmtParser) -> StageFunction:
    strict = stage.strict
    keep_empty = stage.keep_empty

    if not stage.params:

        def extract_all(entry: ProcessedEntry, stream: Mapping[str, str]) -> bool:
            add = entry.add_extracted
            try:
                for key, value in logfmt_pairs(entry.line, strict):
                    if value is None:
                        if not keep_empty:
                            continue
                        value = ""
                    name = sanitize_label_name(key)
                    if name:
                        add(name, value, stream)
            except ExtractionError as error:
                entry.set_error(LOGFMT_PARSER_ERR, str(error))
            return True

        return extract_all

    wanted: dict[str, list[str]] = {}
    for param in stage.params:
        wanted.setdefault(param.expression, []).append(param.name)

    def extract_some(entry: ProcessedEntry, stream: Mapping[str, str]) -> bool:
        add = entry.add_extracted
        try:
            for key, value in logfmt_pairs(entry.line, strict):
                names = wanted.get(key)
                if names is None:
                    continue
                for name in names:
                    add(name, "" if value is None else value, stream)
        except ExtractionError as error:
            entry.set_error(LOGFMT_PARSER_ERR, str(error))
        return True

    return extract_some


def _compile_regexp(stage: RegexpParser) -> StageFunction:
    regex = compile_re2(stage.pattern)
    groups = list(regex.groupindex.items())
    if not groups:
        raise ValueError(
            f"invalid regexp parser {stage.pattern!r}: at least one named capture group is required"
        )
    search = regex.search

    def extract(entry: ProcessedEntry, stream: Mapping[str, str]) -> bool:
        match = search(entry.line)
        if match is None:
            return True
        add = entry.add_extracted
        for name, index in groups:
            add(name, match.group(index) or "", stream)
        return True

    return extract


def _compile_pattern_parser(stage: PatternParser) -> StageFunction:
    pattern: CompiledPattern = compile_pattern(stage.pattern)

    def extract(entry: ProcessedEntry, stream: Mapping[str, str]) -> bool:
        captured = pattern.extract(entry.line)
        if captured:
            add = entry.add_extracted
            for name, value in captured:
                add(name, value, stream)
        return True

    return extract


def _unpack(entry: ProcessedEntry, stream: Mapping[str, str]) -> bool:
    try:
        pairs, packed_line = unpack_labels(entry.line)
    except ExtractionError as error:
        entry.set_error(JSON_PARSER_ERR, str(error))
        return True
    add = entry.add_extracted
    for name, value in pairs:
        add(name, value, stream)
    if packed_line is not None:
        entry.line = packed_line
    return True


# --- formatting and label stages -------------------------------------------------


def _compile_line_format(stage: LineFormat) -> StageFunction:
    template = Template(stage.template)

    def format_line(entry: ProcessedEntry, _stream: Mapping[str, str]) -> bool:
        try:
            entry.line = template.render(entry.labels, entry.line, entry.ts_ns)
        except TemplateExecError as error:
            entry.set_error(TEMPLATE_FORMAT_ERR, str(error))
        return True

    return format_line


def _compile_label_format(stage: LabelFormat) -> StageFunction:
    operations: list[tuple[str, str | Template]] = []
    for operation in stage.operations:
        if isinstance(operation, LabelRename):
            operations.append((operation.dst, operation.src))
        else:
            operations.append((operation.dst, Template(operation.template)))

    def format_labels(entry: ProcessedEntry, _stream: Mapping[str, str]) -> bool:
        # Templates see the labels as they were after the renames before them in
        # this stage, taken once, so `a="{{.b}}", b="{{.a}}"` swaps the values.
        snapshot: dict[str, str] | None = None
        for dst, source in operations:
            if isinstance(source, str):
                value = entry.labels.get(source)
                if value is not None:
                    entry.delete_label(source)
                    entry.set_label(dst, value)
                continue
            if snapshot is None:
                snapshot = dict(entry.labels)
            try:
                entry.set_label(dst, source.render(snapshot, entry.line, entry.ts_ns))
            except TemplateExecError as error:
                entry.set_error(TEMPLATE_FORMAT_ERR, str(error))
        return True

    return format_labels


def _label_selection(
    items: Sequence[str | Matcher],
) -> tuple[frozenset[str], list[tuple[str, Callable[[Mapping[str, str]], bool]]]]:
    names = frozenset(item for item in items if isinstance(item, str))
    matchers = [(item.name, compile_matcher(item)) for item in items if isinstance(item, Matcher)]
    return names, matchers


def _compile_drop(stage: DropLabels) -> StageFunction:
    names, matchers = _label_selection(stage.labels)

    def drop(entry: ProcessedEntry, _stream: Mapping[str, str]) -> bool:
        for name in names:
            entry.delete_label(name)
        for name, test in matchers:
            if name in entry.labels and test(entry.labels):
                entry.delete_label(name)
        return True

    return drop


def _compile_keep(stage: KeepLabels) -> StageFunction:
    names, matchers = _label_selection(stage.labels)

    def keep(entry: ProcessedEntry, _stream: Mapping[str, str]) -> bool:
        labels = entry.labels
        for name in list(labels):
            if name in names or name in (ERROR_LABEL, ERROR_DETAILS_LABEL):
                continue
            if any(matcher_name == name and test(labels) for matcher_name, test in matchers):
                continue
            entry.delete_label(name)
        return True

    return keep


def _decolorize(entry: ProcessedEntry, _stream: Mapping[str, str]) -> bool:
    entry.line = decolorize(entry.line)
    return True


def _line_stage(test: LineTest) -> StageFunction:
    return lambda entry, _stream: test(entry.line)


def compile_stage(stage: Stage) -> StageFunction:
    """Compile one pipeline stage; raises ValueError for an invalid regex, template or pattern."""
    if isinstance(stage, LineFilter):
        return _line_stage(compile_line_filter(stage))
    if isinstance(stage, LabelFilter):
        return compile_label_filter(stage.expr)
    if isinstance(stage, JsonParser):
        return _compile_json(stage)
    if isinstance(stage, LogfmtParser):
        return _compile_logfmt(stage)
    if isinstance(stage, RegexpParser):
        return _compile_regexp(stage)
    if isinstance(stage, PatternParser):
        return _compile_pattern_parser(stage)
    if isinstance(stage, UnpackParser):
        return _unpack
    if isinstance(stage, LineFormat):
        return _compile_line_format(stage)
    if isinstance(stage, LabelFormat):
        return _compile_label_format(stage)
    if isinstance(stage, DropLabels):
        return _compile_drop(stage)
    if isinstance(stage, KeepLabels):
        return _compile_keep(stage)
    if isinstance(stage, Decolorize):
        return _decolorize
    raise UnsupportedQueryError(type(stage).__name__)


# --- unwrap ------------------------------------------------------------------------


def _compile_unwrap(unwrap: Unwrap) -> StageFunction:
    name = unwrap.label
    convert: Callable[[str], float]
    if unwrap.conversion == "bytes":
        convert = _parse_bytes_value
    elif unwrap.conversion in ("duration", "duration_seconds"):

        def convert(text: str) -> float:
            return _parse_duration_value(text) / 1e9

    else:
        convert = parse_label_number

    def extract(entry: ProcessedEntry, _stream: Mapping[str, str]) -> bool:
        text = entry.labels.get(name, "")
        try:
            entry.value = convert(text)
        except ValueError as error:
            entry.value = 0.0
            entry.set_error(SAMPLE_EXTRACTION_ERR, str(error))
        # The unwrapped label becomes the sample value and leaves the series labels.
        entry.delete_label(name)
        return True

    return extract


# --- the evaluator -------------------------------------------------------------------


class LogQueryEvaluator:
    """Run entries through a compiled LogQL log query.

    Compiling raises ValueError (InvalidRegexError, TemplateSyntaxError, ...)
    when a regex, template, pattern, json path or ip() in the query is
    invalid. The evaluator keeps no per-entry state, so one instance may
    process entries from many streams.
    """

    __slots__ = (
        "_line_tests",
        "_matchers",
        "_stages",
        "has_line_filters_only",
        "query",
    )

    def __init__(self, query: LogQuery, unwrap: Unwrap | None = None) -> None:
        self.query = query
        self._matchers = [compile_matcher(matcher) for matcher in query.selector]

        # Line filters at the front of the pipeline run on the raw line before any
        # per-entry object is made; most queries are only these.
        pipeline = list(query.pipeline)
        leading: list[LineTest] = []
        while pipeline and isinstance(pipeline[0], LineFilter):
            stage = pipeline.pop(0)
            assert isinstance(stage, LineFilter)
            leading.append(compile_line_filter(stage))
        self._line_tests = leading
        self._stages = [compile_stage(stage) for stage in pipeline]
        if unwrap is not None:
            self._stages.append(_compile_unwrap(unwrap))
            self._stages.extend(compile_label_filter(f.expr) for f in unwrap.post_filters)
        self.has_line_filters_only = not self._stages
        """True when the pipeline never changes labels or the line (only line filters)."""

    def matches_stream(self, labels: Mapping[str, str]) -> bool:
        """Return whether a stream's labels satisfy the stream selector."""
        return all(test(labels) for test in self._matchers)

    def line_passes(self, line: str) -> bool:
        """Return whether a line passes the leading line filters (all of them, when
        `has_line_filters_only`)."""
        return all(test(line) for test in self._line_tests)

    def process(
        self,
        ts_ns: int,
        labels: Mapping[str, str],
        line: str,
        metadata: Mapping[str, str] | None = None,
    ) -> ProcessedEntry | None:
        """Run one entry through the pipeline; return None when a stage filters it out.

        `ts_ns` is nanoseconds since the epoch and `labels` are the stream
        labels. This does not check the selector (see `matches_stream`).
        `metadata` is the entry's structured metadata, which label filters use.
        """
        for test in self._line_tests:
            if not test(line):
                return None

        all_labels = dict(labels)
        base: Mapping[str, str] = labels
        if metadata:
            # Structured metadata named like a stream label gets the `_extracted`
            # suffix; a parser extracting that name later takes the slot over.
            for name, value in metadata.items():
                if name in labels:
                    name += EXTRACTED_SUFFIX
                all_labels[name] = value
            base = all_labels.copy()
        entry = ProcessedEntry(ts_ns, line, all_labels, {}, metadata or {})

        for stage in self._stages:
            if not stage(entry, base):
                return None
        return entry

    def process_all(
        self, labels: Mapping[str, str], entries: Iterable[tuple[int, str]]
    ) -> list[ProcessedEntry]:
        """Run a stream's (ts_ns, line) entries through the pipeline and keep those that pass."""
        kept: list[ProcessedEntry] = []
        process = self.process
        for ts_ns, line in entries:
            result = process(ts_ns, labels, line)
            if result is not None:
                kept.append(result)
        return kept


# --- metric queries ----------------------------------------------------------------
# The result types live here and the evaluation lives in `metric`. Because
# `metric` imports this module, the two functions below import it when called.

Fetch: TypeAlias = Callable[
    [tuple[Matcher, ...], int, int], Iterable[tuple[Mapping[str, str], Iterable[tuple[int, str]]]]
]


class PipelineError(ValueError):
    """A metric query whose pipeline left `__error__` on a sample, as Loki rejects it."""


@dataclass(slots=True)
class Series:
    """One series of a range query: labels and (ts_ns, value) points in step order."""

    labels: dict[str, str]
    points: list[tuple[int, float]] = field(default_factory=list)


@dataclass(slots=True)
class Sample:
    """One element of an instant query result."""

    labels: dict[str, str]
    value: float


def evaluate_metric(
    expr: MetricExpr, fetch: Fetch, start_ns: int, end_ns: int, step_ns: int
) -> list[Series]:
    """Evaluate a metric query at each step from `start_ns` to `end_ns` inclusive.

    See `tflog_tui.logql.metric.evaluate_metric` for the window rules and errors.
    """
    from tflog_tui.logql import metric

    return metric.evaluate_metric(expr, fetch, start_ns, end_ns, step_ns)


def evaluate_instant(expr: MetricExpr, fetch: Fetch, time_ns: int) -> list[Sample]:
    """Evaluate a metric query at one time (nanoseconds since the epoch).

    See `tflog_tui.logql.metric.evaluate_instant` for the order of the samples.
    """
    from tflog_tui.logql import metric

    return metric.evaluate_instant(expr, fetch, time_ns)


__all__ = [
    "ERROR_DETAILS_LABEL",
    "ERROR_LABEL",
    "Fetch",
    "LogQueryEvaluator",
    "PipelineError",
    "ProcessedEntry",
    "Sample",
    "Series",
    "UnsupportedQueryError",
    "compile_line_filter",
    "compile_matcher",
    "evaluate_instant",
    "evaluate_metric",
    "selector_matches",
]
