"""Bounded columnar storage for the entries shown in one pane.

A pane may hold a million entries, so the buffer keeps one column per field
instead of one object per entry:

- timestamps in an `array('q')` (8 bytes an entry),
- a stream id in an `array('I')` (4 bytes) pointing into a table of
  interned (labels, structured metadata, parsed labels) triples,
- a level code in a `bytearray` (1 byte),
- the line as a `str` in a list (an 8-byte pointer plus the string itself).

That is about 22 bytes an entry besides the line strings, measured with
tracemalloc over 200,000 entries. Keeping the lines as UTF-8 in one
`bytearray` with offsets would save about 49 bytes an entry on 96-character
ASCII lines, but reading a line back would cost about 200 ns instead of
30 ns, and search would have to decode, so lines stay `str`.

Older entries arrive at the top (backward range pages, newest first) and
newer entries at the bottom (tail, forward pages), so the columns come in two
halves. The front half stores prepended entries in reverse order and grows
at its end. The back half stores appended entries in order. Both sides are
amortized O(1). Evicting the oldest rows shrinks the front half from its end
or advances a head offset into the back half, which is compacted in chunks.

Rows are numbered 0..len-1 from the oldest. Each row also has a row id,
`first_row_id + row`, that stays the same while rows are evicted above it or
prepended before it, so views and cursors can hold row ids.

NOTE: a buffer is not thread-safe. Mutate it and read it from one thread, or
guard it with a lock.
"""

from __future__ import annotations

import logging
from array import array
from collections.abc import Collection, Iterable
from itertools import islice, repeat
from typing import Final

from tflog_tui.buffer.levels import Level, detect_line_level, level_from_labels
from tflog_tui.loki.models import EMPTY_LABELS, Entry, EntryPage, LabelInterner, Labels

logger = logging.getLogger(__name__)

DEFAULT_CAPACITY: Final = 1_000_000

# The stream table is first collected when it reaches this many triples.
MIN_STREAMS_TO_COLLECT: Final = 4096

# The back half drops its evicted head in one `del` once this many rows have
# been evicted from it, so eviction costs O(1) amortized per row.
COMPACT_ROWS: Final = 1 << 16

_LEVEL_CODES: Final[tuple[int, ...]] = tuple(int(level) for level in Level)

StreamKey = tuple[Labels, Labels, Labels]


class PaneBuffer:
    """Columnar, bounded storage of log entries, ordered oldest first."""

    __slots__ = (
        "_back_level",
        "_back_line",
        "_back_stream",
        "_back_ts",
        "_capacity",
        "_collect_at",
        "_counts",
        "_epoch",
        "_first_row_id",
        "_front_level",
        "_front_line",
        "_front_stream",
        "_front_ts",
        "_head",
        "_interner",
        "_stream_by_identity",
        "_stream_by_key",
        "_stream_levels",
        "_streams",
        "dropped",
        "evicted",
        "version",
    )

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        if capacity < 1:
            raise ValueError(f"pane buffer capacity must be at least 1, got {capacity}")

        self._capacity = capacity
        self._epoch = 0
        self._first_row_id = 0
        self.evicted = 0
        """Rows removed from the top because the buffer was full, in total."""
        self.dropped = 0
        """Entries passed to `prepend` that were not stored because the buffer was full."""
        self.version = 0
        """A counter increased by every change, so a view can tell whether to refresh."""
        self._reset_columns()
        self._reset_streams()

    # Layout.

    def _reset_columns(self) -> None:
        self._front_ts = array("q")
        self._front_stream = array("I")
        self._front_level = bytearray()
        self._front_line: list[str] = []
        self._back_ts = array("q")
        self._back_stream = array("I")
        self._back_level = bytearray()
        self._back_line: list[str] = []
        self._head = 0
        self._counts = [0] * (len(Level) + 1)

    def _reset_streams(self) -> None:
        self._interner = LabelInterner()
        self._streams: list[StreamKey] = []
        self._stream_levels = bytearray()
        self._stream_by_key: dict[StreamKey, int] = {}
        self._stream_by_identity: dict[tuple[int, int, int], int] = {}
        self._collect_at = MIN_STREAMS_TO_COLLECT

    @property
    def capacity(self) -> int:
        """The maximum number of rows held. Appending beyond it evicts the oldest rows."""
        return self._capacity

    @property
    def first_row_id(self) -> int:
        """The row id of row 0 (the oldest entry held)."""
        return self._first_row_id

    @property
    def end_row_id(self) -> int:
        """The row id one past the newest entry held."""
        return self._first_row_id + len(self)

    @property
    def epoch(self) -> int:
        """A counter increased by `clear()`. Row ids from an earlier epoch are invalid."""
        return self._epoch

    @property
    def stream_count(self) -> int:
        """The size of the stream table. Stream ids run from 0 to `stream_count - 1`.

        The table may still hold triples of evicted rows until it is next
        collected.
        """
        return len(self._streams)

    def __len__(self) -> int:
        return len(self._front_ts) + len(self._back_ts) - self._head

    def __bool__(self) -> bool:
        return len(self) > 0

    # Ingest.

    def append(self, entries: Iterable[Entry]) -> int:
        """Add entries newer than every entry held at the bottom, oldest first.

        Returns the number of entries added. When the buffer overflows, the
        oldest rows are evicted (and counted in `evicted`).
        """
        ts_column = self._back_ts
        stream_column = self._back_stream
        level_column = self._back_level
        line_column = self._back_line
        start = len(ts_column)

        if isinstance(entries, EntryPage):
            self._ingest_page(entries, ts_column, stream_column, level_column, line_column)
        else:
            self._ingest(entries, ts_column, stream_column, level_column, line_column)

        added = len(ts_column) - start
        if added == 0:
            return 0

        counts = self._counts
        for code in _LEVEL_CODES:
            counts[code] += level_column.count(code, start)

        self.version += 1

        overflow = len(self) - self._capacity
        if overflow > 0:
            self._evict(overflow)

        if len(self._streams) >= self._collect_at:
            self._collect_streams()

        return added

    def prepend(self, entries_newest_first: Iterable[Entry]) -> int:
        """Add entries older than every entry held at the top, newest first.

        Backward range pages arrive in this order. A full buffer keeps the
        entries it holds: entries that do not fit are not stored and are
        counted in `dropped`. Returns the number of entries stored.
        """
        room = self._capacity - len(self)
        if not isinstance(entries_newest_first, Collection):
            entries_newest_first = list(entries_newest_first)

        excess = len(entries_newest_first) - room
        if excess > 0:
            self.dropped += excess
            logger.debug("pane buffer full: %d older entries not stored", excess)

        ts_column = self._front_ts
        level_column = self._front_level
        start = len(ts_column)

        if isinstance(entries_newest_first, EntryPage):
            page = entries_newest_first
            self._ingest_page(
                page if excess <= 0 else page[: max(room, 0)],
                ts_column,
                self._front_stream,
                level_column,
                self._front_line,
            )
        else:
            self._ingest(
                islice(entries_newest_first, max(room, 0)),
                ts_column,
                self._front_stream,
                level_column,
                self._front_line,
            )

        added = len(ts_column) - start
        if added == 0:
            return 0

        counts = self._counts
        for code in _LEVEL_CODES:
            counts[code] += level_column.count(code, start)

        self._first_row_id -= added
        self.version += 1

        if len(self._streams) >= self._collect_at:
            self._collect_streams()

        return added

    def _ingest(
        self,
        entries: Iterable[Entry],
        ts_column: array[int],
        stream_column: array[int],
        level_column: bytearray,
        line_column: list[str],
    ) -> None:
        """Append each entry's fields to one half's columns (the hot loop of ingest)."""
        ts_append = ts_column.append
        stream_append = stream_column.append
        level_append = level_column.append
        line_append = line_column.append
        stream_levels = self._stream_levels
        by_identity = self._stream_by_identity
        detect = detect_line_level

        last_labels: object = None
        last_metadata: object = None
        last_parsed: object = None
        stream = 0

        for entry in entries:
            labels = entry.labels
            metadata = entry.metadata
            parsed = entry.parsed
            if (
                labels is not last_labels
                or metadata is not last_metadata
                or parsed is not last_parsed
            ):
                found = by_identity.get((id(labels), id(metadata), id(parsed)))
                stream = self._stream_id(labels, metadata, parsed) if found is None else found
                last_labels = labels
                last_metadata = metadata
                last_parsed = parsed

            line = entry.line
            code = stream_levels[stream] or detect(line)

            ts_append(entry.ts_ns)
            stream_append(stream)
            level_append(code)
            line_append(line)

    def _ingest_page(
        self,
        page: EntryPage,
        ts_column: array[int],
        stream_column: array[int],
        level_column: bytearray,
        line_column: list[str],
    ) -> None:
        """Extend one half's columns with a page's columns, in the page's order.

        The page's stream table is mapped to stream ids once per stream. A
        stream whose labels name a level gives that level to all its
        entries. The other entries have their line examined.
        """
        by_identity = self._stream_by_identity
        stream_levels = self._stream_levels
        ids = []
        for labels, metadata, parsed in page.streams:
            found = by_identity.get((id(labels), id(metadata), id(parsed)))
            ids.append(self._stream_id(labels, metadata, parsed) if found is None else found)
        levels = [stream_levels[stream] for stream in ids]

        # Every column is built before any is extended, so a timestamp
        # outside int64 raises with the buffer unchanged.
        stream_ids = page.stream_ids
        lines = page.lines
        stamps = array("q", page.ts_ns)
        if len(ids) == 1:
            streams = array("I", repeat(ids[0], len(stream_ids)))
        else:
            streams = array("I", map(ids.__getitem__, stream_ids))

        # TODO: decode + store of a 5,000-entry page reaches about 0.14 of the
        # throughput of orjson.loads (bench/bench_ingest.py) because
        # detect_line_level takes about 0.87 µs per logfmt line, 4.4 ms a page.
        if not any(levels):
            codes = bytes(map(detect_line_level, lines))
        elif all(levels):
            codes = bytes(map(levels.__getitem__, stream_ids))
        else:
            codes = bytes(
                [
                    levels[stream] or detect_line_level(line)
                    for stream, line in zip(stream_ids, lines, strict=True)
                ]
            )

        ts_column.extend(stamps)
        stream_column.extend(streams)
        level_column.extend(codes)
        line_column.extend(lines)

    def _stream_id(self, labels: Labels, metadata: Labels, parsed: Labels) -> int:
        """Return the id of a (labels, metadata, parsed) triple, adding it on first use.

        Structured metadata or parsed labels that differ on every entry (a
        trace id, fields extracted by `| json`) add one triple per entry, a
        few hundred bytes each. `_collect_streams` drops the triples of
        evicted rows.
        """
        key = (labels, metadata, parsed)
        found = self._stream_by_key.get(key)
        if found is not None:
            return found

        level = level_from_labels(labels, metadata, parsed)
        return self._add_stream(labels, metadata, parsed, 0 if level is None else int(level))

    def _add_stream(self, labels: Labels, metadata: Labels, parsed: Labels, level: int) -> int:
        """Append a triple to the stream table and return its id.

        `level` is the triple's level code, or 0 when each line is examined.
        """
        intern = self._interner.intern
        shared = (
            intern(labels),
            EMPTY_LABELS if not metadata else intern(metadata),
            EMPTY_LABELS if not parsed else intern(parsed),
        )
        stream = len(self._streams)
        self._streams.append(shared)
        self._stream_by_key[shared] = stream

        # The table keeps the shared objects alive, so their ids stay unique
        # until a collection drops them together with this key.
        self._stream_by_identity[(id(shared[0]), id(shared[1]), id(shared[2]))] = stream

        self._stream_levels.append(level)
        return stream

    def _evict(self, count: int) -> None:
        """Remove the `count` oldest rows."""
        counts = self._counts

        front_len = len(self._front_ts)
        from_front = min(count, front_len)
        if from_front:
            cut = front_len - from_front
            for code in _LEVEL_CODES:
                counts[code] -= self._front_level.count(code, cut)

            del self._front_ts[cut:]
            del self._front_stream[cut:]
            del self._front_level[cut:]
            del self._front_line[cut:]

        from_back = count - from_front
        if from_back:
            head = self._head
            for code in _LEVEL_CODES:
                counts[code] -= self._back_level.count(code, head, head + from_back)

            self._head = head + from_back
            if self._head >= COMPACT_ROWS or self._head * 2 >= len(self._back_ts):
                self._compact_back()

        self._first_row_id += count
        self.evicted += count
        self.version += 1

    def _collect_streams(self) -> None:
        """Drop stream triples no held row uses, and renumber the rest densely.

        Runs when the table reaches `_collect_at` triples. The next run waits
        until the table is twice the size that survived, so the O(rows) cost
        is amortized O(1) per new triple. Stream ids change.
        """
        self._compact_back()
        live = set(self._front_stream)
        live.update(self._back_stream)
        self._collect_at = max(MIN_STREAMS_TO_COLLECT, 2 * len(live))
        if len(live) == len(self._streams):
            return

        survivors = sorted(live)
        new_ids = [0] * len(self._streams)
        for new_id, old_id in enumerate(survivors):
            new_ids[old_id] = new_id

        renumber = new_ids.__getitem__
        self._front_stream = array("I", map(renumber, self._front_stream))
        self._back_stream = array("I", map(renumber, self._back_stream))

        old_streams = self._streams
        old_levels = self._stream_levels
        self._reset_streams()
        self._collect_at = max(MIN_STREAMS_TO_COLLECT, 2 * len(live))
        for old_id in survivors:
            self._add_stream(*old_streams[old_id], old_levels[old_id])

        logger.debug(
            "pane buffer stream table collected: %d of %d triples kept",
            len(survivors),
            len(old_streams),
        )
        self.version += 1

    def _compact_back(self) -> None:
        head = self._head
        del self._back_ts[:head]
        del self._back_stream[:head]
        del self._back_level[:head]
        del self._back_line[:head]
        self._head = 0

    def clear(self) -> None:
        """Remove every row and forget the stream table. `epoch` increases by one."""
        self._first_row_id = self.end_row_id
        self._reset_columns()
        self._reset_streams()
        self._epoch += 1
        self.version += 1

    # Row access.

    def _check(self, row: int) -> int:
        """Raise IndexError unless `row` is held, then return the front half's length."""
        front_len = len(self._front_ts)
        if not 0 <= row < front_len + len(self._back_ts) - self._head:
            raise IndexError(f"row {row} is not in the pane buffer (0..{len(self) - 1})")

        return front_len

    def ts_ns(self, row: int) -> int:
        """Return the timestamp of `row`, nanoseconds since the epoch."""
        front_len = self._check(row)
        if row < front_len:
            return self._front_ts[front_len - 1 - row]

        return self._back_ts[self._head + row - front_len]

    def line(self, row: int) -> str:
        """Return the line of `row` as Loki sent it (untrusted: see `safe_text`)."""
        front_len = self._check(row)
        if row < front_len:
            return self._front_line[front_len - 1 - row]

        return self._back_line[self._head + row - front_len]

    def stream(self, row: int) -> int:
        """Return the stream id of `row`, an index into the buffer's stream table."""
        front_len = self._check(row)
        if row < front_len:
            return self._front_stream[front_len - 1 - row]

        return self._back_stream[self._head + row - front_len]

    def level(self, row: int) -> Level:
        """Return the level of `row`."""
        front_len = self._check(row)
        if row < front_len:
            return Level(self._front_level[front_len - 1 - row])

        return Level(self._back_level[self._head + row - front_len])

    def labels(self, row: int) -> Labels:
        """Return the stream labels of `row`."""
        return self._streams[self.stream(row)][0]

    def metadata(self, row: int) -> Labels:
        """Return the structured metadata of `row` (empty when Loki sent none)."""
        return self._streams[self.stream(row)][1]

    def parsed(self, row: int) -> Labels:
        """Return the labels parser stages extracted for `row` (empty when Loki sent none)."""
        return self._streams[self.stream(row)][2]

    def entry(self, row: int) -> Entry:
        """Rebuild the `Entry` stored at `row`."""
        labels, metadata, parsed = self._streams[self.stream(row)]
        return Entry(self.ts_ns(row), self.line(row), labels, metadata, parsed)

    def stream_key(self, stream: int) -> StreamKey:
        """Return the (labels, metadata, parsed) triple of a stream id."""
        return self._streams[stream]

    def row_id(self, row: int) -> int:
        """Return the stable id of `row`."""
        self._check(row)
        return self._first_row_id + row

    def row_of(self, row_id: int) -> int | None:
        """Return the current row of a row id, or None when it was evicted or never held."""
        row = row_id - self._first_row_id
        if 0 <= row < len(self):
            return row

        return None

    # Ranges, for views and search (all ascending, oldest first).

    def _split(self, start: int, stop: int) -> tuple[int, int, int, int]:
        """Map rows [start, stop) to a front index range and a back index range.

        Returns (front_lo, front_hi, back_lo, back_hi): front indices are
        stored newest first, so rows ascending are front indices descending.
        """
        size = len(self)
        start = max(0, start)
        stop = min(size, stop)
        front_len = len(self._front_ts)
        if start >= stop:
            return (0, 0, self._head, self._head)

        front_lo = front_len - min(stop, front_len)
        front_hi = front_len - min(start, front_len)
        back_lo = self._head + max(start - front_len, 0)
        back_hi = self._head + max(stop - front_len, 0)
        return (front_lo, front_hi, back_lo, back_hi)

    def lines_range(self, start: int, stop: int) -> list[str]:
        """Return the lines of rows [start, stop), oldest first."""
        front_lo, front_hi, back_lo, back_hi = self._split(start, stop)
        if front_lo == front_hi:
            return self._back_line[back_lo:back_hi]

        lines = self._front_line[front_lo:front_hi]
        lines.reverse()
        lines += self._back_line[back_lo:back_hi]
        return lines

    def levels_range(self, start: int, stop: int) -> bytes:
        """Return the level codes of rows [start, stop), oldest first, one byte a row."""
        front_lo, front_hi, back_lo, back_hi = self._split(start, stop)
        front = self._front_level[front_lo:front_hi]
        front.reverse()
        return bytes(front) + self._back_level[back_lo:back_hi]

    def ts_range(self, start: int, stop: int) -> array[int]:
        """Return the timestamps of rows [start, stop), oldest first, in nanoseconds."""
        front_lo, front_hi, back_lo, back_hi = self._split(start, stop)
        front = self._front_ts[front_lo:front_hi]
        front.reverse()
        front.extend(self._back_ts[back_lo:back_hi])
        return front

    # Levels.

    def level_counts(self) -> dict[Level, int]:
        """Return the number of rows held at each level."""
        counts = self._counts
        return {level: counts[level] for level in Level}

    def find_level(
        self, from_row: int, levels: Iterable[Level], *, forward: bool = True
    ) -> int | None:
        """Return the nearest row after (or before) `from_row` whose level is in `levels`.

        `from_row` itself is not considered, so pass -1 to search from the
        top and `len(buffer)` to search backward from the bottom. Scans the
        level bytes with `bytearray.find` / `rfind`, one pass per level.
        """
        codes = sorted({int(level) for level in levels})
        if not codes:
            return None

        if forward:
            return self._find_forward(from_row + 1, codes)

        return self._find_backward(from_row - 1, codes)

    def _find_forward(self, start: int, codes: list[int]) -> int | None:
        size = len(self)
        start = max(start, 0)
        if start >= size:
            return None

        front_len = len(self._front_ts)
        if start < front_len:
            # Rows [start, front_len) are front indices [0, front_len - start), newest first.
            best = -1
            for code in codes:
                best = max(best, self._front_level.rfind(code, 0, front_len - start))

            if best >= 0:
                return front_len - 1 - best

        head = self._head
        back_start = head + max(start - front_len, 0)
        best = -1
        for code in codes:
            index = self._back_level.find(code, back_start)
            if index >= 0 and (best < 0 or index < best):
                best = index

        if best < 0:
            return None

        return front_len + best - head

    def _find_backward(self, start: int, codes: list[int]) -> int | None:
        size = len(self)
        start = min(start, size - 1)
        if start < 0:
            return None

        front_len = len(self._front_ts)
        head = self._head
        if start >= front_len:
            best = -1
            for code in codes:
                best = max(best, self._back_level.rfind(code, head, head + start - front_len + 1))

            if best >= 0:
                return front_len + best - head

        front_start = front_len - 1 - min(start, front_len - 1)
        best = -1
        for code in codes:
            index = self._front_level.find(code, front_start)
            if index >= 0 and (best < 0 or index < best):
                best = index

        if best < 0:
            return None

        return front_len - 1 - best
