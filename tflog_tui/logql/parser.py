"""LogQL parser: recursive descent for log queries, precedence climbing for metrics.

The grammar follows Loki 3.x's documentation. Errors carry the 1-based line
and column of the token that could not be parsed.
"""

from __future__ import annotations

import ipaddress
import re
from typing import Final, NoReturn

from tflog_tui.logql.ast import (
    BINARY_OPS,
    RANGE_OPS,
    UNWRAP_RANGE_OPS,
    VECTOR_OPS,
    AndLabelFilter,
    BinaryOperation,
    BytesLabelFilter,
    Decolorize,
    DropLabels,
    DurationLabelFilter,
    Expr,
    Grouping,
    GroupSide,
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
    LineFilterOp,
    LineFormat,
    LiteralExpr,
    LogfmtParser,
    LogQuery,
    LogRange,
    Matcher,
    MatchOp,
    MetricExpr,
    NumberLabelFilter,
    NumberOp,
    OrLabelFilter,
    PatternParser,
    RangeAggregation,
    RegexpParser,
    Stage,
    StringLabelFilter,
    UnpackParser,
    Unwrap,
    UnwrapConversion,
    VectorAggregation,
    VectorExpr,
    VectorMatching,
)
from tflog_tui.logql.errors import LogQLSyntaxError
from tflog_tui.logql.lexer import BYTES, DURATION, EOF, FLAG, IDENT, NUMBER, STRING, Token, tokenize
from tflog_tui.logql.printer import BINARY_PRECEDENCE, COMPARISON_OPS
from tflog_tui.logql.re2 import compile_re2

EMPTY_SELECTOR_MESSAGE: Final = (
    "queries require at least one regexp or equality matcher that does not have an "
    'empty-compatible value. For instance, app=~".*" does not meet this requirement, '
    'but app=~".+" will'
)

_LINE_FILTER_OPS: Final = frozenset({"|=", "!=", "|~", "!~", "|>", "!>"})
_MATCH_OPS: Final = frozenset({"=", "!=", "=~", "!~"})
_FILTER_OPS: Final = frozenset({"=", "==", "!=", "=~", "!~", ">", ">=", "<", "<="})
_LABEL_FILTER_START_OPS: Final = _FILTER_OPS - {"!=", "!~"}
_BINARY_PUNCTUATION: Final = frozenset(BINARY_OPS - {"or", "and", "unless"})
_SET_OPS: Final = frozenset({"or", "and", "unless"})
_STAGE_KEYWORDS: Final = frozenset(
    {
        "json",
        "logfmt",
        "regexp",
        "pattern",
        "unpack",
        "line_format",
        "label_format",
        "drop",
        "keep",
        "decolorize",
        "unwrap",
    }
)
_UNWRAP_CONVERSIONS: Final = frozenset({"bytes", "duration", "duration_seconds"})
_LOGFMT_FLAGS: Final = {"--strict": "strict", "--keep-empty": "keep_empty"}
_NO_UNWRAP_RANGE_OPS: Final = frozenset({"count_over_time", "bytes_over_time", "bytes_rate"})
_PARAMETER_VECTOR_OPS: Final = frozenset({"topk", "bottomk", "approx_topk"})
MAX_DEPTH: Final = 200
"""Maximum depth of the syntax tree: chained operators, parentheses and calls.

Printing, comparing and evaluating a tree recurse two or three Python frames
per level, so deeper trees would come close to Python's default recursion
limit of 1000 frames.
"""

MAX_NESTING: Final = 100
"""Maximum nesting of parentheses and function calls; parsing each level takes
up to five Python frames."""

# Range aggregations that accept `by (...)` or `without (...)` after them, all
# over an unwrapped range. Loki's metric query documentation (3.x) excludes
# sum_over_time, absent_over_time, rate and rate_counter from grouping.
_GROUPING_RANGE_OPS: Final = frozenset(
    {
        "avg_over_time",
        "stddev_over_time",
        "stdvar_over_time",
        "quantile_over_time",
        "max_over_time",
        "min_over_time",
        "first_over_time",
        "last_over_time",
    }
)
_LABEL_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_PATTERN_CAPTURE = re.compile(r"<(_|[A-Za-z_][A-Za-z0-9_]*)>")
_JSON_FIELD = re.compile(r"[^.\[\]\"\s]+")
_JSON_INDEX = re.compile(r"\[(\d+)\]")
_JSON_KEY = re.compile(r'\["((?:[^"\\]|\\.)*)"\]')


def parse(text: str) -> Expr:
    """Parse a LogQL query: a log query or a metric query.

    Raises LogQLSyntaxError with the line and column of the problem.
    """
    parser = _Parser(text)
    expr = parser.parse_expr(1)
    parser.expect_end()
    return expr


def parse_log_query(text: str) -> LogQuery:
    """Parse a LogQL log query; raises LogQLSyntaxError for a metric query too."""
    parser = _Parser(text)
    start = parser.token
    expr = parser.parse_expr(1)
    parser.expect_end()
    if not isinstance(expr, LogQuery):
        raise parser.error_at(start, "expected a log query, got a metric query")
    return expr


def parse_json_path(expression: str) -> tuple[str | int, ...]:
    """Split a json parser path such as `a.b[0]` or `["a"]["b c"]` into keys and indexes.

    Raises ValueError naming the expression when it is not a valid path.
    """
    parts: list[str | int] = []
    position = 0
    length = len(expression)

    while position < length:
        if expression[position] == "[":
            index = _JSON_INDEX.match(expression, position)
            if index is not None:
                parts.append(int(index.group(1)))
                position = index.end()
                continue
            key = _JSON_KEY.match(expression, position)
            if key is None:
                raise ValueError(
                    f'invalid json path {expression!r}: expected [number] or ["key"] '
                    f"at offset {position}"
                )
            parts.append(re.sub(r"\\(.)", r"\1", key.group(1)))
            position = key.end()
            continue

        if parts:
            if expression[position] != ".":
                raise ValueError(
                    f"invalid json path {expression!r}: expected . or [ at offset {position}"
                )
            position += 1

        field = _JSON_FIELD.match(expression, position)
        if field is None:
            raise ValueError(
                f"invalid json path {expression!r}: expected a field name at offset {position}"
            )
        parts.append(field.group())
        position = field.end()

    if not parts:
        raise ValueError("invalid json path: the expression is empty")
    return tuple(parts)


def check_pattern(pattern: str) -> str | None:
    """Return why a `pattern` parser expression is invalid, or None when it is valid.

    Loki rejects a pattern without a named capture and one with two captures
    next to each other, such as `<a><b>`.
    """
    has_named_capture = False
    previous_end = -1

    for capture in _PATTERN_CAPTURE.finditer(pattern):
        if capture.start() == previous_end:
            return "consecutive captures are not allowed in a pattern; put a literal between them"
        previous_end = capture.end()
        if capture.group(1) != "_":
            has_named_capture = True

    if not has_named_capture:
        return "a pattern needs at least one named capture such as <status>"
    return None


def check_ip_pattern(pattern: str) -> str | None:
    """Return why an `ip("...")` pattern is invalid, or None for an address, range or CIDR."""
    try:
        if "/" in pattern:
            ipaddress.ip_network(pattern, strict=False)
            return None

        if "-" in pattern:
            first, last = pattern.split("-", 1)
            start = ipaddress.ip_address(first)
            end = ipaddress.ip_address(last)
            if start.version != end.version:
                return f"invalid ip range {pattern!r}: both ends must be IPv4 or both IPv6"
            return None

        ipaddress.ip_address(pattern)
    except ValueError:
        return (
            f"invalid ip pattern {pattern!r}: expected an address (10.0.0.1), "
            "a range (10.0.0.1-10.0.0.9) or a CIDR block (10.0.0.0/8)"
        )
    return None


def _describe(token: Token) -> str:
    if token.kind == EOF:
        return "end of query"
    if token.kind == IDENT:
        return f"identifier {token.text}"
    if token.kind == STRING:
        return f"string {token.text}"
    if token.kind in (NUMBER, DURATION, BYTES):
        return f"number {token.text}"
    return token.text


class _LogRangeParts:
    """The pieces of a log range, collected in any of the orders LogQL allows."""

    __slots__ = ("offset_ns", "range_ns", "selector", "stages", "unwrap")

    def __init__(self) -> None:
        self.selector: tuple[Matcher, ...] = ()
        self.stages: list[Stage] = []
        self.range_ns: int | None = None
        self.offset_ns = 0
        self.unwrap: Unwrap | None = None


class _Parser:
    """One parse of one query text."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = tokenize(text)
        self.index = 0
        self.depth = 0
        self.nesting = 0
        self.token = self.tokens[0]
        if self.token.error is not None:
            raise self.token.error

    # --- token helpers -----------------------------------------------------

    def advance(self) -> Token:
        token = self.token
        if token.kind != EOF:
            self.index += 1
            self.token = self.tokens[self.index]
            if self.token.error is not None:
                raise self.token.error
        return token

    def peek(self, distance: int = 1) -> Token:
        index = min(self.index + distance, len(self.tokens) - 1)
        return self.tokens[index]

    def error_at(self, token: Token, reason: str) -> LogQLSyntaxError:
        return LogQLSyntaxError.at_offset(self.text, token.start, reason)

    def unexpected(self, expected: str) -> NoReturn:
        raise self.error_at(
            self.token, f"syntax error: unexpected {_describe(self.token)}, expected {expected}"
        )

    def expect(self, kind: str, expected: str) -> Token:
        if self.token.kind != kind:
            self.unexpected(expected)
        return self.advance()

    def expect_end(self) -> None:
        if self.token.kind != EOF:
            self.unexpected("end of query")

    def is_keyword(self, word: str) -> bool:
        return self.token.kind == IDENT and self.token.text == word

    def expect_string(self, expected: str = 'a quoted string such as "value" or `value`') -> str:
        token = self.expect(STRING, expected)
        return str(token.value)

    def expect_label_name(self) -> str:
        return self.expect(IDENT, "a label name").text

    def check_regex(self, token: Token, pattern: str) -> None:
        try:
            compile_re2(pattern)
        except ValueError as error:
            raise self.error_at(
                token, f"invalid regex {pattern!r}: {_regex_reason(error, pattern)}"
            ) from None

    # --- expressions -------------------------------------------------------

    def descend(self) -> None:
        """Count one more level of the tree; raise when it would get too deep."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.error_at(
                self.token,
                f"query nested too deeply: more than {MAX_DEPTH} levels of operators, "
                "parentheses or label filters",
            )

    def nest(self) -> tuple[int, int]:
        """Count one more level of parser recursion; return the counts to restore after it."""
        saved = (self.depth, self.nesting)
        self.nesting += 1
        if self.nesting > MAX_NESTING:
            raise self.error_at(
                self.token,
                f"query nested too deeply: more than {MAX_NESTING} levels of parentheses "
                "or function calls",
            )
        self.descend()
        return saved

    def parse_expr(self, min_precedence: int) -> Expr:
        saved = self.nest()
        try:
            return self.parse_binary(min_precedence)
        finally:
            self.depth, self.nesting = saved

    def parse_binary(self, min_precedence: int) -> Expr:
        left = self.parse_operand()

        while True:
            token = self.token
            if token.kind in _BINARY_PUNCTUATION:
                op = token.kind
            elif token.kind == IDENT and token.text in _SET_OPS:
                op = token.text
            else:
                return left

            precedence = BINARY_PRECEDENCE[op]
            if precedence < min_precedence:
                return left
            if isinstance(left, LogQuery):
                raise self.error_at(
                    token,
                    f"a log query cannot be an operand of {op}; wrap it in a range aggregation",
                )
            self.advance()

            return_bool = False
            if self.is_keyword("bool"):
                if op not in COMPARISON_OPS:
                    raise self.error_at(
                        self.token, f"bool modifier is only allowed on comparisons, not {op}"
                    )
                self.advance()
                return_bool = True

            matching = self.parse_vector_matching(op)

            right_start = self.token
            next_precedence = precedence if op == "^" else precedence + 1
            right = self.parse_expr(next_precedence)
            if isinstance(right, LogQuery):
                raise self.error_at(
                    right_start,
                    f"a log query cannot be an operand of {op}; wrap it in a range aggregation",
                )
            self.check_scalar_operands(token, op, left, right, return_bool)
            left = BinaryOperation(op, left, right, return_bool, matching)
            self.descend()

    def check_scalar_operands(
        self, op_token: Token, op: str, left: MetricExpr, right: MetricExpr, return_bool: bool
    ) -> None:
        """Apply Loki's rules for operators with number operands (scalars)."""
        if op in _SET_OPS and (is_scalar(left) or is_scalar(right)):
            raise self.error_at(
                op_token,
                f"{op} is only defined between two vectors, not a number; "
                "use vector(...) for a constant series",
            )
        if return_bool and is_scalar(left) and is_scalar(right):
            raise self.error_at(op_token, "the bool modifier must not be used between two numbers")

    def parse_vector_matching(self, op: str) -> VectorMatching | None:
        if not (self.is_keyword("on") or self.is_keyword("ignoring")):
            if self.is_keyword("group_left") or self.is_keyword("group_right"):
                raise self.error_at(
                    self.token, f"{self.token.text} needs on (...) or ignoring (...) before it"
                )
            return None

        on = self.advance().text == "on"
        labels = self.parse_label_list()

        if not (self.is_keyword("group_left") or self.is_keyword("group_right")):
            return VectorMatching(on, labels)

        if op in _SET_OPS:
            raise self.error_at(
                self.token,
                f"{self.token.text} is only allowed on comparisons and arithmetic, not {op}",
            )
        side: GroupSide = "left" if self.advance().text == "group_left" else "right"
        include: tuple[str, ...] = ()
        if self.token.kind == "(":
            include = self.parse_label_list()
        return VectorMatching(on, labels, side, include)

    def parse_label_list(self) -> tuple[str, ...]:
        self.expect("(", "(")
        labels: list[str] = []
        if self.token.kind == ")":
            self.advance()
            return ()

        while True:
            labels.append(self.expect_label_name())
            if self.token.kind == ",":
                self.advance()
                continue
            self.expect(")", ", or )")
            return tuple(labels)

    def parse_signed_number(self, expected: str = "a number") -> float:
        sign = 1.0
        if self.token.kind in ("-", "+") and self.advance().kind == "-":
            sign = -1.0
        token = self.expect(NUMBER, expected)
        return sign * float(token.value)

    def parse_operand(self) -> Expr:
        token = self.token
        kind = token.kind

        if kind == "{":
            return self.parse_log_query()

        if kind == NUMBER or (kind in ("-", "+") and self.peek().kind == NUMBER):
            return LiteralExpr(self.parse_signed_number())

        if kind == "(":
            self.advance()
            expr = self.parse_expr(1)
            self.expect(")", ")")
            if self.token.kind == "[":
                raise self.error_at(
                    self.token,
                    "a range [..] must follow a log query inside a range aggregation "
                    "such as count_over_time",
                )
            return expr

        if kind == IDENT:
            name = token.text
            if name in RANGE_OPS:
                return self.parse_range_aggregation()
            if name in VECTOR_OPS:
                return self.parse_vector_aggregation()
            if name == "vector":
                self.advance()
                self.expect("(", "(")
                value = self.parse_signed_number()
                self.expect(")", ")")
                return VectorExpr(value)
            if name == "label_replace":
                return self.parse_label_replace()
            raise self.error_at(
                token,
                f"syntax error: unexpected identifier {name}, expected a stream selector {{...}}, "
                "a function or a number",
            )

        self.unexpected("a stream selector {...}, a function or a number")

    def parse_metric_argument(self, function: str) -> MetricExpr:
        start = self.token
        expr = self.parse_expr(1)
        if isinstance(expr, LogQuery):
            raise self.error_at(
                start,
                f"{function} needs a metric expression, not a log query; "
                "use a range aggregation such as count_over_time({...}[5m])",
            )
        return expr

    def parse_vector_aggregation(self) -> VectorAggregation:
        op_token = self.advance()
        op = op_token.text

        grouping = self.parse_grouping()
        self.expect("(", "(")

        parameter: int | None = None
        if op in _PARAMETER_VECTOR_OPS:
            number_token = self.token
            value = self.parse_signed_number(f"the number of series for {op}")
            if not value.is_integer() or value < 1:
                raise self.error_at(
                    number_token, f"invalid parameter for {op}: expected an integer >= 1"
                )
            parameter = int(value)
            self.expect(",", ",")
        elif self.token.kind == NUMBER and self.peek().kind == ",":
            raise self.error_at(self.token, f"{op} takes no parameter")

        inner = self.parse_metric_argument(op)
        self.expect(")", ")")

        after = self.token
        trailing = self.parse_grouping()
        if trailing is not None:
            if grouping is not None:
                raise self.error_at(after, f"{op} has two grouping clauses")
            grouping = trailing
        if grouping is not None and op == "approx_topk":
            raise self.error_at(
                op_token, "approx_topk does not support by or without; group inside with sum by"
            )
        return VectorAggregation(op, inner, grouping, parameter)

    def parse_grouping(self) -> Grouping | None:
        if not (self.is_keyword("by") or self.is_keyword("without")):
            return None
        without = self.advance().text == "without"
        return Grouping(self.parse_label_list(), without)

    def parse_label_replace(self) -> LabelReplace:
        self.advance()
        self.expect("(", "(")
        inner = self.parse_metric_argument("label_replace")

        values: list[str] = []
        for _ in range(4):
            self.expect(",", ",")
            token = self.token
            values.append(self.expect_string())
            if len(values) == 1 and not _LABEL_NAME.fullmatch(values[0]):
                raise self.error_at(token, f"invalid destination label name {values[0]!r}")
            if len(values) == 4:
                self.check_regex(token, values[3])
        self.expect(")", ")")
        return LabelReplace(inner, values[0], values[1], values[2], values[3])

    def parse_range_aggregation(self) -> RangeAggregation:
        op_token = self.advance()
        op = op_token.text
        self.expect("(", "(")

        parameter: float | None = None
        if op == "quantile_over_time":
            parameter = self.parse_signed_number("the quantile, e.g. 0.99")
            self.expect(",", ",")
        elif self.token.kind in (NUMBER, "-"):
            raise self.error_at(self.token, f"{op} takes no parameter")

        log_range = self.parse_log_range()
        self.expect(")", ")")

        grouping_token = self.token
        grouping = self.parse_grouping()

        if op in UNWRAP_RANGE_OPS and log_range.unwrap is None:
            raise self.error_at(op_token, f"invalid aggregation {op} without unwrap")
        if op in _NO_UNWRAP_RANGE_OPS and log_range.unwrap is not None:
            raise self.error_at(op_token, f"invalid aggregation {op} with unwrap")
        if grouping is not None and (op not in _GROUPING_RANGE_OPS or log_range.unwrap is None):
            raise self.error_at(
                grouping_token,
                f"grouping not allowed for {op} aggregation; group with a vector aggregation "
                "such as sum by (...)",
            )
        return RangeAggregation(op, log_range, parameter, grouping)

    # --- log ranges --------------------------------------------------------

    def parse_log_range(self) -> LogRange:
        parts = _LogRangeParts()
        self.parse_log_range_body(parts)
        if parts.range_ns is None:
            self.unexpected("a range such as [5m]")
        query = LogQuery(parts.selector, tuple(parts.stages))
        return LogRange(query, parts.range_ns, parts.offset_ns, parts.unwrap)

    def parse_log_range_body(self, parts: _LogRangeParts) -> None:
        if self.token.kind == "(":
            self.advance()
            saved = self.nest()
            try:
                self.parse_log_range_body(parts)
            finally:
                self.depth, self.nesting = saved
            self.expect(")", ")")
        else:
            parts.selector = self.parse_selector()
        self.parse_log_range_tail(parts)

    def parse_log_range_tail(self, parts: _LogRangeParts) -> None:
        while True:
            kind = self.token.kind

            if kind == "[" and parts.range_ns is None:
                self.advance()
                token = self.expect(DURATION, "a range duration such as 5m")
                range_ns = int(token.value)
                if range_ns <= 0:
                    raise self.error_at(token, "the range must be longer than zero")
                parts.range_ns = range_ns
                self.expect("]", "]")
                if self.is_keyword("offset"):
                    self.advance()
                    offset_token = self.expect(DURATION, "an offset duration such as 1h")
                    parts.offset_ns = int(offset_token.value)
                continue

            if kind in _LINE_FILTER_OPS:
                if parts.unwrap is not None:
                    raise self.error_at(self.token, "a line filter cannot follow unwrap")
                parts.stages.append(self.parse_line_filter())
                continue

            if kind == "|":
                if (
                    self.peek().kind == IDENT
                    and self.peek().text == "unwrap"
                    and self.peek(2).kind not in _LABEL_FILTER_START_OPS
                ):
                    if parts.unwrap is not None:
                        raise self.error_at(self.peek(), "only one unwrap is allowed")
                    parts.unwrap = self.parse_unwrap()
                    continue

                stage_token = self.peek()
                stage = self.parse_pipe_stage()
                if parts.unwrap is not None:
                    if not isinstance(stage, LabelFilter):
                        raise self.error_at(stage_token, "only label filters can follow unwrap")
                    parts.unwrap = Unwrap(
                        parts.unwrap.label,
                        parts.unwrap.conversion,
                        (*parts.unwrap.post_filters, stage),
                    )
                else:
                    parts.stages.append(stage)
                continue

            return

    def parse_unwrap(self) -> Unwrap:
        self.advance()
        self.advance()
        token = self.expect(IDENT, "a label name to unwrap")
        if token.text in _UNWRAP_CONVERSIONS and self.token.kind == "(":
            self.advance()
            label = self.expect_label_name()
            self.expect(")", ")")
            conversion: UnwrapConversion = token.text  # type: ignore[assignment]
            return Unwrap(label, conversion)
        return Unwrap(token.text)

    # --- log queries -------------------------------------------------------

    def parse_log_query(self) -> LogQuery:
        selector = self.parse_selector()
        stages: list[Stage] = []
        while True:
            kind = self.token.kind
            if kind in _LINE_FILTER_OPS:
                stages.append(self.parse_line_filter())
            elif kind == "|":
                stages.append(self.parse_pipe_stage())
            else:
                return LogQuery(selector, tuple(stages))

    def parse_selector(self) -> tuple[Matcher, ...]:
        open_token = self.expect("{", "a stream selector {...}")
        matchers: list[Matcher] = []

        while True:
            name = self.expect(IDENT, "a label name").text
            op_token = self.token
            if op_token.kind not in _MATCH_OPS:
                self.unexpected("a label matcher operator =, !=, =~ or !~")
            self.advance()
            op: MatchOp = op_token.kind  # type: ignore[assignment]
            value_token = self.token
            value = self.expect_string()
            if op in ("=~", "!~"):
                self.check_regex(value_token, value)
            matchers.append(Matcher(name, op, value))

            if self.token.kind == ",":
                self.advance()
                continue
            self.expect("}", ", or }")
            break

        if not any(_requires_non_empty(matcher) for matcher in matchers):
            raise self.error_at(open_token, EMPTY_SELECTOR_MESSAGE)
        return tuple(matchers)

    def parse_line_filter(self) -> LineFilter:
        op_token = self.advance()
        op: LineFilterOp = op_token.kind  # type: ignore[assignment]
        values: list[str] = []
        ip: bool | None = None

        while True:
            value_token = self.token
            if value_token.kind == STRING:
                value = str(self.advance().value)
                is_ip = False
            elif self.is_keyword("ip") and self.peek().kind == "(":
                value = self.parse_ip_pattern()
                is_ip = True
            else:
                self.unexpected('a string or ip("...")')

            if ip is None:
                ip = is_ip
            elif ip != is_ip:
                raise self.error_at(
                    value_token, 'cannot mix ip("...") and strings in one line filter'
                )
            if is_ip and op not in ("|=", "!="):
                raise self.error_at(op_token, f'ip("...") line filters need |= or !=, not {op}')
            if op in ("|~", "!~"):
                self.check_regex(value_token, value)
            values.append(value)

            follower = self.peek()
            if self.is_keyword("or") and (
                follower.kind == STRING or (follower.kind == IDENT and follower.text == "ip")
            ):
                self.advance()
                continue
            return LineFilter(op, tuple(values), bool(ip))

    def parse_pipe_stage(self) -> Stage:
        self.advance()
        token = self.token

        # A stage keyword followed by a comparison is a label filter on a label of
        # that name. `!=` and `!~` are line filters there, as in Loki, because a
        # stage may be followed directly by a line filter.
        if (
            token.kind == IDENT
            and token.text in _STAGE_KEYWORDS
            and self.peek().kind not in _LABEL_FILTER_START_OPS
        ):
            keyword = token.text
            if keyword == "json":
                self.advance()
                return JsonParser(self.parse_extractions(json_paths=True))
            if keyword == "logfmt":
                return self.parse_logfmt()
            if keyword == "regexp":
                self.advance()
                value_token = self.token
                pattern = self.expect_string("a regular expression")
                self.check_regex(value_token, pattern)
                if not compile_re2(pattern).groupindex:
                    raise self.error_at(
                        value_token,
                        "the regexp parser needs at least one named capture group (?P<name>...)",
                    )
                return RegexpParser(pattern)
            if keyword == "pattern":
                self.advance()
                value_token = self.token
                pattern = self.expect_string('a pattern such as "<ip> - <_>"')
                problem = check_pattern(pattern)
                if problem is not None:
                    raise self.error_at(value_token, problem)
                return PatternParser(pattern)
            if keyword == "unpack":
                self.advance()
                return UnpackParser()
            if keyword == "line_format":
                self.advance()
                return LineFormat(self.expect_string("a template string"))
            if keyword == "label_format":
                return self.parse_label_format()
            if keyword in ("drop", "keep"):
                self.advance()
                labels = self.parse_drop_keep_labels()
                return DropLabels(labels) if keyword == "drop" else KeepLabels(labels)
            if keyword == "decolorize":
                self.advance()
                return Decolorize()
            raise self.error_at(
                token, "unwrap is only allowed in a range aggregation such as sum_over_time"
            )

        return LabelFilter(self.parse_label_filter_expr())

    def parse_ip_pattern(self) -> str:
        self.advance()
        self.advance()
        token = self.token
        pattern = self.expect_string("an address, range or CIDR block")
        problem = check_ip_pattern(pattern)
        if problem is not None:
            raise self.error_at(token, problem)
        self.expect(")", ")")
        return pattern

    def parse_extractions(self, json_paths: bool) -> tuple[LabelExtraction, ...]:
        params: list[LabelExtraction] = []
        if self.token.kind != IDENT:
            return ()

        while True:
            name = self.expect_label_name()
            expression = name
            if self.token.kind == "=":
                self.advance()
                value_token = self.token
                expression = self.expect_string("a quoted expression")
                if json_paths:
                    try:
                        parse_json_path(expression)
                    except ValueError as error:
                        raise self.error_at(value_token, str(error)) from None
            params.append(LabelExtraction(name, expression))

            if self.token.kind != ",":
                return tuple(params)
            self.advance()

    def parse_logfmt(self) -> LogfmtParser:
        self.advance()
        flags = {"strict": False, "keep_empty": False}
        while self.token.kind == FLAG:
            flag = _LOGFMT_FLAGS.get(self.token.text)
            if flag is None:
                raise self.error_at(
                    self.token,
                    f"unknown logfmt flag {self.token.text}; use --strict or --keep-empty",
                )
            flags[flag] = True
            self.advance()
        params = self.parse_extractions(json_paths=False)
        if self.token.kind == FLAG:
            raise self.error_at(
                self.token, "logfmt flags such as --strict must come before the parameters"
            )
        return LogfmtParser(flags["strict"], flags["keep_empty"], params)

    def parse_label_format(self) -> LabelFormat:
        self.advance()
        operations: list[LabelRename | LabelTemplate] = []
        seen: set[str] = set()

        while True:
            dst_token = self.token
            dst = self.expect_label_name()
            if dst in seen:
                raise self.error_at(
                    dst_token, f"label {dst} is set twice in one label_format stage"
                )
            seen.add(dst)
            self.expect("=", "=")

            if self.token.kind == IDENT:
                operations.append(LabelRename(dst, self.advance().text))
            elif self.token.kind == STRING:
                operations.append(LabelTemplate(dst, str(self.advance().value)))
            else:
                self.unexpected("a label name or a template string")

            if self.token.kind != ",":
                return LabelFormat(tuple(operations))
            self.advance()

    def parse_drop_keep_labels(self) -> tuple[str | Matcher, ...]:
        labels: list[str | Matcher] = []
        while True:
            name = self.expect_label_name()
            follower = self.peek()
            # `drop a != ip("...")` can only be a drop stage and an ip line filter.
            if self.token.kind in _MATCH_OPS and not (
                follower.kind == IDENT and follower.text == "ip"
            ):
                op: MatchOp = self.advance().kind  # type: ignore[assignment]
                value_token = self.token
                value = self.expect_string()
                if op in ("=~", "!~"):
                    self.check_regex(value_token, value)
                labels.append(Matcher(name, op, value))
            else:
                labels.append(name)

            if self.token.kind != ",":
                return tuple(labels)
            self.advance()

    # --- label filters -----------------------------------------------------

    def parse_label_filter_expr(self) -> LabelFilterExpr:
        saved = self.nest()
        try:
            return self.parse_label_filter_chain()
        finally:
            self.depth, self.nesting = saved

    def parse_label_filter_chain(self) -> LabelFilterExpr:
        # Loki's engine evaluates `and` before `or`: `a or b and c` is
        # `a or (b and c)`. Its docs said left to right until Loki pull
        # request 23902 corrected them in 2026.
        left = self.parse_label_filter_conjunction()
        while self.is_keyword("or"):
            self.advance()
            right = self.parse_label_filter_conjunction()
            left = OrLabelFilter(left, right)
            self.descend()
        return left

    def parse_label_filter_conjunction(self) -> LabelFilterExpr:
        left = self.parse_label_filter_primary()
        while True:
            token = self.token
            if self.is_keyword("and") or token.kind == ",":
                self.advance()
            elif token.kind == "(" or (token.kind == IDENT and self.peek().kind in _FILTER_OPS):
                # A space between two label filters also means `and`.
                pass
            else:
                return left

            right = self.parse_label_filter_primary()
            left = AndLabelFilter(left, right)
            self.descend()

    def parse_label_filter_primary(self) -> LabelFilterExpr:
        if self.token.kind == "(":
            self.advance()
            expr = self.parse_label_filter_expr()
            self.expect(")", ")")
            return expr

        if self.token.kind != IDENT:
            self.unexpected('a label filter such as level="error" or a parser stage')
        name = self.advance().text

        op_token = self.token
        op = op_token.kind
        if op not in _FILTER_OPS:
            self.unexpected("a comparison operator")
        self.advance()

        value_token = self.token
        kind = value_token.kind

        if op in ("=~", "!~"):
            pattern = self.expect_string("a regular expression string")
            self.check_regex(value_token, pattern)
            return StringLabelFilter(name, "=~" if op == "=~" else "!~", pattern)

        if op in ("=", "==", "!="):
            if kind == STRING:
                string_op: MatchOp = "!=" if op == "!=" else "="
                return StringLabelFilter(name, string_op, str(self.advance().value))
            # Loki allows ip("...") label filters with = and != only.
            if op != "==" and self.is_keyword("ip") and self.peek().kind == "(":
                pattern = self.parse_ip_pattern()
                return IpLabelFilter(name, "!=" if op == "!=" else "=", pattern)

        number_op: NumberOp = "==" if op == "=" else op  # type: ignore[assignment]
        sign = 1
        if kind in ("-", "+") and self.peek().kind in (NUMBER, DURATION, BYTES):
            sign = -1 if kind == "-" else 1
            self.advance()
            value_token = self.token
            kind = value_token.kind

        if kind == NUMBER:
            self.advance()
            return NumberLabelFilter(name, number_op, sign * float(value_token.value))
        if kind == DURATION:
            self.advance()
            return DurationLabelFilter(name, number_op, sign * int(value_token.value))
        if kind == BYTES:
            self.advance()
            return BytesLabelFilter(name, number_op, sign * int(value_token.value))

        if op in ("=", "==", "!="):
            self.unexpected('a string, a number, a duration, a byte size or ip("...")')
        self.unexpected("a number, a duration such as 10s or a byte size such as 20MB")


def is_scalar(expr: MetricExpr) -> bool:
    """Return whether an expression is a number (a scalar), not a vector."""
    if isinstance(expr, LiteralExpr):
        return True
    if isinstance(expr, BinaryOperation):
        return is_scalar(expr.left) and is_scalar(expr.right)
    return False


def _requires_non_empty(matcher: Matcher) -> bool:
    if matcher.op == "=":
        return matcher.value != ""
    if matcher.op == "=~":
        return compile_re2(matcher.value).fullmatch("") is None
    return False


def _regex_reason(error: ValueError, pattern: str) -> str:
    # Messages of the RE2 module start with `invalid regex '<pattern>': `,
    # which the parser already states.
    return str(error).removeprefix(f"invalid regex {pattern!r}: ")
