"""Bridge between the HTTP layer and LogQL: parsing, stream matching, pipelines."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Protocol

from tflog_tui.embedded.params import BadRequest
from tflog_tui.logql import Expr, LineFilter, LogQLSyntaxError, LogQuery, Matcher, parse
from tflog_tui.logql import parse_log_query as logql_parse_log_query
from tflog_tui.logql.re2 import InvalidRegexError, compile_re2


class ProcessedLike(Protocol):
    """One entry after a pipeline: output labels, extracted labels, line."""

    labels: dict[str, str]
    parsed: dict[str, str]
    line: str


class LogPipeline(Protocol):
    """The part of a log query evaluator the server uses."""

    def matches_stream(self, labels: Mapping[str, str]) -> bool: ...

    def process(
        self,
        ts_ns: int,
        labels: Mapping[str, str],
        line: str,
        metadata: Mapping[str, str] | None = None,
    ) -> ProcessedLike | None: ...


@lru_cache(maxsize=512)
def _compiled(pattern: str, anchored: bool) -> re.Pattern[str]:
    try:
        return compile_re2(pattern, anchored=anchored)
    except InvalidRegexError as error:
        raise BadRequest(str(error)) from None


def matcher_matches(matcher: Matcher, value: str) -> bool:
    """Apply one label matcher to a label value (absent labels are the empty string)."""
    if matcher.op == "=":
        return value == matcher.value
    if matcher.op == "!=":
        return value != matcher.value
    found = _compiled(matcher.value, True).match(value) is not None
    return found if matcher.op == "=~" else not found


def selector_matches(selector: tuple[Matcher, ...], labels: Mapping[str, str]) -> bool:
    """Return whether every matcher of a stream selector accepts `labels`."""
    return all(matcher_matches(m, labels.get(m.name, "")) for m in selector)


class _Processed:
    __slots__ = ("labels", "line", "parsed")

    def __init__(self, labels: dict[str, str], parsed: dict[str, str], line: str) -> None:
        self.labels = labels
        self.parsed = parsed
        self.line = line


class SelectorPipeline:
    """A pipeline of line filters only, used when no evaluator is installed."""

    def __init__(self, query: LogQuery) -> None:
        self.selector = query.selector
        for matcher in self.selector:
            if matcher.op in ("=~", "!~"):
                _compiled(matcher.value, True)
        self.filters: list[Callable[[str], bool]] = []
        for stage in query.pipeline:
            if not isinstance(stage, LineFilter) or stage.op in ("|>", "!>") or stage.ip:
                raise BadRequest(f"unsupported pipeline stage: {stage}")
            self.filters.append(_line_filter(stage))

    def matches_stream(self, labels: Mapping[str, str]) -> bool:
        """Return whether the stream selector accepts `labels`."""
        return selector_matches(self.selector, labels)

    def process(
        self,
        ts_ns: int,
        labels: Mapping[str, str],
        line: str,
        metadata: Mapping[str, str] | None = None,
    ) -> _Processed | None:
        """Return the entry unchanged when every line filter keeps it, else None."""
        for keep in self.filters:
            if not keep(line):
                return None
        return _Processed(dict(labels), {}, line)


def _line_filter(stage: LineFilter) -> Callable[[str], bool]:
    values = stage.values
    if stage.op == "|=":
        return lambda line: any(value in line for value in values)
    if stage.op == "!=":
        return lambda line: not any(value in line for value in values)
    patterns = [_compiled(value, False) for value in values]
    if stage.op == "|~":
        return lambda line: any(p.search(line) for p in patterns)
    return lambda line: not any(p.search(line) for p in patterns)


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


def make_pipeline(query: LogQuery) -> LogPipeline:
    """Return the evaluator for a log query (selector and pipeline)."""
    try:
        evaluator_module = importlib.import_module("tflog_tui.logql.evaluator")
    except ImportError:
        return SelectorPipeline(query)
    evaluator_class = evaluator_module.LogQueryEvaluator
    try:
        pipeline: LogPipeline = evaluator_class(query)
    except ValueError as error:
        raise BadRequest(str(error)) from None
    return pipeline
