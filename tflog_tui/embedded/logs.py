"""Select log entries from the store and shape them as Loki's `streams` result."""

from __future__ import annotations

import heapq
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, Literal

from tflog_tui.embedded.store import LogStore, Stream
from tflog_tui.logql.ast import LineFilter
from tflog_tui.logql.evaluator import LogQueryEvaluator, compile_line_filter
from tflog_tui.loki.models import EMPTY_LABELS, Labels

Direction = Literal["forward", "backward"]
Position = tuple[int, tuple[tuple[str, str], ...], int, Stream]
LineTest = Callable[[str], bool]


@dataclass
class SelectionStats:
    """Counts reported in the `stats` object of a response."""

    lines_scanned: int = 0
    bytes_scanned: int = 0
    entries_returned: int = 0
    streams_matched: int = 0


@dataclass
class OutputStream:
    """One stream object of a `streams` result, values in response order."""

    labels: dict[str, str]
    values: list[list[Any]] = field(default_factory=list)


def matching_streams(store: LogStore, pipeline: LogQueryEvaluator) -> list[Stream]:
    """Return the streams the pipeline's stream selector matches."""
    return store.streams_matching(pipeline.query.selector, pipeline.matches_stream)


def _positions(
    stream: Stream, indexes: range | list[int], backward: bool, cap: int | None
) -> Iterator[Position]:
    """Yield (ts, stream key, index, stream) for `indexes` (ascending) in direction order."""
    if backward:
        indexes = indexes[::-1]
    if cap is not None:
        indexes = indexes[:cap]
    timestamps = stream.timestamps
    if isinstance(indexes, range) and indexes.step == 1:
        stamps: Any = timestamps[indexes.start : indexes.stop]
    elif isinstance(indexes, range):
        stop = indexes.stop if indexes.stop >= 0 else None
        stamps = timestamps[indexes.start : stop : indexes.step]
    else:
        stamps = [timestamps[index] for index in indexes]
    return zip(stamps, repeat(stream.key), indexes, repeat(stream), strict=False)


def merged_positions(
    store: LogStore,
    pipeline: LogQueryEvaluator,
    start_ns: int,
    end_ns: int,
    backward: bool,
    cap: int | None,
    stats: SelectionStats,
    line_test: LineTest | None = None,
) -> Iterator[Position]:
    """Yield positions of matching streams with start_ns <= ts < end_ns, merged by time.

    Order: timestamp, then stream labels, then insertion order; backward is
    the exact reverse of forward. `line_test`, when given, drops lines before
    the merge. `cap` keeps only each stream's first `cap` positions in
    direction order, which is exact when no later step filters entries out.
    """
    sources: list[Iterator[Position]] = []
    for stream in matching_streams(store, pipeline):
        lo, hi = stream.index_range(start_ns, end_ns)
        if lo >= hi:
            continue
        stats.streams_matched += 1
        indexes: range | list[int] = range(lo, hi)
        if line_test is not None:
            lines = stream.lines
            stats.lines_scanned += hi - lo
            stats.bytes_scanned += sum(len(line) for line in lines[lo:hi])
            indexes = [index for index in indexes if line_test(lines[index])]
            if not indexes:
                continue
        sources.append(_positions(stream, indexes, backward, cap))
    if len(sources) == 1:
        return sources[0]
    return heapq.merge(*sources, reverse=backward)


def line_filters_test(pipeline: LogQueryEvaluator) -> LineTest | None:
    """Return one test for a pipeline made only of line filters, else None."""
    stages = pipeline.query.pipeline
    if not stages or not all(isinstance(stage, LineFilter) for stage in stages):
        return None
    tests = [compile_line_filter(stage) for stage in stages if isinstance(stage, LineFilter)]
    if len(tests) == 1:
        return tests[0]
    return lambda line: all(test(line) for test in tests)


def select_entries(
    store: LogStore,
    pipeline: LogQueryEvaluator,
    start_ns: int,
    end_ns: int,
    limit: int,
    direction: Direction,
    categorize: bool,
    stats: SelectionStats,
) -> list[OutputStream]:
    """Return up to `limit` entries with start_ns <= ts < end_ns, grouped into streams.

    Across streams the entries are taken in timestamp order: the oldest
    `limit` for forward, the newest for backward. Entries with equal
    timestamps are ordered by stream labels, then by insertion order, and
    backward is exactly the reverse of forward, so paging is deterministic.
    """
    backward = direction == "backward"
    selector_only = not pipeline.query.pipeline
    line_test = line_filters_test(pipeline)
    unchanged = selector_only or line_test is not None
    cap = limit if unchanged else None
    merged = merged_positions(store, pipeline, start_ns, end_ns, backward, cap, stats, line_test)

    groups: dict[tuple[tuple[str, str], ...], OutputStream] = {}
    by_source: dict[Any, OutputStream] = {}
    returned = 0
    for ts_ns, key, index, stream in merged:
        if returned >= limit:
            break
        line = stream.lines[index]
        metadata = stream.metadata[index]
        if line_test is None:
            stats.lines_scanned += 1
            stats.bytes_scanned += len(line)

        parsed: dict[str, str] | None = None
        if unchanged:
            # The output labels are the stream's (plus metadata without categorized labels).
            plain = categorize or metadata is EMPTY_LABELS
            source_key: Any = key if plain else (key, metadata)
            group = by_source.get(source_key)
            if group is None:
                group = _group(groups, stream.labels, None if categorize else metadata)
                by_source[source_key] = group
        else:
            processed = pipeline.process(ts_ns, stream.labels, line, metadata or None)
            if processed is None:
                continue
            line = processed.line
            parsed = processed.parsed
            if categorize:
                group = by_source.get(key)
                if group is None:
                    group = _group(groups, stream.labels, None)
                    by_source[key] = group
            else:
                group = _group(groups, processed.labels, metadata)

        returned += 1
        if categorize:
            group.values.append([str(ts_ns), line, _categories(metadata, parsed)])
        else:
            group.values.append([str(ts_ns), line])

    stats.entries_returned += returned
    return [groups[group_key] for group_key in sorted(groups)]


def _group(
    groups: dict[tuple[tuple[str, str], ...], OutputStream],
    labels: Any,
    metadata: Labels | None,
) -> OutputStream:
    merged = dict(metadata) if metadata else {}
    merged.update(labels)
    group_key = tuple(sorted(merged.items()))
    group = groups.get(group_key)
    if group is None:
        group = OutputStream(merged)
        groups[group_key] = group
    return group


def _categories(metadata: Labels, parsed: dict[str, str] | None) -> dict[str, dict[str, str]]:
    categories: dict[str, dict[str, str]] = {}
    if metadata:
        categories["structuredMetadata"] = dict(metadata)
    if parsed:
        categories["parsed"] = dict(parsed)
    return categories


def newest_entries(
    store: LogStore, pipeline: LogQueryEvaluator, start_ns: int, end_ns: int, limit: int
) -> list[tuple[int, tuple[tuple[str, str], ...], str]]:
    """Return the newest `limit` entries after the pipeline as (ts, labels, line), oldest first.

    The labels are the output labels sorted by name: stream labels,
    structured metadata and extracted labels, as a tail sends them.
    """
    picked: list[tuple[int, tuple[tuple[str, str], ...], str]] = []
    merged = merged_positions(store, pipeline, start_ns, end_ns, True, None, SelectionStats())
    for ts_ns, _, index, stream in merged:
        if len(picked) >= limit:
            break
        metadata = stream.metadata[index]
        processed = pipeline.process(ts_ns, stream.labels, stream.lines[index], metadata or None)
        if processed is None:
            continue
        labels = {**metadata, **processed.labels}
        picked.append((ts_ns, tuple(sorted(labels.items())), processed.line))
    picked.reverse()
    return picked
