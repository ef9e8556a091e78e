"""Filtered views of a pane buffer, kept as arrays of row ids.

A `RowView` holds the ids of the rows that pass a level filter and an
optional search, ascending, in an `array('q')`. It is built in bounded
chunks (`refresh(max_rows=...)` or `rebuild_steps()`), so a UI can spread
the work over timer ticks, and it is extended incrementally as entries are
appended or prepended. Evicted rows are dropped from its front.

The view keeps row ids rather than rows, so its contents stay valid while
the buffer evicts or prepends rows; `row(i)` converts back to a buffer row.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from itertools import compress
from typing import Final

from tflog_tui.buffer.levels import ALL_LEVELS, Level
from tflog_tui.buffer.pane_buffer import PaneBuffer
from tflog_tui.buffer.search import LineMatcher

# Rows scanned per step of `rebuild_steps`. A level filter over this many rows
# takes a few milliseconds and a regex search a few tens (measured estimates).
DEFAULT_CHUNK_ROWS: Final = 65_536


class RowView:
    """The rows of a `PaneBuffer` that pass a level set and an optional search."""

    __slots__ = (
        "_buffer",
        "_epoch",
        "_hi_id",
        "_ids",
        "_level_table",
        "_levels",
        "_lo_id",
        "_matcher",
    )

    def __init__(
        self,
        buffer: PaneBuffer,
        levels: Iterable[Level] | None = None,
        search: LineMatcher | None = None,
    ) -> None:
        self._buffer = buffer
        self._levels: frozenset[Level] = ALL_LEVELS if levels is None else frozenset(levels)
        self._level_table = _level_table(self._levels)
        self._matcher = search
        self._ids = array("q")
        self._epoch = buffer.epoch
        self._lo_id = buffer.first_row_id
        self._hi_id = buffer.first_row_id

    # Settings.

    @property
    def buffer(self) -> PaneBuffer:
        """The buffer this view filters."""
        return self._buffer

    @property
    def levels(self) -> frozenset[Level]:
        """The levels shown."""
        return self._levels

    @property
    def search(self) -> LineMatcher | None:
        """The search rows must match, or None."""
        return self._matcher

    @property
    def filtered(self) -> bool:
        """Whether the view can hide rows (a level is off or a search is set)."""
        return self._matcher is not None or self._levels != ALL_LEVELS

    def set_levels(self, levels: Iterable[Level] | None) -> None:
        """Show only rows with one of `levels` (None shows every level), restarting the scan."""
        new_levels = ALL_LEVELS if levels is None else frozenset(levels)
        if new_levels == self._levels:
            return

        self._levels = new_levels
        self._level_table = _level_table(new_levels)
        self._restart()

    def set_search(
        self, pattern: str | None, regex: bool = False, case_sensitive: bool = False
    ) -> None:
        """Show only rows matching `pattern` (None or "" clears the search), restarting the scan.

        Raises `SearchPatternError` (a ValueError) when `regex` is set and
        the pattern is invalid, and the view is then unchanged.
        """
        matcher = None
        if pattern:
            matcher = LineMatcher(pattern, regex=regex, case_sensitive=case_sensitive)

        self.set_matcher(matcher)

    def set_matcher(self, matcher: LineMatcher | None) -> None:
        """Show only rows `matcher` accepts (None clears the search), restarting the scan."""
        if matcher == self._matcher:
            return

        self._matcher = matcher
        self._restart()

    def _restart(self) -> None:
        self._ids = array("q")
        self._epoch = self._buffer.epoch
        self._lo_id = self._buffer.first_row_id
        self._hi_id = self._buffer.first_row_id

    # Scanning.

    @property
    def pending_rows(self) -> int:
        """The number of buffer rows not yet scanned (0 when the view is complete)."""
        if not self.filtered:
            return 0

        buffer = self._buffer
        if buffer.epoch != self._epoch:
            return len(buffer)

        first = buffer.first_row_id
        top = max(self._lo_id - first, 0)
        bottom = buffer.end_row_id - max(self._hi_id, first)
        return top + max(bottom, 0)

    def refresh(self, max_rows: int | None = None) -> int:
        """Bring the view up to date with the buffer, scanning at most `max_rows` rows.

        Drops evicted rows, then scans rows appended at the bottom, then rows
        prepended at the top. Returns the number of rows added to the view.
        Call it again while `pending_rows` is non-zero.
        """
        if not self.filtered:
            return 0

        buffer = self._buffer
        if buffer.epoch != self._epoch:
            self._restart()

        self._drop_evicted()

        budget = len(buffer) if max_rows is None else max(max_rows, 1)
        added = 0

        end = buffer.end_row_id
        if self._hi_id < end and budget > 0:
            stop = min(end, self._hi_id + budget)
            found = self._scan(self._hi_id, stop)
            self._ids.extend(found)
            budget -= stop - self._hi_id
            self._hi_id = stop
            added += len(found)

        first = buffer.first_row_id
        if first < self._lo_id and budget > 0:
            start = max(first, self._lo_id - budget)
            found = self._scan(start, self._lo_id)
            self._ids[0:0] = found
            self._lo_id = start
            added += len(found)

        return added

    def rebuild_steps(self, chunk_rows: int = DEFAULT_CHUNK_ROWS) -> Iterator[float]:
        """Rescan the whole buffer in chunks, yielding the fraction done after each.

        The view shows the rows found so far between steps. Entries that
        arrive during the scan are picked up by it. Run the steps on the
        thread that mutates the buffer, a few per timer tick.
        """
        self._restart()
        total = max(len(self._buffer), 1)
        while self.pending_rows:
            self.refresh(chunk_rows)
            yield min(1.0, 1.0 - self.pending_rows / total)

    def rebuild(self) -> None:
        """Rescan the whole buffer at once."""
        for _ in self.rebuild_steps():
            pass

    def _drop_evicted(self) -> None:
        first = self._buffer.first_row_id
        if self._lo_id >= first:
            return

        cut = bisect_left(self._ids, first)
        if cut:
            del self._ids[:cut]

        self._lo_id = first
        self._hi_id = max(self._hi_id, first)

    def _scan(self, start_id: int, stop_id: int) -> array[int]:
        """Return the ids in [start_id, stop_id) that pass the filter, ascending."""
        buffer = self._buffer
        first = buffer.first_row_id
        start = start_id - first
        stop = stop_id - first
        mask: bytes | None = None
        if self._levels != ALL_LEVELS:
            mask = buffer.levels_range(start, stop).translate(self._level_table)

        matcher = self._matcher
        if matcher is None:
            if mask is None:
                return array("q", range(start_id, stop_id))
            return _selected_ids(start_id, mask)

        lines = buffer.lines_range(start, stop)
        if mask is None:
            return _selected_ids(start_id, bytes(matcher.flags(lines)))

        candidates = _selected_ids(start_id, mask)
        matched = _selected_ids(0, bytes(matcher.flags(list(compress(lines, mask)))))
        return array("q", map(candidates.__getitem__, matched))

    # Reading.

    def __len__(self) -> int:
        if not self.filtered:
            return len(self._buffer)

        return len(self._ids)

    def row(self, index: int) -> int:
        """Return the buffer row shown at position `index` of the view.

        Raises IndexError when the position is outside the view or its row
        was evicted since the last `refresh()`.
        """
        if not self.filtered:
            if not 0 <= index < len(self._buffer):
                raise IndexError(f"view position {index} is outside 0..{len(self._buffer) - 1}")
            return index

        row = self._ids[index] - self._buffer.first_row_id
        if row < 0:
            raise IndexError(
                f"view position {index} refers to an evicted row. Call refresh() first."
            )

        return row

    def row_id(self, index: int) -> int:
        """Return the stable row id shown at position `index` of the view."""
        if not self.filtered:
            return self._buffer.first_row_id + self.row(index)

        return self._ids[index]

    def index_of(self, row: int, *, nearest: bool = False) -> int | None:
        """Return the view position of buffer `row`.

        When the row is not in the view, returns None. With `nearest` it
        returns the position of the next row shown after it instead, or the
        last position when none follows (None when the view is empty).
        """
        if not self.filtered:
            if 0 <= row < len(self._buffer):
                return row
            if not nearest or not len(self._buffer):
                return None
            return min(max(row, 0), len(self._buffer) - 1)

        ids = self._ids
        row_id = self._buffer.first_row_id + row
        index = bisect_left(ids, row_id)
        if index < len(ids) and ids[index] == row_id:
            return index

        if not nearest or not ids:
            return None

        return min(index, len(ids) - 1)

    def find_next(
        self, from_row: int, levels: Iterable[Level] | None = None, forward: bool = True
    ) -> int | None:
        """Return the nearest buffer row after (or before) `from_row` shown in this view.

        With `levels`, only rows at one of those levels count (next error:
        `levels={Level.CRITICAL, Level.ERROR}`). Without it, the next row of
        the view: with a search set, the next match. `from_row` itself is
        skipped, so pass -1 to start at the top and `len(buffer)` to start
        backward from the bottom. Returns None when there is none.
        """
        buffer = self._buffer
        requested = self._levels if levels is None else self._levels & frozenset(levels)
        if not requested:
            return None

        if self._matcher is None:
            if requested == ALL_LEVELS:
                target = from_row + 1 if forward else from_row - 1
                return target if 0 <= target < len(buffer) else None

            return buffer.find_level(from_row, requested, forward=forward)

        return self._find_in_ids(from_row, requested, forward)

    def _find_in_ids(self, from_row: int, requested: frozenset[Level], forward: bool) -> int | None:
        buffer = self._buffer
        first = buffer.first_row_id
        ids = self._ids
        check_level = requested != self._levels
        codes = {int(level) for level in requested}

        # Ids below `first` were evicted since the last refresh, so skip them.
        if forward:
            index = max(bisect_right(ids, first + from_row), bisect_left(ids, first))
            step = 1
        else:
            index = bisect_left(ids, first + from_row) - 1
            step = -1

        size = len(buffer)
        while 0 <= index < len(ids):
            row = ids[index] - first
            if row < 0 or row >= size:
                return None

            if not check_level or buffer.level(row) in codes:
                return row

            index += step

        return None


def _selected_ids(first_id: int, mask: bytes) -> array[int]:
    """Return `first_id + i` for every index i where `mask[i]` is 1, ascending.

    Each id is an int object to create, so a sparse mask is walked with
    `bytes.find`, which skips unselected rows in C.
    """
    selected = mask.count(1)
    if selected == 0:
        return array("q")

    if selected == len(mask):
        return array("q", range(first_id, first_id + len(mask)))

    if selected * 8 > len(mask):
        return array("q", compress(range(first_id, first_id + len(mask)), mask))

    ids = array("q")
    append = ids.append
    find = mask.find
    index = find(1)
    while index >= 0:
        append(first_id + index)
        index = find(1, index + 1)

    return ids


def _level_table(levels: frozenset[Level]) -> bytes:
    """Return a `bytes.translate` table mapping shown level codes to 1 and others to 0."""
    table = bytearray(256)
    for level in levels:
        table[int(level)] = 1

    return bytes(table)
