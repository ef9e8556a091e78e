"""Edit a pane's LogQL through the syntax tree: selectors, filters and level filters.

Every function parses the query, changes the tree and prints it again, so a
value from a log line is always quoted by the LogQL printer and never pasted
into the text.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime

from tflog_tui.buffer.levels import Level
from tflog_tui.logql import (
    BinaryOperation,
    Expr,
    JsonParser,
    LabelFilter,
    LabelReplace,
    LineFilter,
    LogfmtParser,
    LogQLSyntaxError,
    LogQuery,
    Matcher,
    PatternParser,
    RangeAggregation,
    RegexpParser,
    Stage,
    StringLabelFilter,
    UnpackParser,
    VectorAggregation,
    parse_log_query,
)
from tflog_tui.loki.models import Entry
from tflog_tui.times import resolve_time

PARSER_STAGES = (JsonParser, LogfmtParser, RegexpParser, PatternParser, UnpackParser)

LEVEL_VALUES: dict[Level, tuple[str, ...]] = {
    Level.CRITICAL: ("critical", "crit", "fatal", "panic", "emerg", "emergency", "alert"),
    Level.ERROR: ("error", "err", "eror"),
    Level.WARNING: ("warning", "warn", "wrn"),
    Level.INFO: ("info", "information", "informational", "inf", "notice"),
    Level.DEBUG: ("debug", "dbug", "dbg"),
    Level.TRACE: ("trace", "trc"),
}
"""The `level` label values that mean each level, as shippers write them."""


def selector_query(labels: Mapping[str, str]) -> str:
    """Build `{name="value", …}` matching exactly `labels`, in the given order."""
    matchers = tuple(Matcher(name, "=", value) for name, value in labels.items())
    return str(LogQuery(matchers))


def label_name(field: str) -> str:
    """Turn a field name into the label name Loki's parsers give it (`a.b-c` -> `a_b_c`)."""
    name = re.sub(r"[^A-Za-z0-9_]", "_", field)
    if not name or name[0].isdigit():
        name = "_" + name
    return name


def field_source(entry: Entry, field: str) -> str:
    """Tell where `field` of `entry` comes from: label, metadata, parsed, json, logfmt or line."""
    if not field or field == "line":
        return "line"
    if field in entry.labels:
        return "label"
    if field in entry.metadata:
        return "metadata"
    if field in entry.parsed:
        return "parsed"
    parser = line_parser_for(entry.line, field)
    if isinstance(parser, JsonParser):
        return "json"
    if isinstance(parser, LogfmtParser):
        return "logfmt"
    return "parsed"


def line_parser_for(line: str, field: str) -> Stage | None:
    """Return the parser stage that extracts `field` from `line`: `json`, `logfmt` or None."""
    stripped = line.lstrip()
    if stripped.startswith("{"):
        try:
            document = json.loads(stripped)
        except ValueError:
            document = None
        if isinstance(document, dict):
            return JsonParser()
    if f"{field}=" in line:
        return LogfmtParser()
    return None


def _with_parser(query: LogQuery, parser: Stage | None) -> tuple[Stage, ...]:
    """Return the pipeline, with `parser` appended unless a parser stage is already there."""
    pipeline = query.pipeline
    if parser is None:
        return pipeline
    if any(isinstance(stage, PARSER_STAGES) for stage in pipeline):
        return pipeline
    return (*pipeline, parser)


def add_label_filter(
    query_text: str, name: str, value: str, *, negate: bool, parser: Stage | None = None
) -> str:
    """Append `| name="value"` (or `!=` with `negate`) after an optional parser stage."""
    query = parse_log_query(query_text)
    pipeline = _with_parser(query, parser)
    stage = LabelFilter(StringLabelFilter(name, "!=" if negate else "=", value))
    return str(LogQuery(query.selector, (*pipeline, stage)))


def add_stream_matcher(query_text: str, name: str, value: str, *, negate: bool) -> str:
    """Add `name="value"` (or `!=`) to the stream selector, replacing a matcher on `name`."""
    query = parse_log_query(query_text)
    kept = tuple(matcher for matcher in query.selector if matcher.name != name)
    matcher = Matcher(name, "!=" if negate else "=", value)
    if negate:
        kept = query.selector
    return str(LogQuery((*kept, matcher), query.pipeline))


def add_line_filter(query_text: str, text: str, *, negate: bool) -> str:
    """Append a line filter `|= "text"` (or `!= "text"` with `negate`)."""
    query = parse_log_query(query_text)
    stage = LineFilter("!=" if negate else "|=", (text,))
    return str(LogQuery(query.selector, (*query.pipeline, stage)))


def level_regex(levels: Iterable[Level]) -> str:
    """Build a case-insensitive RE2 matching the `level` values of `levels`.

    Level.UNKNOWN has no value to match and is left out.
    """
    values: list[str] = []
    for level in sorted(levels):
        values.extend(LEVEL_VALUES.get(level, ()))
    return "(?i)" + "|".join(values)


def add_level_filter(
    query_text: str,
    levels: Iterable[Level],
    *,
    stream_label: bool,
    parser: Stage | None = None,
) -> str:
    """Restrict the query to `levels`: a `level` stream matcher or a `| level=~…` filter.

    `stream_label` tells whether `level` is a stream label, in which case the
    selector changes and Loki reads fewer chunks. Otherwise `parser` is the stage
    that extracts `level` from the line; it is added unless the pipeline has
    a parser already.
    """
    chosen = [level for level in levels if level in LEVEL_VALUES]
    if not chosen:
        raise ValueError("choose at least one level other than unknown to filter on")

    query = parse_log_query(query_text)
    regex = level_regex(chosen)
    if stream_label:
        kept = tuple(matcher for matcher in query.selector if matcher.name != "level")
        return str(LogQuery((*kept, Matcher("level", "=~", regex)), query.pipeline))

    pipeline = _with_parser(query, parser)
    stage = LabelFilter(StringLabelFilter("level", "=~", regex))
    return str(LogQuery(query.selector, (*pipeline, stage)))


def title_for_query(query: str) -> str:
    """Name a pane after its selector: `service`, `service/task` or `query`."""
    try:
        parsed = parse_log_query(query)
    except LogQLSyntaxError:
        return "query"
    values = {matcher.name: matcher.value for matcher in parsed.selector if matcher.op == "="}
    service = values.get("service_name")
    task = values.get("task_id")
    if service and task:
        return f"{service}/{task}"
    if service or task:
        return service or task or "query"
    return "query"


def first_log_query(expr: Expr) -> LogQuery | None:
    """Return the first log query inside `expr` (itself when it is one), or None."""
    if isinstance(expr, LogQuery):
        return expr
    if isinstance(expr, RangeAggregation):
        return expr.range.query
    if isinstance(expr, (VectorAggregation, LabelReplace)):
        return first_log_query(expr.expr)
    if isinstance(expr, BinaryOperation):
        return first_log_query(expr.left) or first_log_query(expr.right)
    return None


TASK_LOOKBACK_NS = 24 * 3600 * 1_000_000_000
"""How far (nanoseconds) before an entry a task pane starts when the source range misses it."""


def rfc3339_seconds(ts_ns: int) -> str:
    """Format `ts_ns` (nanoseconds since the epoch) as UTC RFC 3339 to the second, fraction kept."""
    moment = datetime.fromtimestamp(ts_ns // 1_000_000_000, tz=UTC)
    fraction = ts_ns % 1_000_000_000
    stamp = f"{moment:%Y-%m-%dT%H:%M:%S}"
    if fraction:
        stamp += f".{fraction:09d}".rstrip("0")
    return stamp + "Z"


def covering_range(range_from: str, range_to: str, ts_ns: int, now_ns: int) -> tuple[str, str]:
    """Return a range that contains `ts_ns`: the given one when it does, else a wider absolute one.

    The wider range starts `TASK_LOOKBACK_NS` before the entry (or at the given
    start when that is earlier) and ends at the given end, or just after the
    entry when the end is before it. An unreadable range gives the day before
    the entry up to it.
    """
    try:
        start_ns = resolve_time(range_from, now_ns)
        end_ns = resolve_time(range_to, now_ns, round_up=True)
    except ValueError:
        return rfc3339_seconds(ts_ns - TASK_LOOKBACK_NS), rfc3339_seconds(ts_ns + 1_000_000_000)

    if start_ns <= ts_ns < end_ns:
        return range_from, range_to

    start_ns = min(start_ns, ts_ns - TASK_LOOKBACK_NS)
    end_ns = max(end_ns, ts_ns + 1_000_000_000)
    return rfc3339_seconds(start_ns), rfc3339_seconds(end_ns)
