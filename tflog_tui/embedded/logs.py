"""Select log entries from the store and shape them as Loki's `streams` result."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import repeat
from typing import Any, Literal

from tflog_tui.embedded.store import LogStore, Stream
from tflog_tui.logql.evaluator import LogQueryEvaluator
from tflog_tui.loki.models import Labels

Direction = Literal["forward", "backward"]
Position = tuple[int, str, int, Stream]


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


def _positions(stream: Stream, lo: int, hi: int, backward: bool) -> Iterator[Position]:
    """Yield (ts, stream key, index, stream) for indexes [lo, hi) in direction order."""
    if backward:
        indexes = range(hi - 1, lo - 1, -1)
        stamps = reversed(stream.timestamps[lo:hi])
    else:
        indexes = range(lo, hi)
        stamps = iter(stream.timestamps[lo:hi])
    return zip(stamps, repeat(stream.key), indexes, repeat(stream), strict=False)


def merged_positions(
    store: LogStore,
    pipeline: LogQueryEvaluator,
    start_ns: int,
    end_ns: int,
    backward: bool,
    cap: int | None,
    stats: SelectionStats,
) -> Iterator[Position]:
    """Yield positions of matching streams with start_ns <= ts < end_ns, merged by time.

    Order: timestamp, then stream labels, then insertion order; backward is
    the exact reverse of forward. `cap` limits each stream to its first
    `cap` positions in direction order, which is exact when no entry is
    filtered out.
    """
    sources: list[Iterator[Position]] = []
    for stream in store.iter_streams():
        if not pipeline.matches_stream(stream.labels):
            continue
        lo, hi = stream.index_range(start_ns, end_ns)
        if lo >= hi:
            continue
        if cap is not None and hi - lo > cap:
            if backward:
                lo = hi - cap
            else:
                hi = lo + cap
        stats.streams_matched += 1
        sources.append(_positions(stream, lo, hi, backward))
    if len(sources) == 1:
        return sources[0]
    return heapq.merge(*sources, reverse=backward)


def select_entries(
    store: LogStore,
    pipeline: LogQueryEvaluator,
    start_ns: int,
    end_ns: int,
    limit: int,
    direction: Direction,
    categorize: bool,
    stats: SelectionStats,
    selector_only: bool = False,
) -> list[OutputStream]:
    """Return up to `limit` entries with start_ns <= ts < end_ns, grouped into streams.

    Across streams the entries are taken in timestamp order: the oldest
    `limit` for forward, the newest for backward. Entries with equal
    timestamps are ordered by stream labels, then by insertion order, and
    backward is exactly the reverse of forward, so paging is deterministic.
    `selector_only` is True when the query has no pipeline stages at all.
    """
    backward = direction == "backward"
    cap = limit if selector_only else None
    merged = merged_positions(store, pipeline, start_ns, end_ns, backward, cap, stats)
    line_filters_only = selector_only or pipeline.has_line_filters_only
    line_passes = pipeline.line_passes

    groups: dict[tuple[tuple[str, str], ...], OutputStream] = {}
    by_source: dict[Any, OutputStream] = {}
    returned = 0
    scanned = 0
    scanned_bytes = 0
    for ts_ns, key, index, stream in merged:
        if returned >= limit:
            break
        line = stream.lines[index]
        metadata = stream.metadata[index]
        scanned += 1
        scanned_bytes += len(line)

        parsed: dict[str, str] | None = None
        if line_filters_only:
            if not selector_only and not line_passes(line):
                continue
            source_key: Any = key if categorize or not metadata else (key, metadata)
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
                source_key = key
                group = by_source.get(source_key)
                if group is None:
                    group = _group(groups, stream.labels, None)
                    by_source[source_key] = group
            else:
                labels = processed.labels
                if metadata:
                    labels = {**metadata, **labels}
                group = _group(groups, labels, None)

        returned += 1
        if categorize:
            group.values.append([str(ts_ns), line, _categories(metadata, parsed)])
        else:
            group.values.append([str(ts_ns), line])

    stats.lines_scanned += scanned
    stats.bytes_scanned += scanned_bytes
    stats.entries_returned += returned
    return [groups[group_key] for group_key in sorted(groups)]


def _group(
    groups: dict[tuple[tuple[str, str], ...], OutputStream],
    labels: Any,
    metadata: Labels | None,
) -> OutputStream:
    merged = dict(labels)
    if metadata:
        merged.update(metadata)
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
