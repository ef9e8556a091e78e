"""Select log entries from the store and shape them as Loki's `streams` result."""

from __future__ import annotations

import heapq
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import islice
from typing import Any, Literal

from tflog_tui.embedded.query import LogPipeline
from tflog_tui.embedded.store import LogStore, Stream

Direction = Literal["forward", "backward"]


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


def _stream_positions(
    stream: Stream, lo: int, hi: int, backward: bool
) -> Iterator[tuple[int, str, int, Stream]]:
    timestamps = stream.timestamps
    key = stream.key
    indexes = range(hi - 1, lo - 1, -1) if backward else range(lo, hi)
    for index in indexes:
        yield timestamps[index], key, index, stream


def select_entries(
    store: LogStore,
    pipeline: LogPipeline,
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
    sources: list[Iterator[tuple[int, str, int, Stream]]] = []
    for stream in store.iter_streams():
        if not pipeline.matches_stream(stream.labels):
            continue
        lo, hi = stream.index_range(start_ns, end_ns)
        if lo >= hi:
            continue
        stats.streams_matched += 1
        sources.append(_stream_positions(stream, lo, hi, backward))

    groups: dict[tuple[tuple[str, str], ...], OutputStream] = {}
    returned = 0
    merged = (
        heapq.merge(*sources, reverse=backward)
        if len(sources) > 1
        else iter(sources[0] if sources else ())
    )
    for ts_ns, _, index, stream in merged:
        if returned >= limit:
            break
        line = stream.lines[index]
        metadata = stream.metadata[index]
        stats.lines_scanned += 1
        stats.bytes_scanned += len(line)
        processed = pipeline.process(ts_ns, stream.labels, line, metadata or None)
        if processed is None:
            continue
        returned += 1

        if categorize:
            group_key = stream.labels.items_tuple
            value: list[Any] = [str(ts_ns), processed.line, _categories(metadata, processed.parsed)]
            labels: dict[str, str] = dict(stream.labels)
        else:
            labels = dict(metadata)
            labels.update(processed.labels)
            group_key = tuple(sorted(labels.items()))
            value = [str(ts_ns), processed.line]

        group = groups.get(group_key)
        if group is None:
            group = OutputStream(labels)
            groups[group_key] = group
        group.values.append(value)

    stats.entries_returned = returned
    return [groups[key] for key in sorted(groups)]


def _categories(metadata: Any, parsed: dict[str, str]) -> dict[str, dict[str, str]]:
    categories: dict[str, dict[str, str]] = {}
    if metadata:
        categories["structuredMetadata"] = dict(metadata)
    if parsed:
        categories["parsed"] = dict(parsed)
    return categories


def newest_entries(
    store: LogStore, pipeline: LogPipeline, start_ns: int, end_ns: int, limit: int
) -> list[tuple[int, Stream, int]]:
    """Return the newest `limit` matching positions (ts, stream, index), oldest first."""
    sources = []
    for stream in store.iter_streams():
        if not pipeline.matches_stream(stream.labels):
            continue
        lo, hi = stream.index_range(start_ns, end_ns)
        if lo < hi:
            sources.append(_stream_positions(stream, lo, hi, True))
    picked: list[tuple[int, Stream, int]] = []
    for ts_ns, _, index, stream in islice(heapq.merge(*sources, reverse=True), None):
        if len(picked) >= limit:
            break
        line = stream.lines[index]
        if pipeline.process(ts_ns, stream.labels, line, stream.metadata[index] or None) is None:
            continue
        picked.append((ts_ns, stream, index))
    picked.reverse()
    return picked
