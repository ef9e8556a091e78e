"""The rows of a pane buffer that pass the level filter, as an index the log view can bisect."""

from __future__ import annotations

import re
from array import array
from bisect import bisect_left

from tflog_tui.buffer import ALL_LEVELS, Level, PaneBuffer


class VisibleRows:
    """Map view positions to buffer row ids for the entries whose level is selected.

    The mapping is a snapshot taken by `refresh()`: between two refreshes the
    buffer may grow or evict rows, and the view keeps showing what it had, so
    a position never points at a different entry than the one drawn.

    With every level selected the mapping is a plain offset and costs
    nothing. Otherwise the row ids passing the filter are kept ascending in
    an `array('q')` (8 bytes a row) and extended by scanning only the level
    bytes of rows appended, prepended or evicted since the last refresh.
    """

    def __init__(self, buffer: PaneBuffer, levels: frozenset[Level] = ALL_LEVELS) -> None:
        self.buffer = buffer
        self.levels: frozenset[Level] = frozenset(levels)
        self._ids: array[int] = array("q")
        self._first_id = buffer.first_row_id
        self._end_id = buffer.first_row_id
        self._epoch = buffer.epoch
        self._pattern: re.Pattern[bytes] | None = None
        self.set_levels(self.levels)

    @property
    def is_filtered(self) -> bool:
        """True when some level is hidden."""
        return self._pattern is not None

    def set_levels(self, levels: frozenset[Level] | set[Level]) -> None:
        """Select the levels shown and rebuild the index (a scan of the level bytes)."""
        self.levels = frozenset(levels)
        if self.levels >= ALL_LEVELS:
            self._pattern = None
        elif self.levels:
            codes = b"".join(re.escape(bytes([int(level)])) for level in sorted(self.levels))
            self._pattern = re.compile(b"[" + codes + b"]")
        else:
            self._pattern = re.compile(b"(?!)")

        self._ids = array("q")
        self._first_id = self.buffer.first_row_id
        self._end_id = self._first_id
        self.refresh()

    def refresh(self) -> None:
        """Catch up with rows appended, prepended or evicted since the last call."""
        buffer = self.buffer
        if buffer.epoch != self._epoch:
            self._epoch = buffer.epoch
            self._ids = array("q")
            self._first_id = buffer.first_row_id
            self._end_id = self._first_id

        first_id = buffer.first_row_id
        end_id = buffer.end_row_id
        if self._pattern is None:
            self._first_id = first_id
            self._end_id = end_id
            return

        if first_id > self._first_id:
            del self._ids[: bisect_left(self._ids, first_id)]
            self._first_id = first_id
            self._end_id = max(self._end_id, first_id)

        if first_id < self._first_id:
            older = self._scan(first_id, self._first_id)
            older.extend(self._ids)
            self._ids = older
            self._first_id = first_id

        if end_id > self._end_id:
            self._ids.extend(self._scan(self._end_id, end_id))
            self._end_id = end_id

    def _scan(self, start_id: int, stop_id: int) -> array[int]:
        """Return the ids of rows in [start_id, stop_id) whose level is selected."""
        assert self._pattern is not None
        offset = self.buffer.first_row_id
        codes = self.buffer.levels_range(start_id - offset, stop_id - offset)
        return array("q", (start_id + match.start() for match in self._pattern.finditer(codes)))

    def __len__(self) -> int:
        if self._pattern is None:
            return self._end_id - self._first_id
        return len(self._ids)

    def row_id(self, index: int) -> int:
        """Return the row id shown at view position `index` (0 <= index < len)."""
        if self._pattern is None:
            return self._first_id + index
        return self._ids[index]

    def index_of(self, row_id: int) -> int | None:
        """Return the view position of `row_id`, or None when it is not shown."""
        index = self.insertion_index(row_id)
        if index < len(self) and self.row_id(index) == row_id:
            return index
        return None

    def insertion_index(self, row_id: int) -> int:
        """Return the view position of the first shown row id at or after `row_id`."""
        if self._pattern is None:
            return max(0, min(row_id - self._first_id, len(self)))
        return bisect_left(self._ids, row_id)

    @property
    def end_id(self) -> int:
        """Row id one past the newest row covered by the last refresh."""
        return self._end_id
