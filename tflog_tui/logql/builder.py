"""The query builder's model: a LogQL query as plain data a form can edit.

A `QueryModel` covers the queries an on-call engineer builds by hand: a stream
selector, line filters, at most one parser stage, label filters, a level filter and
an optional `sum by (...) (count_over_time(...))` or `rate` wrapper. It prints
through the syntax tree, so every value is escaped by the printer, never pasted
into the text. A parsed query that has anything else (`line_format`, a second
parser, `unwrap`, a binary operation) raises `DoesNotFitBuilder`, and the app
falls back to editing the text.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from typing import Final, Literal, TypeAlias

from tflog_tui.logql import ast
from tflog_tui.logql.escape import escape_regex
from tflog_tui.logql.re2 import InvalidRegexError, compile_re2
from tflog_tui.logql.units import format_bytes, format_duration, parse_bytes, parse_duration

ParserKind: TypeAlias = Literal["json", "logfmt", "regexp", "pattern"]
LabelFilterKind: TypeAlias = Literal["string", "number", "duration", "bytes"]
MetricFunction: TypeAlias = Literal["count_over_time", "rate"]

LINE_FILTER_NAMES: Final[dict[ast.LineFilterOp, str]] = {
    "|=": "contains",
    "!=": "not contains",
    "|~": "regex",
    "!~": "not regex",
    "|>": "pattern",
    "!>": "not pattern",
}
"""Line filter operators and the names a form shows for them."""

STRING_OPS: Final[tuple[ast.MatchOp, ...]] = ("=", "!=", "=~", "!~")
NUMBER_OPS: Final[tuple[ast.NumberOp, ...]] = ("==", "!=", ">", ">=", "<", "<=")

LEVEL_LABEL: Final = "level"
DEFAULT_RANGE_NS: Final = 5 * 60 * 1_000_000_000

_LABEL_NAME = re.compile(r"[a-zA-Z_][a-zA-Z0-9_]*")
_PATTERN_CAPTURE = re.compile(r"<([a-zA-Z_][a-zA-Z0-9_]*)>")

# Characters that RE2 treats as regex syntax when unescaped.
_REGEX_SYNTAX: Final = frozenset(".+*?()|[]{}^$\\")


class DoesNotFitBuilder(ValueError):
    """A valid query that the builder cannot represent; `part` names the construct."""

    def __init__(self, part: str) -> None:
        super().__init__(f"the query builder cannot show {part}, so edit the query as text")
        self.part = part


@dataclass
class MatcherSpec:
    """A label matcher of the stream selector.

    With `literal` set, a `=~` or `!~` value is plain text that is regex-escaped when
    printed, so `C:\\temp` matches that path and `a.b` matches no `axb`.
    """

    name: str
    op: ast.MatchOp = "="
    value: str = ""
    literal: bool = False


@dataclass
class LineFilterSpec:
    """A line filter: `op` is one of `|= != |~ !~ |> !>`, `value` the text, regex or pattern."""

    op: ast.LineFilterOp = "|="
    value: str = ""


@dataclass
class ParserSpec:
    """The parser stage; `pattern` is the expression of `regexp` and `pattern` parsers."""

    kind: ParserKind = "json"
    pattern: str = ""


@dataclass
class LabelFilterSpec:
    """A label filter after the parser.

    `value` is the text a form shows: a string, a number (`500`, `0.25`), a duration
    (`250ms`, `1h30m`) or a byte size (`20MB`), depending on `kind`. String filters use the
    ops `= != =~ !~`, the others `== != > >= < <=`. `literal` has the same meaning as
    in `MatcherSpec`.
    """

    name: str
    op: str = "="
    value: str = ""
    kind: LabelFilterKind = "string"
    literal: bool = False


@dataclass
class LevelSpec:
    """The level filter: the level names to keep, and where the filter goes.

    With `stream_matcher` set, the filter is a stream selector matcher (for streams that
    carry `level` as a label), otherwise a label filter after the parser, which also
    matches a level extracted from JSON or logfmt. No levels means no filter.
    """

    levels: list[str] = field(default_factory=list)
    stream_matcher: bool = False


@dataclass
class MetricSpec:
    """A metric wrapper: `function` over `range_ns`, summed by the labels in `sum_by`.

    With `aggregate` false there is no `sum`, and each stream is its own series.
    `range_ns` is the range vector window in nanoseconds.
    """

    function: MetricFunction = "count_over_time"
    range_ns: int = DEFAULT_RANGE_NS
    sum_by: list[str] = field(default_factory=list)
    aggregate: bool = True


@dataclass
class QueryModel:
    """A LogQL query as the builder edits it.

    Prints in this order: selector (matchers, then the level when it is a stream
    matcher), line filters, the parser, the level label filter, the other label filters,
    and the metric wrapper around all of it.
    """

    matchers: list[MatcherSpec] = field(default_factory=list)
    line_filters: list[LineFilterSpec] = field(default_factory=list)
    parser: ParserSpec | None = None
    label_filters: list[LabelFilterSpec] = field(default_factory=list)
    level: LevelSpec = field(default_factory=LevelSpec)
    metric: MetricSpec | None = None

    def to_ast(self) -> ast.Expr:
        """Build the syntax tree, or raise ValueError on an invalid number, duration or size."""
        return _model_to_ast(self)

    def to_logql(self) -> str:
        """Print the query as canonical LogQL through the syntax tree printer."""
        return str(self.to_ast())

    @classmethod
    def from_logql(cls, text: str) -> QueryModel:
        """Parse `text` into a model.

        Regex values come back as written, with `literal` false. Raises LogQLSyntaxError
        when `text` is not LogQL and DoesNotFitBuilder when it is valid LogQL that the
        builder cannot represent.
        """
        from tflog_tui.logql import parse

        return cls.from_ast(parse(text))

    @classmethod
    def from_ast(cls, expr: ast.Expr) -> QueryModel:
        """Convert a syntax tree into a model, or raise DoesNotFitBuilder naming the part."""
        return _model_from_ast(expr)

    def validate(self) -> list[str]:
        """Return the problems that would make Loki reject the query, or an empty list."""
        return _validate(self)


# Model to syntax tree


def _model_to_ast(model: QueryModel) -> ast.Expr:
    selector = [_matcher_to_ast(matcher) for matcher in model.matchers]
    level_matcher = _level_matcher(model.level)

    if level_matcher is not None and model.level.stream_matcher:
        selector.append(level_matcher)

    pipeline: list[ast.Stage] = [
        ast.LineFilter(op=line_filter.op, values=(line_filter.value,))
        for line_filter in model.line_filters
    ]

    if model.parser is not None:
        pipeline.append(_parser_to_ast(model.parser))

    if level_matcher is not None and not model.level.stream_matcher:
        pipeline.append(
            ast.LabelFilter(
                ast.StringLabelFilter(level_matcher.name, level_matcher.op, level_matcher.value)
            )
        )

    pipeline.extend(ast.LabelFilter(_label_filter_to_ast(item)) for item in model.label_filters)

    query = ast.LogQuery(selector=tuple(selector), pipeline=tuple(pipeline))
    if model.metric is None:
        return query

    return _metric_to_ast(model.metric, query)


def _regex_value(op: str, value: str, literal: bool) -> str:
    if literal and op in ("=~", "!~"):
        return escape_regex(value)

    return value


def _matcher_to_ast(matcher: MatcherSpec) -> ast.Matcher:
    value = _regex_value(matcher.op, matcher.value, matcher.literal)
    return ast.Matcher(name=matcher.name, op=matcher.op, value=value)


def _level_matcher(level: LevelSpec) -> ast.Matcher | None:
    """Return `level="x"` for one level, `level=~"x|y"` for several, None for none."""
    if not level.levels:
        return None

    if len(level.levels) == 1:
        return ast.Matcher(name=LEVEL_LABEL, op="=", value=level.levels[0])

    alternation = "|".join(escape_regex(name) for name in level.levels)
    return ast.Matcher(name=LEVEL_LABEL, op="=~", value=alternation)


def _parser_to_ast(parser: ParserSpec) -> ast.Stage:
    if parser.kind == "json":
        return ast.JsonParser()

    if parser.kind == "logfmt":
        return ast.LogfmtParser()

    if parser.kind == "regexp":
        return ast.RegexpParser(pattern=parser.pattern)

    return ast.PatternParser(pattern=parser.pattern)


def _label_filter_to_ast(item: LabelFilterSpec) -> ast.LabelFilterExpr:
    if item.kind == "string":
        if item.op not in STRING_OPS:
            raise ValueError(
                f"invalid operator {item.op!r} in the label filter on {item.name!r}: "
                "expected one of = != =~ !~"
            )
        op: ast.MatchOp = item.op
        return ast.StringLabelFilter(item.name, op, _regex_value(op, item.value, item.literal))

    number_op = _number_op(item)

    if item.kind == "number":
        return ast.NumberLabelFilter(item.name, number_op, _parse_number(item))

    if item.kind == "duration":
        return ast.DurationLabelFilter(item.name, number_op, parse_duration(item.value.strip()))

    return ast.BytesLabelFilter(item.name, number_op, parse_bytes(item.value.strip()))


def _number_op(item: LabelFilterSpec) -> ast.NumberOp:
    op = "==" if item.op == "=" else item.op
    if op not in NUMBER_OPS:
        raise ValueError(
            f"invalid operator {item.op!r} in the {item.kind} label filter on {item.name!r}: "
            "expected one of == != > >= < <="
        )

    return op


def _parse_number(item: LabelFilterSpec) -> float:
    message = f"invalid number {item.value!r} in the label filter on {item.name!r}"
    try:
        number = float(item.value.strip())
    except ValueError:
        raise ValueError(message) from None

    # Python reads "inf" and "nan", which LogQL has no literal for.
    if not math.isfinite(number):
        raise ValueError(message)

    return number


def _metric_to_ast(metric: MetricSpec, query: ast.LogQuery) -> ast.MetricExpr:
    log_range = ast.LogRange(query=query, range_ns=metric.range_ns)
    aggregation = ast.RangeAggregation(op=metric.function, range=log_range)

    if not metric.aggregate:
        return aggregation

    grouping = ast.Grouping(labels=tuple(metric.sum_by)) if metric.sum_by else None
    return ast.VectorAggregation(op="sum", expr=aggregation, grouping=grouping)


# Syntax tree to model


def _model_from_ast(expr: ast.Expr) -> QueryModel:
    if isinstance(expr, ast.LogQuery):
        return _log_query_to_model(expr)

    metric, query = _metric_from_ast(expr)
    model = _log_query_to_model(query)
    model.metric = metric
    return model


def _metric_from_ast(expr: ast.Expr) -> tuple[MetricSpec, ast.LogQuery]:
    """Unwrap `sum [by (...)] (count_over_time|rate(query [range]))` or the bare aggregation."""
    aggregate = False
    sum_by: list[str] = []

    if isinstance(expr, ast.VectorAggregation):
        if expr.op != "sum":
            raise DoesNotFitBuilder(f"the {expr.op} aggregation")
        if expr.parameter is not None:
            raise DoesNotFitBuilder("a parameter of sum")
        if expr.grouping is not None and expr.grouping.without:
            raise DoesNotFitBuilder("sum without (...)")

        aggregate = True
        sum_by = list(expr.grouping.labels) if expr.grouping is not None else []
        expr = expr.expr

    if not isinstance(expr, ast.RangeAggregation):
        raise DoesNotFitBuilder(_metric_part_name(expr))

    if expr.op not in ("count_over_time", "rate"):
        raise DoesNotFitBuilder(f"the {expr.op} range aggregation")
    if expr.grouping is not None:
        raise DoesNotFitBuilder(f"a grouping inside {expr.op}")

    log_range = expr.range
    if log_range.unwrap is not None:
        raise DoesNotFitBuilder("the unwrap stage")
    if log_range.offset_ns:
        raise DoesNotFitBuilder("an offset")

    function: MetricFunction = "rate" if expr.op == "rate" else "count_over_time"
    metric = MetricSpec(
        function=function, range_ns=log_range.range_ns, sum_by=sum_by, aggregate=aggregate
    )
    return metric, log_range.query


def _metric_part_name(expr: ast.Expr) -> str:
    if isinstance(expr, ast.BinaryOperation):
        return f"the binary operation {expr.op!r}"

    if isinstance(expr, ast.VectorAggregation):
        return f"a nested {expr.op} aggregation"

    if isinstance(expr, ast.LabelReplace):
        return "label_replace"

    if isinstance(expr, ast.VectorExpr):
        return "vector()"

    if isinstance(expr, ast.LiteralExpr):
        return "a number without a log query"

    return type(expr).__name__


def _log_query_to_model(query: ast.LogQuery) -> QueryModel:
    model = QueryModel()

    for matcher in query.selector:
        levels = _level_names(matcher.name, matcher.op, matcher.value)
        if levels is not None and not model.level.levels:
            model.level = LevelSpec(levels=levels, stream_matcher=True)
            continue

        model.matchers.append(MatcherSpec(name=matcher.name, op=matcher.op, value=matcher.value))

    for stage in query.pipeline:
        _add_stage(model, stage)

    return model


def _add_stage(model: QueryModel, stage: ast.Stage) -> None:
    if isinstance(stage, ast.LineFilter):
        # Parsers and label filters leave the line as it is, so a line filter after them
        # selects the same entries when it moves in front of them.
        model.line_filters.append(_line_filter_from_ast(stage))
        return

    if isinstance(stage, ast.LabelFilter):
        for expr in _flatten_and(stage.expr):
            _add_label_filter(model, expr)
        return

    parser = _parser_from_ast(stage)
    if model.parser is not None:
        raise DoesNotFitBuilder("a second parser stage")

    if model.label_filters or (model.level.levels and not model.level.stream_matcher):
        # A label filter before the parser tests only stream labels, so moving it after
        # the parser could change which entries it keeps.
        raise DoesNotFitBuilder("a label filter before the parser stage")

    model.parser = parser


def _line_filter_from_ast(stage: ast.LineFilter) -> LineFilterSpec:
    if stage.ip:
        raise DoesNotFitBuilder("an ip() line filter")

    if len(stage.values) != 1:
        raise DoesNotFitBuilder("a line filter with 'or'")

    return LineFilterSpec(op=stage.op, value=stage.values[0])


def _parser_from_ast(stage: ast.Stage) -> ParserSpec:
    if isinstance(stage, ast.JsonParser):
        if stage.params:
            raise DoesNotFitBuilder("json parameters")
        return ParserSpec(kind="json")

    if isinstance(stage, ast.LogfmtParser):
        if stage.params:
            raise DoesNotFitBuilder("logfmt parameters")
        if stage.strict or stage.keep_empty:
            raise DoesNotFitBuilder("logfmt flags")
        return ParserSpec(kind="logfmt")

    if isinstance(stage, ast.RegexpParser):
        return ParserSpec(kind="regexp", pattern=stage.pattern)

    if isinstance(stage, ast.PatternParser):
        return ParserSpec(kind="pattern", pattern=stage.pattern)

    raise DoesNotFitBuilder(_stage_part_name(stage))


def _stage_part_name(stage: ast.Stage) -> str:
    names: dict[type, str] = {
        ast.UnpackParser: "the unpack parser",
        ast.LineFormat: "the line_format stage",
        ast.LabelFormat: "the label_format stage",
        ast.DropLabels: "the drop stage",
        ast.KeepLabels: "the keep stage",
        ast.Decolorize: "the decolorize stage",
    }
    return names.get(type(stage), f"the {type(stage).__name__} stage")


def _flatten_and(expr: ast.LabelFilterExpr) -> list[ast.LabelFilterExpr]:
    """Split `a and b` into [a, b]: both must pass, as with two label filter stages."""
    if isinstance(expr, ast.AndLabelFilter):
        return _flatten_and(expr.left) + _flatten_and(expr.right)

    return [expr]


def _add_label_filter(model: QueryModel, expr: ast.LabelFilterExpr) -> None:
    if isinstance(expr, ast.StringLabelFilter):
        levels = _level_names(expr.name, expr.op, expr.value)
        if levels is not None and not model.level.levels and not model.label_filters:
            model.level = LevelSpec(levels=levels, stream_matcher=False)
            return

        model.label_filters.append(LabelFilterSpec(name=expr.name, op=expr.op, value=expr.value))
        return

    if isinstance(expr, ast.NumberLabelFilter):
        value = _format_number(expr.value)
        model.label_filters.append(LabelFilterSpec(expr.name, expr.op, value, kind="number"))
        return

    if isinstance(expr, ast.DurationLabelFilter):
        value = format_duration(expr.value_ns)
        model.label_filters.append(LabelFilterSpec(expr.name, expr.op, value, kind="duration"))
        return

    if isinstance(expr, ast.BytesLabelFilter):
        value = format_bytes(expr.value_bytes)
        model.label_filters.append(LabelFilterSpec(expr.name, expr.op, value, kind="bytes"))
        return

    if isinstance(expr, ast.OrLabelFilter):
        raise DoesNotFitBuilder("a label filter with 'or'")

    raise DoesNotFitBuilder("an ip() label filter")


def _format_number(value: float) -> str:
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))

    return repr(value)


def _level_names(name: str, op: str, value: str) -> list[str] | None:
    """Return the level names of `level="x"` or `level=~"x|y"` (escaped literals only)."""
    if name != LEVEL_LABEL:
        return None

    if op == "=":
        return [value] if value else None

    if op != "=~":
        return None

    parts = _literal_alternatives(value)
    if parts is None or len(parts) < 2 or "" in parts:
        return None

    # Only a value the builder itself would print counts, so printing it again gives
    # back the same text.
    if "|".join(escape_regex(part) for part in parts) != value:
        return None

    return parts


def _literal_alternatives(regex: str) -> list[str] | None:
    """Split `a|b\\.c` into ["a", "b.c"], or return None when any part is not plain text."""
    parts: list[str] = []
    current: list[str] = []
    index = 0

    while index < len(regex):
        character = regex[index]

        if character == "\\":
            if index + 1 >= len(regex):
                return None
            escaped = regex[index + 1]
            if escaped.isalnum() or not escaped.isascii():
                return None
            current.append(escaped)
            index += 2
            continue

        if character == "|":
            parts.append("".join(current))
            current = []
        elif character in _REGEX_SYNTAX:
            return None
        else:
            current.append(character)

        index += 1

    parts.append("".join(current))
    return parts


# Validation


def _validate(model: QueryModel) -> list[str]:
    problems: list[str] = []

    problems.extend(_selector_problems(model))

    if any(not name for name in model.level.levels):
        problems.append("a level name is empty")

    for line_filter in model.line_filters:
        if line_filter.op in ("|~", "!~"):
            problem = _regex_problem(line_filter.value)
            if problem:
                problems.append(f"line filter {line_filter.op}: {problem}")

    if model.parser is not None:
        problems.extend(_parser_problems(model.parser))

    for item in model.label_filters:
        problems.extend(_label_filter_problems(item))

    if model.metric is not None:
        problems.extend(_metric_problems(model.metric))

    return problems


def _selector_problems(model: QueryModel) -> list[str]:
    problems: list[str] = []
    matchers: list[tuple[str, str, str]] = []
    all_checked = True

    for matcher in model.matchers:
        if not _LABEL_NAME.fullmatch(matcher.name):
            problems.append(f"invalid label name {matcher.name!r} in the stream selector")

        if matcher.op not in STRING_OPS:
            problems.append(
                f"invalid operator {matcher.op!r} for label {matcher.name!r}: "
                "expected one of = != =~ !~"
            )
            all_checked = False
            continue

        value = matcher.value
        if matcher.op in ("=~", "!~") and not matcher.literal:
            problem = _regex_problem(value)
            if problem:
                problems.append(f"matcher on {matcher.name!r}: {problem}")
                all_checked = False
                continue
        elif matcher.op in ("=~", "!~"):
            value = escape_regex(value)

        matchers.append((matcher.name, matcher.op, value))

    if model.level.levels and model.level.stream_matcher:
        if any(matcher.name == LEVEL_LABEL for matcher in model.matchers):
            problems.append("the level label is set twice, as a matcher and as the level filter")
        matchers.append(
            (LEVEL_LABEL, "=~", "|".join(escape_regex(name) for name in model.level.levels))
        )

    if not model.matchers and not (model.level.levels and model.level.stream_matcher):
        problems.append('the stream selector needs at least one label matcher, e.g. {job="x"}')
    elif all_checked and not any(_matches_non_empty_only(op, v) for _, op, v in matchers):
        problems.append(
            "the stream selector needs a = or =~ matcher that does not match an empty value "
            '(app=~".*" matches every stream, app=~".+" does not)'
        )

    return problems


def _matches_non_empty_only(op: str, value: str) -> bool:
    """Return whether a matcher rejects the empty value, as Loki requires of one matcher."""
    if op == "=":
        return value != ""

    if op == "=~":
        return compile_re2(value, anchored=True).match("") is None

    return False


def _regex_problem(pattern: str) -> str | None:
    """Return why `pattern` is not valid RE2, or None."""
    try:
        compile_re2(pattern)
    except InvalidRegexError as error:
        return str(error)

    return None


def _parser_problems(parser: ParserSpec) -> list[str]:
    if parser.kind == "regexp":
        problem = _regex_problem(parser.pattern)
        if problem:
            return [f"regexp parser: {problem}"]

        if not compile_re2(parser.pattern).groupindex:
            return [
                "regexp parser: the regex needs at least one named group, e.g. (?P<status>\\d+)"
            ]

    names = _PATTERN_CAPTURE.findall(parser.pattern)
    if parser.kind == "pattern" and all(name == "_" for name in names):
        return ["pattern parser: the pattern needs at least one named capture, e.g. <status>"]

    return []


def _label_filter_problems(item: LabelFilterSpec) -> list[str]:
    problems: list[str] = []

    if not _LABEL_NAME.fullmatch(item.name):
        problems.append(f"invalid label name {item.name!r} in a label filter")

    try:
        _label_filter_to_ast(item)
    except ValueError as error:
        problems.append(str(error))
        return problems

    if item.kind == "string" and item.op in ("=~", "!~") and not item.literal:
        problem = _regex_problem(item.value)
        if problem:
            problems.append(f"label filter on {item.name!r}: {problem}")

    return problems


def _metric_problems(metric: MetricSpec) -> list[str]:
    problems: list[str] = []

    if metric.range_ns <= 0:
        problems.append(f"the {metric.function} range must be positive")

    for name in metric.sum_by:
        if not _LABEL_NAME.fullmatch(name):
            problems.append(f"invalid label name {name!r} in sum by (...)")

    return problems
