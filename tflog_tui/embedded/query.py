"""Bridge between the HTTP layer and LogQL: parsing, stream matching, pipelines."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence

from tflog_tui.embedded.params import BadRequest
from tflog_tui.logql import (
    BinaryOperation,
    Expr,
    LiteralExpr,
    LogQLSyntaxError,
    LogQuery,
    Matcher,
    parse,
)
from tflog_tui.logql import parse_log_query as logql_parse_log_query
from tflog_tui.logql.evaluator import LogQueryEvaluator

StreamMatcher = Callable[[Mapping[str, str]], bool]


def parse_expression(text: str) -> Expr:
    """Parse a LogQL query; raise BadRequest with the parser's message on a syntax error."""
    try:
        return parse(text)
    except LogQLSyntaxError as error:
        raise BadRequest(str(error)) from None


def parse_log_query(text: str) -> LogQuery:
    """Parse a LogQL log query (not a metric query); raise BadRequest on any error."""
    try:
        return logql_parse_log_query(text)
    except LogQLSyntaxError as error:
        raise BadRequest(str(error)) from None


def make_pipeline(query: LogQuery) -> LogQueryEvaluator:
    """Compile a log query; an invalid regex, template or unsupported stage is a BadRequest."""
    try:
        return LogQueryEvaluator(query)
    except ValueError as error:
        raise BadRequest(str(error)) from None


def stream_matcher(selectors: Sequence[tuple[Matcher, ...]]) -> StreamMatcher:
    """Return a test that accepts the label sets matched by any of `selectors`."""
    tests = [make_pipeline(LogQuery(selector)).matches_stream for selector in selectors]
    if len(tests) == 1:
        return tests[0]
    return lambda labels: any(test(labels) for test in tests)


def is_scalar(expression: Expr) -> bool:
    """Return whether a metric expression is made of number literals only."""
    if isinstance(expression, LiteralExpr):
        return True
    if isinstance(expression, BinaryOperation):
        return is_scalar(expression.left) and is_scalar(expression.right)
    return False
