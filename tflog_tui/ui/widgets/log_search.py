"""Find the next entry whose line matches a search, reading lines in chunks."""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable

SEARCH_CHUNK = 4_096
"""Lines read and searched at a time."""

LinesAt = Callable[[int, int], list[str]]
"""Return the lines at view positions [start, stop)."""


def _line_starts(lines: list[str]) -> list[int]:
    """Return the offset of each line in `"\\n".join(lines)`."""
    starts = []
    offset = 0
    for line in lines:
        starts.append(offset)
        offset += len(line) + 1
    return starts


def _first_literal(pattern: re.Pattern[str], lines: list[str]) -> int | None:
    """Return the first line matching a literal pattern, searching all lines joined at once.

    One search over the joined chunk runs in C; a hit is checked against its
    own line, so a match that runs across the joining newline is skipped.
    """
    joined = "\n".join(lines)
    starts = _line_starts(lines)
    position = 0
    while position <= len(joined):
        match = pattern.search(joined, position)
        if match is None:
            return None

        number = bisect_right(starts, match.start()) - 1
        if pattern.search(lines[number]) is not None:
            return number
        if number + 1 >= len(lines):
            return None
        position = starts[number + 1]
    return None


def _last_literal(pattern: re.Pattern[str], lines: list[str]) -> int | None:
    """Return the last line matching a literal pattern, searching all lines joined at once."""
    joined = "\n".join(lines)
    starts = _line_starts(lines)
    candidates = {bisect_right(starts, match.start()) - 1 for match in pattern.finditer(joined)}
    for number in sorted(candidates, reverse=True):
        if pattern.search(lines[number]) is not None:
            return number
    return None


def _first_each(pattern: re.Pattern[str], lines: list[str]) -> int | None:
    search = pattern.search
    for number, line in enumerate(lines):
        if search(line) is not None:
            return number
    return None


def _last_each(pattern: re.Pattern[str], lines: list[str]) -> int | None:
    search = pattern.search
    for number in range(len(lines) - 1, -1, -1):
        if search(lines[number]) is not None:
            return number
    return None


def find_match(
    pattern: re.Pattern[str],
    lines_at: LinesAt,
    start: int,
    count: int,
    *,
    forward: bool,
    literal: bool,
) -> int | None:
    """Return the first view position from `start` (inclusive, going `forward` or back)
    whose line matches `pattern`, or None.

    Literal patterns search whole chunks at once. Regular expressions are
    matched line by line, because anchors and lookarounds would see the
    neighbouring lines in a joined chunk.
    """
    first = _first_literal if literal else _first_each
    last = _last_literal if literal else _last_each

    if forward:
        low = max(0, start)
        while low < count:
            high = min(count, low + SEARCH_CHUNK)
            found = first(pattern, lines_at(low, high))
            if found is not None:
                return low + found
            low = high
        return None

    high = min(count, start + 1)
    while high > 0:
        low = max(0, high - SEARCH_CHUNK)
        found = last(pattern, lines_at(low, high))
        if found is not None:
            return low + found
        high = low
    return None
