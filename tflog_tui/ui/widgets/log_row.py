"""Build the strips of one log row: timestamp, level badge, label columns and the line.

Everything shown comes from `display_text` or `sgr_spans` output, turned into
Rich `Segment`s directly: no markup is parsed, so text from Loki cannot style
itself, move the cursor or open a link.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass

from rich.cells import cell_len, set_cell_size, split_graphemes
from rich.color import Color
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from tflog_tui.buffer.levels import LEVEL_LABEL_NAMES, Level
from tflog_tui.buffer.safe_text import SgrStyle, display_text, sgr_spans, truncation_marker
from tflog_tui.ui.widgets.entry_fields import flatten_json, parse_json_object, parse_logfmt
from tflog_tui.ui.widgets.level_badge import badge_style, badge_text
from tflog_tui.ui.widgets.log_time import format_clock

ROW_MAX_CHARS = 4_000
"""Characters of a line shown in a row; the rest is replaced by a `… [+N chars]` marker.

Cutting before styling keeps a megabyte line as cheap to draw as a short one;
the detail screen shows the whole line.
"""

NEWLINE_MARKER = "↵ "
"""Shown in place of a line break when a multi-line entry is drawn on one row
(the same marker as `display_text` uses)."""

_LINE_BREAK = re.compile("\r?\n|\x85|\u2028|\u2029")

MAX_LABEL_CELLS = 24
"""Widest label column, in cells; longer values are cut."""

MAX_LABEL_COLUMNS = 4
"""Maximum number of label columns, so the line keeps most of the row."""

_ESCAPE_CHARS = ("\x1b", "\x9b")

MESSAGE_FIELDS = ("msg", "message", "msg_text", "error")
"""Fields holding the message of a JSON or logfmt line, in the order they are looked for."""

SHOWN_FIELDS = frozenset({"ts", "time", "timestamp", *LEVEL_LABEL_NAMES})
"""Fields the timestamp and level columns show already; a prettified line leaves them out."""

_BARE_VALUE = re.compile(r"[^\s\"=]+")

Piece = tuple[str, Style | None]


@dataclass(frozen=True, slots=True)
class RowStyles:
    """Styles of the parts of a row, read from the widget's component classes."""

    timestamp: Style
    labels: Style
    marker: Style
    match: Style


@dataclass(frozen=True, slots=True)
class RowFormat:
    """The layout of the row prefix, shared by every row of a view."""

    utc: bool
    with_date: bool
    label_names: tuple[str, ...]
    label_cells: tuple[int, ...]

    @property
    def prefix_cells(self) -> int:
        """Width of the prefix (timestamp, badge, labels and separators), in cells."""
        clock = 23 if self.with_date else 12
        return clock + 1 + 5 + 1 + sum(cells + 1 for cells in self.label_cells)


def label_columns(
    label_sets: Sequence[Mapping[str, str]],
    preferred: Sequence[str],
    indexed: Collection[str] | None = None,
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Choose the label columns: indexed stream labels whose values differ between streams.

    `preferred` names come first in that order, then the other differing
    labels by name, up to `MAX_LABEL_COLUMNS`. Level labels are left out
    because the badge shows the level. `indexed` names the labels Loki
    indexes: labels a parser stage extracted (`| json`) differ on nearly
    every line and are left out. When `indexed` is None, a label counts as
    indexed unless it is a `__error__`-like label. Return the names and each
    column's width in cells.
    """
    if len(label_sets) < 2:
        return (), ()

    names: set[str] = set()
    for labels in label_sets:
        names.update(labels)

    differing = [
        name
        for name in names
        if name not in LEVEL_LABEL_NAMES
        and not name.startswith("__")
        and (indexed is None or name in indexed)
        and len({labels.get(name, "") for labels in label_sets}) > 1
    ]
    ordered = [name for name in preferred if name in differing]
    ordered += sorted(name for name in differing if name not in preferred)
    del ordered[MAX_LABEL_COLUMNS:]

    widths = []
    for name in ordered:
        widest = max(cell_len(safe_value(labels.get(name, ""))) for labels in label_sets)
        widths.append(max(1, min(MAX_LABEL_CELLS, widest)))
    return tuple(ordered), tuple(widths)


LABEL_SHARE = 0.4
"""Largest share of the row width that label columns (with their separators) may take."""

MESSAGE_MIN_CELLS = 40
"""Cells kept for the message after the prefix, or half the row width when that is less."""

MIN_LABEL_CELLS = 8
"""Narrowest label column, in cells. A column that would be narrower is dropped instead."""

DROP_ORDER = ("hostname", "service_name")
"""Label columns dropped first when the row is narrow, least useful first, before the rightmost."""


def fit_label_columns(
    names: Sequence[str], cells: Sequence[int], width: int, fixed_cells: int
) -> tuple[tuple[str, ...], tuple[int, ...]]:
    """Fit label columns into a row `width` cells wide, so the message keeps room.

    `fixed_cells` is the width of the timestamp and level badge with their
    separators. The columns (one separator cell each) take at most
    `LABEL_SHARE` of the row and leave at least `MESSAGE_MIN_CELLS` (or half
    the row, whichever is less) for the message. Columns are dropped, least
    useful first (`DROP_ORDER`, then from the right), until each can be at
    least `MIN_LABEL_CELLS` wide. Then the widest are narrowed to share the
    room. Return the names and widths kept, in their order.
    """
    message_min = min(MESSAGE_MIN_CELLS, width // 2)
    budget = min(int(width * LABEL_SHARE), width - fixed_cells - message_min)
    columns = list(zip(names, cells, strict=True))

    def needed(kept: list[tuple[str, int]]) -> int:
        return sum(min(MIN_LABEL_CELLS, size) + 1 for _name, size in kept)

    while columns and needed(columns) > budget:
        drop = next(
            (
                index
                for name in DROP_ORDER
                for index, (kept, _) in enumerate(columns)
                if kept == name
            ),
            len(columns) - 1,
        )
        del columns[drop]

    if not columns:
        return (), ()

    # Lower a common cap on the widths until the columns fit the budget.
    cap = max(size for _name, size in columns)
    while cap > MIN_LABEL_CELLS and sum(min(size, cap) + 1 for _n, size in columns) > budget:
        cap -= 1
    return (
        tuple(name for name, _size in columns),
        tuple(min(size, cap) for _name, size in columns),
    )


def fit_cells(text: str, cells: int) -> str:
    """Return `text` padded or cut to exactly `cells` cells, ending in `…` when cut."""
    if cell_len(text) <= cells:
        return set_cell_size(text, cells)
    if cells <= 1:
        return set_cell_size("…", cells)
    return set_cell_size(set_cell_size(text, cells - 1) + "…", cells)


def safe_value(value: str) -> str:
    """Return a label value as display-safe text, cut to a little over a column."""
    return display_text(value, max_chars=MAX_LABEL_CELLS * 2)


def build_prefix(
    ts_ns: int,
    level: Level,
    labels: Mapping[str, str],
    row_format: RowFormat,
    styles: RowStyles,
) -> list[Segment]:
    """Build the prefix of a row, `HH:MM:SS.mmm ERROR svc task `, `prefix_cells` wide."""
    clock = format_clock(ts_ns, utc=row_format.utc, with_date=row_format.with_date)
    segments = [
        Segment(clock, styles.timestamp),
        Segment(" "),
        Segment(badge_text(level), badge_style(level)),
        Segment(" "),
    ]
    for name, cells in zip(row_format.label_names, row_format.label_cells, strict=True):
        value = fit_cells(safe_value(labels.get(name, "")), cells)
        segments.append(Segment(value, styles.labels))
        segments.append(Segment(" "))
    return segments


def _colour(value: int | str | None) -> Color | None:
    if value is None:
        return None
    if isinstance(value, int):
        return Color.from_ansi(value)
    return Color.parse(value)


def _rich_style(sgr: SgrStyle) -> Style | None:
    """Convert the SGR attributes of one run into a Rich style (None when plain)."""
    style = Style(
        color=_colour(sgr.foreground),
        bgcolor=_colour(sgr.background),
        bold=sgr.bold or None,
        italic=sgr.italic or None,
        underline=sgr.underline or None,
    )
    return style if style else None


def _part_pieces(part: str) -> list[Piece]:
    """Turn one physical line of an entry into display-safe pieces, SGR colours kept."""
    if not any(char in part for char in _ESCAPE_CHARS):
        return [(display_text(part, max_chars=len(part) + 1), None)]

    return [(text, _rich_style(sgr)) for text, sgr in sgr_spans(part, max_chars=len(part) + 1)]


def _highlight(pieces: list[Piece], pattern: re.Pattern[str] | None, style: Style) -> list[Piece]:
    """Split pieces at the matches of `pattern` in their joined text and style the matches."""
    if pattern is None:
        return pieces

    plain = "".join(text for text, _style in pieces)
    ranges = [match.span() for match in pattern.finditer(plain) if match.end() > match.start()]
    if not ranges:
        return pieces

    out: list[Piece] = []
    position = 0
    range_index = 0
    for text, piece_style in pieces:
        start = position
        end = position + len(text)
        position = end
        cursor = start
        while cursor < end:
            while range_index < len(ranges) and ranges[range_index][1] <= cursor:
                range_index += 1
            if range_index >= len(ranges) or ranges[range_index][0] >= end:
                out.append((text[cursor - start :], piece_style))
                break

            match_start, match_end = ranges[range_index]
            if match_start > cursor:
                out.append((text[cursor - start : match_start - start], piece_style))
                cursor = match_start
            stop = min(match_end, end)
            combined = style if piece_style is None else piece_style + style
            out.append((text[cursor - start : stop - start], combined))
            cursor = stop
    return out


@dataclass(frozen=True, slots=True)
class LineBody:
    """The styled text of one entry, split into physical lines (at newlines)."""

    parts: tuple[tuple[Segment, ...], ...]
    hidden_chars: int

    def single_row(self, styles: RowStyles) -> Strip:
        """Join the parts on one row, with a visible marker at each newline."""
        return Strip(self.single_row_segments(styles))

    def single_row_segments(self, styles: RowStyles) -> list[Segment]:
        """Return the segments of `single_row`, without building a `Strip` and its caches."""
        segments: list[Segment] = []
        for number, part in enumerate(self.parts):
            if number:
                segments.append(Segment(NEWLINE_MARKER, styles.marker))
            segments.extend(part)
        if self.hidden_chars:
            segments.append(Segment(truncation_marker(self.hidden_chars), styles.marker))
        return segments

    def wrapped_rows(self, width: int, styles: RowStyles) -> list[Strip]:
        """Wrap each part at `width` cells; never split a wide character or grapheme."""
        rows: list[Strip] = []
        last = len(self.parts) - 1
        for number, part in enumerate(self.parts):
            segments = list(part)
            if number == last and self.hidden_chars:
                segments.append(Segment(truncation_marker(self.hidden_chars), styles.marker))

            strip = Strip(segments)
            cuts = _wrap_cuts(segments, width)
            if not cuts:
                rows.append(strip)
                continue
            rows.extend(strip.divide(cuts))
        return rows


def _wrap_cuts(segments: list[Segment], width: int) -> list[int]:
    """Return the cell positions where a row of `segments` wraps at `width`, ending at its end."""
    text = "".join(segment.text for segment in segments)
    total = cell_len(text)
    if total <= width:
        return []

    if text.isascii():
        return [*range(width, total, width), total]

    spans, _total = split_graphemes(text)
    cuts: list[int] = []
    used = 0
    position = 0
    for _start, _end, size in spans:
        if used + size > width and used > 0:
            cuts.append(position)
            used = 0
        used += size
        position += size
    cuts.append(total)
    return cuts


def build_body(line: str, pattern: re.Pattern[str] | None, styles: RowStyles) -> LineBody:
    """Build the display-safe, highlighted text of an entry's line, cut at `ROW_MAX_CHARS`."""
    hidden = 0
    head = line
    if len(line) > ROW_MAX_CHARS:
        head = line[:ROW_MAX_CHARS]
        hidden = len(line) - ROW_MAX_CHARS

    parts: list[tuple[Segment, ...]] = []
    for raw in _LINE_BREAK.split(head.rstrip("\r\n")):
        pieces = _highlight(_part_pieces(raw), pattern, styles.match)
        parts.append(tuple(Segment(text, style) for text, style in pieces if text))
    return LineBody(tuple(parts), hidden)


def _pair_text(key: str, value: str) -> str:
    """Format one field as `key=value`, quoting the value when it is empty or has spaces."""
    if _BARE_VALUE.fullmatch(value):
        return f"{key}={value}"
    quoted = value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{key}="{quoted}"'


def prettify_line(line: str) -> str | None:
    """Rewrite a JSON or logfmt line for reading: the message first, then `key=value` fields.

    The message is the first of `MESSAGE_FIELDS` found. Timestamp and level
    fields are left out because their columns show them. Return None when
    the line is neither JSON nor logfmt (it is then shown as it is). The
    result is raw text: the row shows it through `display_text` like any line.
    """
    document = parse_json_object(line)
    if document is not None:
        pairs = flatten_json(document)
    else:
        found = parse_logfmt(line)
        if found is None:
            return None
        pairs = found

    values = dict(pairs)
    message_key = next((key for key in MESSAGE_FIELDS if values.get(key)), None)
    parts = [values[message_key]] if message_key is not None else []
    parts += [
        _pair_text(key, value)
        for key, value in pairs
        if key != message_key and key not in SHOWN_FIELDS
    ]
    return " ".join(parts)
