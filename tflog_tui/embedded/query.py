"""Bridge between the HTTP layer and LogQL: parsing, stream matching, pipelines."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable, Mapping
from functools import lru_cache
from typing import Any, Protocol

from tflog_tui.embedded.params import BadRequest
from tflog_tui.logql.ast import LineFilter, LogQuery, Matcher


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
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.DOTALL)


def matcher_matches(matcher: Matcher, value: str) -> bool:
    """Apply one label matcher to a label value (absent labels are the empty string)."""
    if matcher.op == "=":
        return value == matcher.value
    if matcher.op == "!=":
        return value != matcher.value
    found = _compiled(matcher.value).fullmatch(value) is not None
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
    patterns = [_compiled(value) for value in values]
    if stage.op == "|~":
        return lambda line: any(p.search(line) for p in patterns)
    return lambda line: not any(p.search(line) for p in patterns)


def _logql_attribute(name: str) -> Any:
    """Return a name exported by `tflog_tui.logql`, or None when it is not there yet."""
    module = importlib.import_module("tflog_tui.logql")
    return getattr(module, name, None)


def parse_expression(text: str) -> Any:
    """Parse a LogQL query; raise BadRequest with the parser's message on a syntax error."""
    parse = _logql_attribute("parse")
    if parse is None:
        return _parse_selector_fallback(text)
    try:
        return parse(text)
    except ValueError as error:
        raise BadRequest(str(error)) from None


def parse_log_query(text: str) -> LogQuery:
    """Parse a LogQL log query (not a metric query); raise BadRequest on any error."""
    expression = parse_expression(text)
    if not isinstance(expression, LogQuery):
        raise BadRequest(
            "parse error : only log queries are supported here, not a metric query: " + text
        )
    return expression


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


_SELECTOR_MATCHER = re.compile(
    r'\s*([A-Za-z_][A-Za-z0-9_]*)\s*(=~|!~|!=|=)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)\s*(,|(?=\}))'
)
_FALLBACK_FILTER = re.compile(r'\s*(\|=|!=|\|~|!~)\s*("(?:[^"\\]|\\.)*"|`[^`]*`)')


def _unquote(literal: str) -> str:
    if literal.startswith("`"):
        return literal[1:-1]
    return str(bytes(literal[1:-1], "utf-8").decode("unicode_escape"))


def _parse_selector_fallback(text: str) -> LogQuery:
    """Parse `{a="b", ...}` followed by line filters, for use before a full parser exists."""
    position = len(text) - len(text.lstrip())
    if not text[position:].startswith("{"):
        raise BadRequest(f"parse error at line 1, col {position + 1}: syntax error: expected {{")
    position += 1
    matchers: list[Matcher] = []
    while True:
        match = _SELECTOR_MATCHER.match(text, position)
        if match is None:
            break
        name, op, literal, _ = match.groups()
        matchers.append(Matcher(name, op, _unquote(literal)))  # type: ignore[arg-type]
        position = match.end()
    closing = re.compile(r"\s*\}").match(text, position)
    if closing is None:
        raise BadRequest(f"parse error at line 1, col {position + 1}: syntax error")
    position = closing.end()
    stages: list[LineFilter] = []
    while True:
        match = _FALLBACK_FILTER.match(text, position)
        if match is None:
            break
        stages.append(LineFilter(match.group(1), (_unquote(match.group(2)),)))  # type: ignore[arg-type]
        position = match.end()
    if text[position:].strip():
        raise BadRequest(f"parse error at line 1, col {position + 1}: syntax error")
    if not matchers:
        raise BadRequest(
            "parse error : queries require at least one regexp or equality matcher "
            'that does not have an empty-compatible value. For instance, app=~".*" '
            'does not meet this requirement, but app=~".+" will'
        )
    return LogQuery(tuple(matchers), tuple(stages))
