"""In-memory log store: one time-ordered column set per stream."""

from __future__ import annotations

import heapq
import logging
from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping
from typing import Any

from tflog_tui.loki.models import EMPTY_LABELS, Labels

logger = logging.getLogger(__name__)

# Per-entry overhead counted against `max_bytes` besides the UTF-8 size of the line:
# the timestamp and a list slot for the line and for its metadata.
_ENTRY_OVERHEAD_BYTES = 24

# Minimum time between two retention sweeps triggered by pushes.
_EXPIRY_INTERVAL_NS = 1_000_000_000

# Selectors whose matching streams are remembered; the cache is emptied when full.
_SELECTOR_CACHE_SIZE = 256

# Compact a stream's columns once this many evicted entries sit at their front.
_COMPACT_AFTER = 4096


class Stream:
    """The entries of one label set, ascending by timestamp.

    Entries with equal timestamps keep their insertion order. Evicted entries
    stay in the columns until `head` passes `_COMPACT_AFTER`, so eviction from
    the front does not move the whole array each time.
    """

    __slots__ = ("head", "key", "labels", "lines", "metadata", "nbytes", "timestamps")

    def __init__(self, labels: Labels) -> None:
        self.labels = labels
        # Label pairs sorted by name: the stable order of streams whose entries tie.
        self.key = labels.items_tuple
        self.timestamps: array[int] = array("q")
        self.lines: list[str] = []
        self.metadata: list[Labels] = []
        self.head = 0
        self.nbytes = 0

    def __len__(self) -> int:
        return len(self.timestamps) - self.head

    def first_ts(self) -> int | None:
        """Return the oldest live timestamp in ns, or None when the stream is empty."""
        return self.timestamps[self.head] if len(self) else None

    def last_ts(self) -> int | None:
        """Return the newest timestamp in ns, or None when the stream is empty."""
        return self.timestamps[-1] if len(self) else None

    def index_range(self, start_ns: int, end_ns: int) -> tuple[int, int]:
        """Return the index range [lo, hi) of entries with start_ns <= ts < end_ns."""
        lo = bisect_left(self.timestamps, start_ns, self.head)
        hi = bisect_left(self.timestamps, end_ns, lo)
        return lo, hi

    def insert(self, ts_ns: int, line: str, metadata: Labels) -> bool:
        """Insert one entry in timestamp order; return False for an exact duplicate."""
        timestamps = self.timestamps
        count = len(timestamps)
        if count == self.head or ts_ns > timestamps[-1]:
            timestamps.append(ts_ns)
            self.lines.append(line)
            self.metadata.append(metadata)
        else:
            lo = bisect_left(timestamps, ts_ns, self.head)
            hi = bisect_right(timestamps, ts_ns, lo)
            for index in range(lo, hi):
                if self.lines[index] == line:
                    return False
            timestamps.insert(hi, ts_ns)
            self.lines.insert(hi, line)
            self.metadata.insert(hi, metadata)
        self.nbytes += _entry_size(line)
        return True

    def extend_sorted(self, batch: list[Any]) -> list[tuple[int, str, Labels]] | None:
        """Append entries whose timestamps strictly ascend after the stream's last one.

        Entries are (ts_ns, line) or (ts_ns, line, metadata). Strictly rising
        timestamps cannot hold duplicates, so none are checked. Returns the
        entries stored, or None, storing nothing, when the batch does not
        qualify and the caller must insert entries one by one.
        """
        previous = self.timestamps[-1] if len(self) else None
        for entry in batch:
            ts_ns = entry[0]
            if previous is not None and ts_ns <= previous:
                return None
            previous = ts_ns
        stored = [
            (entry[0], entry[1], Labels(entry[2]) if len(entry) > 2 and entry[2] else EMPTY_LABELS)
            for entry in batch
        ]
        self.timestamps.extend(entry[0] for entry in stored)
        self.lines.extend(entry[1] for entry in stored)
        self.metadata.extend(entry[2] for entry in stored)
        self.nbytes += sum(_entry_size(entry[1]) for entry in stored)
        return stored

    def evict_before(self, cutoff_ns: int) -> tuple[int, int]:
        """Evict entries older than cutoff_ns; return (entries, bytes) evicted."""
        stop = bisect_left(self.timestamps, cutoff_ns, self.head)
        return self._evict_to(stop)

    def evict_oldest(self, count: int) -> tuple[int, int]:
        """Evict the `count` oldest entries; return (entries, bytes) evicted."""
        return self._evict_to(min(self.head + count, len(self.timestamps)))

    def _evict_to(self, stop: int) -> tuple[int, int]:
        if stop <= self.head:
            return 0, 0
        freed = 0
        for index in range(self.head, stop):
            freed += _entry_size(self.lines[index])
            self.lines[index] = ""
        evicted = stop - self.head
        self.head = stop
        self.nbytes -= freed
        if self.head >= _COMPACT_AFTER or self.head == len(self.timestamps):
            self._compact()
        return evicted, freed

    def _compact(self) -> None:
        head = self.head
        del self.timestamps[:head]
        del self.lines[:head]
        del self.metadata[:head]
        self.head = 0


def _entry_size(line: str) -> int:
    return len(line.encode("utf-8", "surrogatepass")) + _ENTRY_OVERHEAD_BYTES


class LogStore:
    """All streams of the server, bounded by retention and by total size.

    `retention_ns` drops entries older than `now - retention_ns`. `max_bytes`
    evicts the oldest entries across all streams once the total size exceeds
    it. The size counts line bytes plus a fixed overhead per entry.
    """

    def __init__(self, retention_ns: int | None = None, max_bytes: int | None = None) -> None:
        self.retention_ns = retention_ns
        self.max_bytes = max_bytes
        self.streams: dict[tuple[tuple[str, str], ...], Stream] = {}
        self.total_bytes = 0
        self.total_entries = 0
        self.evicted_entries = 0
        self._next_expiry_ns = 0
        # Streams are only added or removed, never relabelled, so the streams a
        # selector matches stay valid until `_generation` changes.
        self._generation = 0
        self._selector_cache: dict[Hashable, tuple[int, list[Stream]]] = {}

    def stream_for(self, labels: Mapping[str, str]) -> Stream:
        """Return the stream for `labels`, creating it on first use.

        The stream's `labels` is the one shared `Labels` object for that label set.
        """
        key = labels.items_tuple if isinstance(labels, Labels) else tuple(sorted(labels.items()))
        stream = self.streams.get(key)
        if stream is None:
            stream = Stream(labels if isinstance(labels, Labels) else Labels(key))
            self.streams[key] = stream
            self._generation += 1
        return stream

    def streams_matching(
        self, selector: Hashable, matches: Callable[[Labels], bool]
    ) -> list[Stream]:
        """Return the streams whose labels `matches` accepts, cached per `selector`.

        `selector` is the cache key (the selector's matchers) and must decide
        `matches` alone. The list may include streams with no entries left.
        """
        cached = self._selector_cache.get(selector)
        if cached is not None and cached[0] == self._generation:
            return cached[1]
        found = [stream for stream in self.streams.values() if matches(stream.labels)]
        if len(self._selector_cache) >= _SELECTOR_CACHE_SIZE:
            self._selector_cache.clear()
        self._selector_cache[selector] = (self._generation, found)
        return found

    def append(
        self,
        labels: Mapping[str, str],
        entries: Iterable[tuple[int, str]] | Iterable[tuple[int, str, Mapping[str, str] | None]],
        now_ns: int | None = None,
    ) -> tuple[Stream, list[tuple[int, str, Labels]]]:
        """Insert entries into the stream of `labels`.

        Each entry is (ts_ns, line) or (ts_ns, line, structured metadata).
        Exact duplicates (same timestamp, stream and line) are dropped, as Loki
        does at ingest. Returns the stream and the entries actually stored.
        """
        stream = self.stream_for(labels)
        before = stream.nbytes
        batch = entries if isinstance(entries, list) else list(entries)
        accepted = stream.extend_sorted(batch)
        if accepted is None:
            accepted = self._insert_each(stream, batch)
        self.total_bytes += stream.nbytes - before
        self.total_entries += len(accepted)

        if now_ns is not None and now_ns >= self._next_expiry_ns:
            # A sweep visits every stream, so pushes run it at most once a second.
            # The server's queries start at `retention_cutoff`, so they skip
            # entries that wait for the next sweep.
            self._next_expiry_ns = now_ns + _EXPIRY_INTERVAL_NS
            self.expire(now_ns)
        self.enforce_max_bytes()
        return stream, accepted

    @staticmethod
    def _insert_each(stream: Stream, batch: list[Any]) -> list[tuple[int, str, Labels]]:
        accepted: list[tuple[int, str, Labels]] = []
        for entry in batch:
            ts_ns, line = entry[0], entry[1]
            raw_metadata = entry[2] if len(entry) > 2 else None
            metadata = Labels(raw_metadata) if raw_metadata else EMPTY_LABELS
            if stream.insert(ts_ns, line, metadata):
                accepted.append((ts_ns, line, metadata))
        return accepted

    def retention_cutoff(self, now_ns: int) -> int | None:
        """Return the oldest timestamp still retained at now_ns, or None without retention."""
        if self.retention_ns is None:
            return None
        return now_ns - self.retention_ns

    def expire(self, now_ns: int) -> int:
        """Evict entries older than the retention period; return how many were evicted."""
        cutoff = self.retention_cutoff(now_ns)
        if cutoff is None:
            return 0
        evicted_total = 0
        for stream in self.streams.values():
            first = stream.first_ts()
            if first is None or first >= cutoff:
                continue
            evicted, freed = stream.evict_before(cutoff)
            evicted_total += evicted
            self.total_bytes -= freed
        self._account_eviction(evicted_total)
        self._forget_empty_streams()
        return evicted_total

    def _forget_empty_streams(self) -> None:
        empty = [key for key, stream in self.streams.items() if not len(stream)]
        for key in empty:
            del self.streams[key]
        if empty:
            self._generation += 1

    def enforce_max_bytes(self) -> int:
        """Evict the oldest entries across streams until the size bound holds."""
        if self.max_bytes is None or self.total_bytes <= self.max_bytes:
            return 0
        heads: list[tuple[int, tuple[tuple[str, str], ...], Stream]] = []
        for stream in self.streams.values():
            first = stream.first_ts()
            if first is not None:
                heads.append((first, stream.key, stream))
        heapq.heapify(heads)
        evicted_total = 0
        while heads and self.total_bytes > self.max_bytes:
            _, key, stream = heapq.heappop(heads)
            evicted, freed = stream.evict_oldest(1)
            evicted_total += evicted
            self.total_bytes -= freed
            following = stream.first_ts()
            if following is not None:
                heapq.heappush(heads, (following, key, stream))
        self._account_eviction(evicted_total)
        self._forget_empty_streams()
        return evicted_total

    def _account_eviction(self, evicted: int) -> None:
        if not evicted:
            return
        self.total_entries -= evicted
        self.evicted_entries += evicted
        logger.debug("evicted %d entries, %d bytes remain", evicted, self.total_bytes)

    def iter_streams(self) -> Iterator[Stream]:
        """Yield every stream that contains at least one entry."""
        for stream in self.streams.values():
            if len(stream):
                yield stream
