"""Canonical LogQL text for syntax tree nodes.

The output parses back to an equal tree, and printing that tree again gives
the same text. Parentheses are added only where precedence needs them.
"""

from __future__ import annotations

from tflog_tui.logql.ast import (
    AndLabelFilter,
    BinaryOperation,
    BytesLabelFilter,
    Decolorize,
    DropLabels,
    DurationLabelFilter,
    Grouping,
    IpLabelFilter,
    JsonParser,
    KeepLabels,
    LabelExtraction,
    LabelFilter,
    LabelFilterExpr,
    LabelFormat,
    LabelRename,
    LabelReplace,
    LabelTemplate,
    LineFilter,
    LineFormat,
    LiteralExpr,
    LogfmtParser,
    LogQuery,
    LogRange,
    Matcher,
    MetricExpr,
    Node,
    NumberLabelFilter,
    OrLabelFilter,
    PatternParser,
    RangeAggregation,
    RegexpParser,
    Stage,
    StringLabelFilter,
    UnpackParser,
    Unwrap,
    VectorAggregation,
    VectorExpr,
    VectorMatching,
)
from tflog_tui.logql.escape import quote
from tflog_tui.logql.units import format_bytes, format_duration

BINARY_PRECEDENCE: dict[str, int] = {
    "or": 1,
    "and": 2,
    "unless": 2,
    "==": 3,
    "!=": 3,
    ">": 3,
    ">=": 3,
    "<": 3,
    "<=": 3,
    "+": 4,
    "-": 4,
    "*": 5,
    "/": 5,
    "%": 5,
    "^": 6,
}
"""Binary operator precedence, higher binds tighter; `^` is right-associative."""

COMPARISON_OPS: frozenset[str] = frozenset({"==", "!=", ">", ">=", "<", "<="})


def to_logql(node: Node) -> str:
    """Print any syntax tree node as canonical LogQL."""
    if isinstance(node, LogQuery):
        return format_log_query(node)
    if isinstance(
        node,
        RangeAggregation
        | VectorAggregation
        | BinaryOperation
        | LiteralExpr
        | VectorExpr
        | LabelReplace,
    ):
        return format_metric(node)
    if isinstance(node, Matcher):
        return format_matcher(node)
    if isinstance(node, LogRange):
        return format_log_range(node)
    if isinstance(node, Unwrap):
        return format_unwrap(node)
    if isinstance(node, Grouping):
        return format_grouping(node)
    if isinstance(node, VectorMatching):
        return format_vector_matching(node)
    if isinstance(node, LabelExtraction):
        return format_extraction(node)
    if isinstance(node, LabelRename | LabelTemplate):
        return format_label_format_operation(node)
    if isinstance(
        node,
        StringLabelFilter
        | NumberLabelFilter
        | DurationLabelFilter
        | BytesLabelFilter
        | IpLabelFilter
        | AndLabelFilter
        | OrLabelFilter,
    ):
        return format_label_filter_expr(node)
    return format_stage(node)  # type: ignore[arg-type]


# --- log queries -----------------------------------------------------------


def format_matcher(matcher: Matcher) -> str:
    """Print one matcher, e.g. `app=~"api|web"`."""
    return f"{matcher.name}{matcher.op}{quote(matcher.value)}"


def format_selector(selector: tuple[Matcher, ...]) -> str:
    """Print a stream selector, e.g. `{app="api", env!="dev"}`."""
    return "{" + ", ".join(format_matcher(matcher) for matcher in selector) + "}"


def format_log_query(query: LogQuery) -> str:
    """Print a log query: the selector followed by its stages."""
    parts = [format_selector(query.selector)]
    parts.extend(format_stage(stage) for stage in query.pipeline)
    return " ".join(parts)


def format_number(value: float) -> str:
    """Print a number without a needless `.0`, e.g. 200.0 -> `200`, 0.5 -> `0.5`."""
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def format_extraction(extraction: LabelExtraction, allow_bare: bool = True) -> str:
    """Print a parser parameter as `name` or `name="expression"`."""
    if allow_bare and extraction.name == extraction.expression:
        return extraction.name
    return f"{extraction.name}={quote(extraction.expression)}"


def format_label_format_operation(operation: LabelRename | LabelTemplate) -> str:
    """Print one label_format operation: `dst=src` or `dst="template"`."""
    if isinstance(operation, LabelRename):
        return f"{operation.dst}={operation.src}"
    return f"{operation.dst}={quote(operation.template)}"


def _format_label_list(labels: tuple[str | Matcher, ...]) -> str:
    return ", ".join(label if isinstance(label, str) else format_matcher(label) for label in labels)


def format_stage(stage: Stage) -> str:
    """Print one pipeline stage with its leading operator, e.g. `| json`."""
    if isinstance(stage, LineFilter):
        if stage.ip:
            values = [f"ip({quote(value)})" for value in stage.values]
        else:
            values = [quote(value) for value in stage.values]
        return f"{stage.op} " + " or ".join(values)

    if isinstance(stage, LabelFilter):
        return "| " + format_label_filter_expr(stage.expr)

    if isinstance(stage, JsonParser):
        if not stage.params:
            return "| json"
        # Loki documents bare names for logfmt parameters only, so json
        # parameters are always written out in full.
        params = (format_extraction(param, allow_bare=False) for param in stage.params)
        return "| json " + ", ".join(params)

    if isinstance(stage, LogfmtParser):
        words = ["| logfmt"]
        if stage.strict:
            words.append("--strict")
        if stage.keep_empty:
            words.append("--keep-empty")
        if stage.params:
            words.append(", ".join(format_extraction(param) for param in stage.params))
        return " ".join(words)

    if isinstance(stage, RegexpParser):
        return f"| regexp {quote(stage.pattern)}"

    if isinstance(stage, PatternParser):
        return f"| pattern {quote(stage.pattern)}"

    if isinstance(stage, UnpackParser):
        return "| unpack"

    if isinstance(stage, LineFormat):
        return f"| line_format {quote(stage.template)}"

    if isinstance(stage, LabelFormat):
        operations = ", ".join(
            format_label_format_operation(operation) for operation in stage.operations
        )
        return f"| label_format {operations}"

    if isinstance(stage, DropLabels):
        # NOTE: a drop or keep stage ending in a bare name, followed by a != or !~
        # line filter, prints as `| drop a != "x"`, which LogQL (Loki too) reads
        # back as a drop matcher. No spelling of the line filter avoids that.
        return "| drop " + _format_label_list(stage.labels)

    if isinstance(stage, KeepLabels):
        return "| keep " + _format_label_list(stage.labels)

    if isinstance(stage, Decolorize):
        return "| decolorize"

    raise TypeError(f"not a LogQL pipeline stage: {stage!r}")


def format_label_filter_expr(expr: LabelFilterExpr) -> str:
    """Print a label filter expression, with parentheses wherever operators mix."""
    if isinstance(expr, StringLabelFilter):
        return f"{expr.name}{expr.op}{quote(expr.value)}"
    if isinstance(expr, NumberLabelFilter):
        return f"{expr.name} {expr.op} {format_number(expr.value)}"
    if isinstance(expr, DurationLabelFilter):
        return f"{expr.name} {expr.op} {format_duration(expr.value_ns)}"
    if isinstance(expr, BytesLabelFilter):
        return f"{expr.name} {expr.op} {format_bytes(expr.value_bytes)}"
    if isinstance(expr, IpLabelFilter):
        return f"{expr.name}{expr.op}ip({quote(expr.pattern)})"

    # Loki evaluates `and` before `or`, but its docs long said left to right,
    # so every mix is bracketed: the text then means one thing to Loki, to
    # this parser and to a reader who learned either rule.
    word = "and" if isinstance(expr, AndLabelFilter) else "or"
    other = OrLabelFilter if isinstance(expr, AndLabelFilter) else AndLabelFilter
    left = format_label_filter_expr(expr.left)
    right = format_label_filter_expr(expr.right)
    if isinstance(expr.left, other):
        left = f"({left})"
    if isinstance(expr.right, AndLabelFilter | OrLabelFilter):
        right = f"({right})"
    return f"{left} {word} {right}"


# --- metric queries --------------------------------------------------------


def format_unwrap(unwrap: Unwrap) -> str:
    """Print an unwrap stage and the label filters after it."""
    if unwrap.conversion is None:
        text = f"| unwrap {unwrap.label}"
    else:
        text = f"| unwrap {unwrap.conversion}({unwrap.label})"
    for post_filter in unwrap.post_filters:
        text += " " + format_stage(post_filter)
    return text


def format_log_range(log_range: LogRange) -> str:
    """Print a log range: `{...} | stages | unwrap x [5m] offset 1h`."""
    text = format_log_query(log_range.query)
    if log_range.unwrap is not None:
        text += " " + format_unwrap(log_range.unwrap)
    text += f" [{format_duration(log_range.range_ns)}]"
    if log_range.offset_ns:
        text += f" offset {format_duration(log_range.offset_ns)}"
    return text


def format_grouping(grouping: Grouping) -> str:
    """Print `by (a, b)` or `without (a)`."""
    keyword = "without" if grouping.without else "by"
    return f"{keyword} (" + ", ".join(grouping.labels) + ")"


def format_vector_matching(matching: VectorMatching) -> str:
    """Print `on (a)` / `ignoring (a)` with an optional `group_left (b)`."""
    keyword = "on" if matching.on else "ignoring"
    text = f"{keyword} (" + ", ".join(matching.labels) + ")"
    if matching.group_side is not None:
        text += f" group_{matching.group_side}"
        if matching.include:
            text += " (" + ", ".join(matching.include) + ")"
    return text


def _format_operand(expr: MetricExpr, parent_op: str, is_right: bool) -> str:
    text = format_metric(expr)
    if not isinstance(expr, BinaryOperation):
        return text

    parent = BINARY_PRECEDENCE[parent_op]
    child = BINARY_PRECEDENCE[expr.op]
    if child < parent:
        return f"({text})"
    if child == parent:
        right_associative = parent_op == "^"
        if is_right != right_associative:
            return f"({text})"
    return text


def format_metric(expr: MetricExpr) -> str:
    """Print a metric expression."""
    if isinstance(expr, LiteralExpr):
        return format_number(expr.value)

    if isinstance(expr, VectorExpr):
        return f"vector({format_number(expr.value)})"

    if isinstance(expr, RangeAggregation):
        inner = format_log_range(expr.range)
        if expr.parameter is not None:
            inner = f"{format_number(expr.parameter)}, {inner}"
        text = f"{expr.op}({inner})"
        if expr.grouping is not None:
            text += " " + format_grouping(expr.grouping)
        return text

    if isinstance(expr, VectorAggregation):
        inner = format_metric(expr.expr)
        if expr.parameter is not None:
            inner = f"{expr.parameter}, {inner}"
        if expr.grouping is not None:
            return f"{expr.op} {format_grouping(expr.grouping)} ({inner})"
        return f"{expr.op}({inner})"

    if isinstance(expr, LabelReplace):
        arguments = ", ".join(
            quote(value) for value in (expr.dst, expr.replacement, expr.src, expr.regex)
        )
        return f"label_replace({format_metric(expr.expr)}, {arguments})"

    left = _format_operand(expr.left, expr.op, is_right=False)
    right = _format_operand(expr.right, expr.op, is_right=True)
    words = [left, expr.op]
    if expr.return_bool:
        words.append("bool")
    if expr.matching is not None:
        words.append(format_vector_matching(expr.matching))
        grouping_without_labels = expr.matching.group_side is not None and not expr.matching.include
        if grouping_without_labels and right.startswith("("):
            # Without `()`, `group_left (` would read the operand as a label list.
            words.append("()")
    words.append(right)
    return " ".join(words)
