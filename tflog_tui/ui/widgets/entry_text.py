"""A read-only text view that wraps long lines lazily, for the whole text of one entry."""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass
from itertools import accumulate
from typing import ClassVar

from rich.cells import get_character_cell_size, set_cell_size, split_graphemes
from rich.segment import Segment
from rich.style import Style
from textual.geometry import Size
from textual.scroll_view import ScrollView
from textual.strip import Strip

MAX_KEY_CELLS = 28
"""Widest key column of a key/value table, in cells; longer keys are cut."""


@dataclass(frozen=True, slots=True)
class TextLine:
    """One logical line: an optional key shown in a gutter column, and display-safe text."""

    text: str
    key: str = ""


def _split_by_cells(text: str, width: int) -> list[int]:
    """Return the start offsets (characters) of the rows `text` wraps into at `width` cells."""
    if text.isascii():
        return list(range(0, max(len(text), 1), width))

    if "\u200d" in text or "\ufe0f" in text:
        return _split_graphemes(text, width)

    # Widths of the distinct characters, mapped over the text by str.translate,
    # and a running total by itertools.accumulate: both loops run in C, so a
    # megabyte of CJK text is indexed in well under a second.
    widths = {ord(char): chr(get_character_cell_size(char)) for char in set(text)}
    totals = list(accumulate(text.translate(widths).encode("latin-1")))
    starts = [0]
    used = 0
    while True:
        end = bisect_right(totals, used + width, starts[-1])
        if end == starts[-1]:
            end += 1  # a character wider than the row still gets a row of its own
        if end >= len(text):
            return starts
        starts.append(end)
        used = totals[end - 1]


def _split_graphemes(text: str, width: int) -> list[int]:
    """Split like `_split_by_cells`, measuring grapheme clusters (emoji sequences) as Rich does."""
    spans, _total = split_graphemes(text)
    starts = [0]
    used = 0
    for start, _end, size in spans:
        if used + size > width and used > 0:
            starts.append(start)
            used = 0
        used += size
    return starts


class EntryText(ScrollView, can_focus=True):
    """Show display-safe lines, wrapped at the widget width, rendering only visible rows.

    A one-megabyte line becomes about ten thousand rows. The row index stores
    two integers per row, and only the rows on screen are turned into strips.
    """

    COMPONENT_CLASSES: ClassVar[set[str]] = {"entry-text--key"}

    DEFAULT_CSS = """
    EntryText {
        height: 1fr;
        overflow-x: hidden;
        overflow-y: auto;
        & > .entry-text--key {
            color: $text-accent;
            text-style: bold;
        }
    }
    """

    def __init__(self, lines: list[TextLine], *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._lines = lines
        self._key_cells = min(
            MAX_KEY_CELLS, max((len(line.key) for line in lines), default=0)
        )
        self._row_line: list[int] = []
        self._row_start: list[int] = []
        self._line_first_row: list[int] = []
        self._indexed_width = -1

    @property
    def lines(self) -> list[TextLine]:
        """The logical lines shown."""
        return self._lines

    @property
    def row_count(self) -> int:
        """Number of wrapped rows at the current width."""
        self._ensure_index()
        return len(self._row_line)

    def _gutter_cells(self) -> int:
        return self._key_cells + 2 if self._key_cells else 0

    def _text_cells(self) -> int:
        width = self.scrollable_content_region.width or self.size.width or 80
        return max(8, width - self._gutter_cells())

    def _ensure_index(self) -> None:
        width = self._text_cells()
        if width == self._indexed_width:
            return

        row_line: list[int] = []
        row_start: list[int] = []
        first_row: list[int] = []
        for number, line in enumerate(self._lines):
            first_row.append(len(row_line))
            starts = _split_by_cells(line.text, width)
            row_line.extend([number] * len(starts))
            row_start.extend(starts)

        self._row_line = row_line
        self._row_start = row_start
        self._line_first_row = first_row
        self._indexed_width = width
        self.virtual_size = Size(self.size.width, len(row_line))

    def on_resize(self) -> None:
        self._ensure_index()
        self.refresh()

    def on_mount(self) -> None:
        self._ensure_index()

    def row_text(self, row: int) -> str:
        """Return the text shown on wrapped row `row` (without the key column)."""
        self._ensure_index()
        number = self._row_line[row]
        start = self._row_start[row]
        following = row + 1
        if following < len(self._row_line) and self._row_line[following] == number:
            end = self._row_start[following]
        else:
            end = len(self._lines[number].text)
        return self._lines[number].text[start:end]

    def line_of_row(self, row: int) -> int:
        """Return the logical line number shown on wrapped row `row`."""
        self._ensure_index()
        return self._row_line[row]

    def first_row_of_line(self, number: int) -> int:
        """Return the first wrapped row of logical line `number`."""
        self._ensure_index()
        return self._line_first_row[number]

    def row_of_offset(self, number: int, offset: int) -> int:
        """Return the wrapped row that shows character `offset` of logical line `number`."""
        self._ensure_index()
        first = self._line_first_row[number]
        last = self._line_first_row[number + 1] if number + 1 < len(self._lines) else len(
            self._row_line
        )
        return first + max(0, bisect_right(self._row_start, offset, first, last) - first - 1)

    def render_line(self, y: int) -> Strip:
        self._ensure_index()
        width = self.scrollable_content_region.width or self.size.width
        row = int(self.scroll_offset.y) + y
        base = self.rich_style
        if row >= len(self._row_line):
            return Strip.blank(width, base)

        segments: list[Segment] = []
        gutter = self._gutter_cells()
        if gutter:
            number = self._row_line[row]
            is_first = self._row_start[row] == 0
            key = self._lines[number].key if is_first else ""
            key = set_cell_size(key, self._key_cells)
            key_style: Style = base + self.get_component_rich_style("entry-text--key")
            segments.append(Segment(key, key_style))
            segments.append(Segment("  ", base))

        segments.append(Segment(self.row_text(row), base))
        return Strip(segments).crop_extend(0, width, base)
