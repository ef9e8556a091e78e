"""LogQL syntax tree: frozen, hashable dataclasses for log and metric queries.

Every node prints as canonical LogQL with `str(node)`, and parsing that text
gives back an equal node. Durations are `int` nanoseconds and byte sizes are
`int` bytes, so equality never depends on float rounding.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, TypeAlias

MatchOp: TypeAlias = Literal["=", "!=", "=~", "!~"]
LineFilterOp: TypeAlias = Literal["|=", "!=", "|~", "!~", "|>", "!>"]
NumberOp: TypeAlias = Literal["==", "!=", ">", ">=", "<", "<="]
UnwrapConversion: TypeAlias = Literal["bytes", "duration", "duration_seconds"]
GroupSide: TypeAlias = Literal["left", "right"]

RANGE_OPS: frozenset[str] = frozenset(
    {
        "count_over_time",
        "rate",
        "bytes_over_time",
        "bytes_rate",
        "absent_over_time",
        "sum_over_time",
        "avg_over_time",
        "min_over_time",
        "max_over_time",
        "stddev_over_time",
        "stdvar_over_time",
        "quantile_over_time",
        "first_over_time",
        "last_over_time",
        "rate_counter",
    }
)
"""Names of the range aggregations (functions over a log range)."""

UNWRAP_RANGE_OPS: frozenset[str] = frozenset(
    {
        "sum_over_time",
        "avg_over_time",
        "min_over_time",
        "max_over_time",
        "stddev_over_time",
        "stdvar_over_time",
        "quantile_over_time",
        "first_over_time",
        "last_over_time",
        "rate_counter",
    }
)
"""Range aggregations that need an `unwrap` stage (`rate` allows one too)."""

VECTOR_OPS: frozenset[str] = frozenset(
    {
        "sum",
        "avg",
        "min",
        "max",
        "stddev",
        "stdvar",
        "count",
        "topk",
        "bottomk",
        "sort",
        "sort_desc",
        "approx_topk",
    }
)
"""Names of the vector aggregations (`approx_topk` is experimental in Loki 3.x)."""

BINARY_OPS: frozenset[str] = frozenset(
    {"or", "and", "unless", "==", "!=", ">", ">=", "<", "<=", "+", "-", "*", "/", "%", "^"}
)
"""Binary operators between metric expressions and numbers."""


class Node:
    """Base of every syntax tree node; `str()` prints canonical LogQL."""

    __slots__ = ()

    def __str__(self) -> str:
        from tflog_tui.logql.printer import to_logql

        return to_logql(self)


# --- stream selector -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Matcher(Node):
    """One label matcher of a stream selector or a drop/keep stage: `name op "value"`."""

    name: str
    op: MatchOp
    value: str


# --- line filters ----------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineFilter(Node):
    """A line filter `|= "a" or "b"`; with `ip=True` each value is an `ip("...")` pattern."""

    op: LineFilterOp
    values: tuple[str, ...]
    ip: bool = False


# --- parser stages ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LabelExtraction(Node):
    """A parser parameter `name="expression"`; a bare `name` has expression equal to name."""

    name: str
    expression: str


@dataclass(frozen=True, slots=True)
class JsonParser(Node):
    """The `| json` stage, optionally with `name="path"` parameters."""

    params: tuple[LabelExtraction, ...] = ()


@dataclass(frozen=True, slots=True)
class LogfmtParser(Node):
    """The `| logfmt` stage with its `--strict` and `--keep-empty` flags and parameters."""

    strict: bool = False
    keep_empty: bool = False
    params: tuple[LabelExtraction, ...] = ()


@dataclass(frozen=True, slots=True)
class RegexpParser(Node):
    """The `| regexp "..."` stage; named capture groups become labels."""

    pattern: str


@dataclass(frozen=True, slots=True)
class PatternParser(Node):
    """The `| pattern "..."` stage; `<name>` captures become labels."""

    pattern: str


@dataclass(frozen=True, slots=True)
class UnpackParser(Node):
    """The `| unpack` stage, which reverses Promtail's `pack` stage."""


# --- label filters ---------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StringLabelFilter(Node):
    """A label filter comparing a label with a string (`==` is stored as `=`)."""

    name: str
    op: MatchOp
    value: str


@dataclass(frozen=True, slots=True)
class NumberLabelFilter(Node):
    """A label filter comparing a label with a number (`=` is stored as `==`)."""

    name: str
    op: NumberOp
    value: float


@dataclass(frozen=True, slots=True)
class DurationLabelFilter(Node):
    """A label filter comparing a label parsed as a duration; value in nanoseconds."""

    name: str
    op: NumberOp
    value_ns: int


@dataclass(frozen=True, slots=True)
class BytesLabelFilter(Node):
    """A label filter comparing a label parsed as a byte size; value in bytes."""

    name: str
    op: NumberOp
    value_bytes: int


@dataclass(frozen=True, slots=True)
class IpLabelFilter(Node):
    """A label filter `name = ip("...")` matching an address, a range or a CIDR block."""

    name: str
    op: Literal["=", "!="]
    pattern: str


@dataclass(frozen=True, slots=True)
class AndLabelFilter(Node):
    """Two label filters that both must pass (`and`, a comma or a space)."""

    left: LabelFilterExpr
    right: LabelFilterExpr


@dataclass(frozen=True, slots=True)
class OrLabelFilter(Node):
    """Two label filters of which at least one must pass."""

    left: LabelFilterExpr
    right: LabelFilterExpr


LabelFilterExpr: TypeAlias = (
    StringLabelFilter
    | NumberLabelFilter
    | DurationLabelFilter
    | BytesLabelFilter
    | IpLabelFilter
    | AndLabelFilter
    | OrLabelFilter
)


@dataclass(frozen=True, slots=True)
class LabelFilter(Node):
    """A label filter stage `| expr`."""

    expr: LabelFilterExpr


# --- formatting stages -----------------------------------------------------


@dataclass(frozen=True, slots=True)
class LineFormat(Node):
    """The `| line_format "template"` stage (a Go text/template)."""

    template: str


@dataclass(frozen=True, slots=True)
class LabelRename(Node):
    """A `label_format` operation `dst=src` that renames label src to dst."""

    dst: str
    src: str


@dataclass(frozen=True, slots=True)
class LabelTemplate(Node):
    """A `label_format` operation `dst="template"` that sets dst from a Go template."""

    dst: str
    template: str


@dataclass(frozen=True, slots=True)
class LabelFormat(Node):
    """The `| label_format` stage with one or more operations."""

    operations: tuple[LabelRename | LabelTemplate, ...]


@dataclass(frozen=True, slots=True)
class DropLabels(Node):
    """The `| drop` stage: label names, or matchers that drop a label only on a match."""

    labels: tuple[str | Matcher, ...]


@dataclass(frozen=True, slots=True)
class KeepLabels(Node):
    """The `| keep` stage: label names, or matchers that keep a label only on a match."""

    labels: tuple[str | Matcher, ...]


@dataclass(frozen=True, slots=True)
class Decolorize(Node):
    """The `| decolorize` stage, which strips ANSI colour sequences from the line."""


Stage: TypeAlias = (
    LineFilter
    | JsonParser
    | LogfmtParser
    | RegexpParser
    | PatternParser
    | UnpackParser
    | LabelFilter
    | LineFormat
    | LabelFormat
    | DropLabels
    | KeepLabels
    | Decolorize
)


# --- log query -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LogQuery(Node):
    """A log query: a stream selector and its pipeline of stages."""

    selector: tuple[Matcher, ...]
    pipeline: tuple[Stage, ...] = ()


# --- metric queries --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Unwrap(Node):
    """The `| unwrap` stage of a log range, with its conversion and label filters after it."""

    label: str
    conversion: UnwrapConversion | None = None
    post_filters: tuple[LabelFilter, ...] = ()


@dataclass(frozen=True, slots=True)
class LogRange(Node):
    """A log query over a time window `[range] offset ...`; durations in nanoseconds."""

    query: LogQuery
    range_ns: int
    offset_ns: int = 0
    unwrap: Unwrap | None = None


@dataclass(frozen=True, slots=True)
class Grouping(Node):
    """A `by (...)` or `without (...)` clause."""

    labels: tuple[str, ...]
    without: bool = False


@dataclass(frozen=True, slots=True)
class RangeAggregation(Node):
    """A range aggregation such as `rate(...)`; parameter only for quantile_over_time."""

    op: str
    range: LogRange
    parameter: float | None = None
    grouping: Grouping | None = None


@dataclass(frozen=True, slots=True)
class VectorAggregation(Node):
    """A vector aggregation such as `sum by (x) (...)`; parameter only for topk/bottomk."""

    op: str
    expr: MetricExpr
    grouping: Grouping | None = None
    parameter: int | None = None


@dataclass(frozen=True, slots=True)
class VectorMatching(Node):
    """The `on(...)`/`ignoring(...)` and `group_left`/`group_right` modifiers of a binary op."""

    on: bool
    labels: tuple[str, ...]
    group_side: GroupSide | None = None
    include: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class BinaryOperation(Node):
    """A binary operation; `return_bool` is the `bool` modifier of comparisons."""

    op: str
    left: MetricExpr
    right: MetricExpr
    return_bool: bool = False
    matching: VectorMatching | None = None


@dataclass(frozen=True, slots=True)
class LiteralExpr(Node):
    """A number literal (a scalar)."""

    value: float


@dataclass(frozen=True, slots=True)
class VectorExpr(Node):
    """The `vector(value)` function: one sample without labels at every step."""

    value: float


@dataclass(frozen=True, slots=True)
class LabelReplace(Node):
    """`label_replace(expr, "dst", "replacement", "src", "regex")`."""

    expr: MetricExpr
    dst: str
    replacement: str
    src: str
    regex: str


MetricExpr: TypeAlias = (
    RangeAggregation | VectorAggregation | BinaryOperation | LiteralExpr | VectorExpr | LabelReplace
)

Expr: TypeAlias = LogQuery | MetricExpr
