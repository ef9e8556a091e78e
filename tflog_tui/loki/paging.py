"""Exact paging of log queries: page boundaries, equal timestamps, split ranges.

Loki's `limit` cuts a page in the middle of the entries that share the
boundary timestamp. The next page therefore starts at that timestamp again:
forward with `start = last`, backward with `end = last + 1` because `end` is
exclusive. It drops only the entries already returned at that timestamp,
compared by (timestamp, labels, line). When a whole page shares one
timestamp, asking again from that timestamp makes no progress. The client
then reads that single nanosecond with line filters that split it
(`LinePartition`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Final, Literal, TypeVar

from tflog_tui.logql.units import parse_duration
from tflog_tui.loki.decode import timestamp_of
from tflog_tui.loki.models import Entry, EntryPage, Labels

Direction = Literal["forward", "backward"]

PageT = TypeVar("PageT", list[Entry], EntryPage)

MAX_CODE_POINT: Final = 0x10FFFF
_SURROGATES_FIRST: Final = 0xD800
_SURROGATES_LAST: Final = 0xDFFF

_MAX_ENTRIES_ERROR = re.compile(r"max entries limit.*?\((\d+)\s*>\s*(\d+)\)", re.DOTALL)
_QUERY_LENGTH_ERROR = re.compile(
    r"query time range exceeds the limit \(query length: [^,]*, limit: ([^)]+)\)"
)


def parse_max_entries_limit(text: str) -> int | None:
    """Return the server's maximum page size from a `max entries limit` error, or None.

    Loki 2.8 writes `max entries limit per query exceeded, limit > max_entries_limit (6000 > 5000)`
    and 3.x writes `... limit > max_entries_limit_per_query (6000 > 5000)`. Both give 5000.
    """
    match = _MAX_ENTRIES_ERROR.search(text)
    if match is None:
        return None
    return int(match.group(2))


def parse_max_query_length(text: str) -> int | None:
    """Return the server's `max_query_length` in nanoseconds from its error, or None.

    Loki writes `the query time range exceeds the limit (query length: 744h0m0s, limit: 721h)`.
    """
    match = _QUERY_LENGTH_ERROR.search(text)
    if match is None:
        return None
    try:
        return parse_duration(match.group(1).strip())
    except ValueError:
        return None


def sort_page(entries: PageT, direction: Direction) -> PageT:
    """Sort the entries of one page (stream after stream) into `direction` order, stably.

    A list is sorted in place. An `EntryPage` is sorted by its timestamp
    column into a new page, or returned as it is when already in order.
    Entries that share a timestamp keep Loki's order in both directions.
    """
    if isinstance(entries, EntryPage):
        return entries.sorted_by_time(reverse=direction == "backward")

    entries.sort(key=timestamp_of, reverse=direction == "backward")
    return entries


@dataclass
class PageCursor:
    """The position of an exact paged read over `[start_ns, end_ns)`.

    `start_ns` is inclusive and `end_ns` exclusive, in nanoseconds. After
    each page, `accept` moves the window to the boundary timestamp and keeps
    the keys returned at it, so that the next page drops exactly those.
    """

    start_ns: int
    end_ns: int
    direction: Direction
    boundary_ns: int | None = None
    seen_at_boundary: set[tuple[int, Labels, str]] = field(default_factory=set)
    done: bool = False

    @property
    def position_ns(self) -> int:
        """Return how far the read has come: the next start (forward) or end (backward)."""
        return self.start_ns if self.direction == "forward" else self.end_ns

    def accept(self, page: PageT, requested: int) -> tuple[PageT, bool]:
        """Take one page sorted in direction order; return (new entries, stuck).

        `requested` is the `limit` the page was asked with; a shorter page
        ends the read. `stuck` is True when the page was full and every
        entry in it shares one timestamp: the caller must then read that
        nanosecond another way and call `skip_timestamp`. An `EntryPage`
        is read by its columns and gives an `EntryPage`.
        """
        if isinstance(page, EntryPage):
            return self._accept_columns(page, requested)

        boundary = self.boundary_ns
        seen = self.seen_at_boundary
        if boundary is None or not seen:
            fresh = page
        else:
            fresh = [entry for entry in page if entry.ts_ns != boundary or entry.key not in seen]

        if len(page) < requested or not page:
            self.done = True
            return fresh, False

        first_ns = page[0].ts_ns
        last_ns = page[-1].ts_ns
        if last_ns != boundary:
            self.boundary_ns = last_ns
            self.seen_at_boundary = set()
        for entry in reversed(page):
            if entry.ts_ns != last_ns:
                break
            self.seen_at_boundary.add(entry.key)

        return fresh, self._advance(first_ns, last_ns)

    def _accept_columns(self, page: EntryPage, requested: int) -> tuple[EntryPage, bool]:
        """Do what `accept` does on a page's columns, visiting only entries at the boundaries."""
        ts_ns = page.ts_ns
        boundary = self.boundary_ns
        seen = self.seen_at_boundary
        fresh = page
        if boundary is not None and seen and boundary in ts_ns:
            repeated = []
            index = ts_ns.index(boundary)
            while True:
                if page.key_at(index) in seen:
                    repeated.append(index)
                try:
                    index = ts_ns.index(boundary, index + 1)
                except ValueError:
                    break

            if repeated == list(range(len(repeated))):
                fresh = page[len(repeated) :]
            elif repeated:
                dropped = set(repeated)
                fresh = page.take(index for index in range(len(page)) if index not in dropped)

        if len(page) < requested or not page:
            self.done = True
            return fresh, False

        first_ns = ts_ns[0]
        last_ns = ts_ns[-1]
        if last_ns != boundary:
            self.boundary_ns = last_ns
            self.seen_at_boundary = set()
        add = self.seen_at_boundary.add
        for index in range(len(ts_ns) - 1, -1, -1):
            if ts_ns[index] != last_ns:
                break
            add(page.key_at(index))

        return fresh, self._advance(first_ns, last_ns)

    def _advance(self, first_ns: int, last_ns: int) -> bool:
        """Move the window to the last timestamp of a full page; return whether it is stuck."""
        if self.direction == "forward":
            self.start_ns = last_ns
        else:
            self.end_ns = last_ns + 1
        if self.start_ns >= self.end_ns:
            self.done = True
        return first_ns == last_ns

    def skip_timestamp(self, ts_ns: int) -> None:
        """Move past `ts_ns` after all its entries were read some other way."""
        if self.direction == "forward":
            self.start_ns = ts_ns + 1
        else:
            self.end_ns = ts_ns
        self.boundary_ns = None
        self.seen_at_boundary = set()
        if self.start_ns >= self.end_ns:
            self.done = True


def split_range(
    start_ns: int, end_ns: int, max_length_ns: int, direction: Direction
) -> list[tuple[int, int]]:
    """Split `[start_ns, end_ns)` into adjacent windows no longer than `max_length_ns`.

    Windows come in direction order; `end` is exclusive, so adjacent windows
    share no nanosecond.
    """
    if end_ns <= start_ns:
        return []
    windows = []
    position = start_ns
    while position < end_ns:
        window_end = min(position + max_length_ns, end_ns)
        windows.append((position, window_end))
        position = window_end
    if direction == "backward":
        windows.reverse()
    return windows


def _regex_char(code_point: int) -> str:
    """Write one character for a regex that both RE2 and Python's `re` read the same way."""
    char = chr(code_point)
    if code_point < 0x100:
        if char.isascii() and char.isalnum():
            return char
        return f"\\x{code_point:02x}"
    return char


def _step_over_surrogates(code_point: int, upward: bool) -> int:
    if _SURROGATES_FIRST <= code_point <= _SURROGATES_LAST:
        return _SURROGATES_LAST + 1 if upward else _SURROGATES_FIRST - 1
    return code_point


def _shared_prefix(lines: list[str]) -> str:
    """Return the longest prefix that every line starts with."""
    if not lines:
        return ""
    first = min(lines)
    last = max(lines)
    length = 0
    while length < len(first) and first[length] == last[length]:
        length += 1
    return first[:length]


def _regex_literal(text: str) -> str:
    return "".join(_regex_char(ord(char)) for char in text)


@dataclass(frozen=True)
class LinePartition:
    """A set of lines: those equal to `prefix` (`exact`), or those that start with
    `prefix` followed by a character in `[low, high]` (code points).

    Lines that start with one of `excluded` are left out. The partitions
    split one nanosecond whose entries do not fit in one page. Each becomes
    LogQL line filters in raw backquoted strings, with characters written so
    that RE2 (Loki) and Python's `re` agree.
    """

    prefix: str
    low: int = 0
    high: int = MAX_CODE_POINT
    exact: bool = False
    excluded: tuple[str, ...] = ()

    def line_filter(self) -> str:
        """Return the LogQL line filters that select this partition."""
        prefix = _regex_literal(self.prefix)
        any_char = f"[\\x00-{chr(MAX_CODE_POINT)}]"
        if self.exact:
            keep = f"|~ `^{prefix}` " if prefix else ""
            selected = f"{keep}!~ `^{prefix}{any_char}`"
        else:
            char_class = f"[{_regex_char(self.low)}-{_regex_char(self.high)}]"
            selected = f"|~ `^{prefix}{char_class}`"
        drops = [f"!~ `^{_regex_literal(other)}`" for other in self.excluded]
        return " ".join([selected, *drops])

    def contains(self, line: str) -> bool:
        """Tell whether `line` belongs to this partition."""
        if any(line.startswith(other) for other in self.excluded):
            return False
        if self.exact:
            return line == self.prefix
        if not line.startswith(self.prefix) or len(line) <= len(self.prefix):
            return False
        return self.low <= ord(line[len(self.prefix)]) <= self.high

    def split(self, lines: list[str]) -> list[LinePartition]:
        """Split this partition into disjoint parts that cover it.

        `lines` are lines of a full page in this partition. When they share
        a prefix two or more characters longer than `prefix`, the parts are
        the lines with that prefix and the rest, which skips one query per
        shared character. Otherwise the split point is their median next
        character, so the parts are roughly balanced. An exact partition
        cannot be split by line and returns [].
        """
        if self.exact:
            return []

        depth = len(self.prefix)
        shared = _shared_prefix(lines)
        if len(shared) >= depth + 2:
            return [
                LinePartition(self.prefix, self.low, self.high, excluded=(*self.excluded, shared)),
                LinePartition(shared, exact=True, excluded=self.excluded),
                LinePartition(shared, excluded=self.excluded),
            ]

        next_chars = sorted(
            ord(line[depth])
            for line in lines
            if len(line) > depth and self.low <= ord(line[depth]) <= self.high
        )
        if next_chars:
            middle = next_chars[len(next_chars) // 2]
        else:
            middle = _step_over_surrogates((self.low + self.high) // 2, upward=True)

        parts = []
        below = _step_over_surrogates(middle - 1, upward=False)
        if below >= self.low:
            parts.append(LinePartition(self.prefix, self.low, below, excluded=self.excluded))
        longer = self.prefix + chr(middle)
        parts.append(LinePartition(longer, exact=True, excluded=self.excluded))
        parts.append(LinePartition(longer, excluded=self.excluded))
        above = _step_over_surrogates(middle + 1, upward=True)
        if above <= self.high:
            parts.append(LinePartition(self.prefix, above, self.high, excluded=self.excluded))
        return parts


ROOT_PARTITIONS: Final = (LinePartition("", exact=True), LinePartition(""))
"""The empty line and every non-empty line: the first split of a nanosecond."""
