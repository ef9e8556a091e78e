"""Turn untrusted log lines into text that is safe to put on a terminal.

Every line from Loki may contain escape sequences, control characters, bidi
overrides or megabytes of text. `display_text` returns the one-row form of a
line with all of that neutralized:

- A line longer than `max_chars` characters is cut first, so the rest of the
  work is bounded, and ends with `… [+N chars]` (N characters not shown).
- Escape sequences are removed whole: CSI (`ESC [` or U+009B) up to its final
  byte. OSC, DCS, SOS, PM and APC strings go up to BEL or ST, or to the end
  of the line when unterminated. Any other `ESC` sequence and a lone `ESC`
  go too.
- Line breaks inside the entry become `↵ ` (U+21B5 and a space), and CR LF
  counts as one break. Trailing line breaks are dropped. A CR that does not precede
  LF is shown as `␍`.
- Other C0 controls and DEL are shown as their Unicode control pictures
  (NUL as `␀`, BEL as `␇`, ...), so nothing rings, moves the cursor or
  overwrites.
- Bidi controls (U+061C, U+200E, U+200F, U+202A-U+202E, U+2066-U+2069)
  and the invisible format characters listed in `FORMAT_CONTROLS` become a
  visible, inert marker such as `⟨U+202E⟩`, so a reader sees that the line
  contains one and the terminal never reorders text. The joiners U+200C and
  U+200D are kept because emoji sequences and several scripts need them.
- C1 controls (U+0080-U+009F) become U+FFFD, as do lone surrogates, which
  cannot be encoded for the terminal. NEL (U+0085), U+2028 and U+2029 are
  line breaks.
- Tabs are expanded to stops every `TAB_SIZE` terminal cells, counting cells
  the way `cell_width` does (wide East Asian characters take two cells).

`sgr_spans` returns the same text split into runs with the colours and
attributes of the SGR sequences in the line, as plain data. `plain_text`
is the uncut form for a detail view, with real line breaks and tabs.

Rich or Textual markup in a line is not touched: callers must hand the
result to the UI as text, never as markup.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Final

DEFAULT_MAX_CHARS: Final = 10_000
TAB_SIZE: Final = 8
NEWLINE_MARKER: Final = "↵ "
REPLACEMENT: Final = "\ufffd"

BIDI_CONTROLS: Final[tuple[int, ...]] = (
    0x061C,
    0x200E,
    0x200F,
    *range(0x202A, 0x202F),
    *range(0x2066, 0x206A),
)
"""Code points that change the direction of text: marks, embeddings, overrides, isolates."""

FORMAT_CONTROLS: Final[tuple[int, ...]] = (
    *BIDI_CONTROLS,
    0x200B,  # zero width space
    *range(0x2060, 0x2065),  # word joiner, invisible operators
    *range(0x206A, 0x2070),  # deprecated format controls
    0xFEFF,  # byte order mark, zero width no-break space
    *range(0xFFF9, 0xFFFC),  # interlinear annotation controls
)
"""Invisible format characters shown as a `⟨U+XXXX⟩` marker."""

# Every top-level alternative starts with a literal character, so the regex
# engine scans for the set of first characters in C before trying a match.
_ESCAPE = re.compile(
    # CSI: parameters, intermediates, final byte (missing when cut off).
    r"\x1b\[[0-?]*[ -/]*[@-~]?"
    r"|\x9b[0-?]*[ -/]*[@-~]?"
    # OSC, DCS, SOS, PM, APC: a string up to BEL or ST, or to the end.
    r"|\x1b[\]PX^_][^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x90[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x98[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x9d[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x9e[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x9f[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    # Any other escape sequence, and a lone ESC.
    r"|\x1b[ -/]*[0-~]?"
)

# An SGR sequence (`ESC [ ... m`), capturing its parameters.
_SGR = re.compile(r"(?:\x1b\[|\x9b)([0-9;:]*)m")

# Characters the translation table changes (all but tab); searched first so
# clean text skips the translation.
_UNSAFE = re.compile(
    "[\x00-\x08\x0a-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029"
    "\u202a-\u202e\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb]"
)


def format_marker(code: int) -> str:
    """Return the visible marker shown in place of an invisible format character: `⟨U+202E⟩`."""
    return f"\u27e8U+{code:04X}\u27e9"


def _build_table() -> dict[int, str]:
    table: dict[int, str] = {}
    for code in range(0x20):
        table[code] = chr(0x2400 + code)

    table[0x7F] = "\u2421"
    for code in range(0x80, 0xA0):
        table[code] = REPLACEMENT

    for code in FORMAT_CONTROLS:
        table[code] = format_marker(code)

    for code in range(0xD800, 0xE000):
        table[code] = REPLACEMENT

    for code in (0x0A, 0x85, 0x2028, 0x2029):
        table[code] = NEWLINE_MARKER

    del table[0x09]
    return table


_TABLE: Final = _build_table()

# The detail view keeps line breaks as real ones.
_DETAIL_TABLE: Final = {
    **_TABLE,
    0x0A: "\n",
    0x85: "\n",
    0x2028: "\n",
    0x2029: "\n",
}


def truncation_marker(hidden_chars: int) -> str:
    """Return the marker that ends a cut line: `… [+N chars]`."""
    return f"… [+{hidden_chars} chars]"


def display_text(line: str, max_chars: int = DEFAULT_MAX_CHARS) -> str:
    """Return the one-row form of `line`, safe to write to a terminal.

    `max_chars` is the number of characters of `line` kept before the
    truncation marker. The result contains no ESC, no C0 or C1 control, no
    DEL, no character of `FORMAT_CONTROLS` (bidi controls included) and no
    lone surrogate.
    """
    head, marker = _cut(line, max_chars)

    # Printable text has no control, no format character and no surrogate.
    if head.isprintable():
        return head + marker if marker else head

    text = _ESCAPE.sub("", head)
    text = _sanitize([text])[0]
    return text + marker


def plain_text(line: str) -> str:
    """Return `line` with escape sequences removed and controls made visible, uncut.

    Meant for the detail view, which shows every line of a multi-line entry:
    line breaks and tabs are kept as they are, everything else is as in
    `display_text`.
    """
    text = _ESCAPE.sub("", line)
    if _UNSAFE.search(text) is None:
        return text

    text = text.replace("\r\n", "\n")
    return text.translate(_DETAIL_TABLE)


def _cut(line: str, max_chars: int) -> tuple[str, str]:
    if len(line) <= max_chars:
        return line, ""

    return line[:max_chars], truncation_marker(len(line) - max_chars)


def _sanitize(pieces: list[str]) -> list[str]:
    """Make each text piece safe, where the pieces are consecutive runs of one row.

    Line-break handling and tab stops look across piece boundaries, so the
    pieces joined give the same text as the joined input sanitized at once.
    Returns a list of the same length (pieces may become empty).
    """
    if len(pieces) == 1:
        return [_sanitize_one(pieces[0])]

    pieces = list(pieces)

    # Trailing line breaks are dropped, across pieces.
    index = len(pieces) - 1
    while index >= 0:
        stripped = pieces[index].rstrip("\r\n")
        pieces[index] = stripped
        if stripped:
            break

        index -= 1

    # CR LF is one line break, even when an SGR sequence split the pair.
    for index, piece in enumerate(pieces):
        if "\r" not in piece:
            continue

        piece = piece.replace("\r\n", "\n")
        if piece.endswith("\r") and _next_starts_with_newline(pieces, index):
            piece = piece[:-1]

        pieces[index] = piece

    table = _TABLE
    column = 0
    result: list[str] = []
    for piece in pieces:
        if not piece.isprintable():
            if _UNSAFE.search(piece) is not None:
                piece = piece.translate(table)

            if "\t" in piece:
                piece, column = _expand_tabs(piece, column)
                result.append(piece)
                continue

        column += cell_width(piece)
        result.append(piece)

    return result


def _sanitize_one(text: str) -> str:
    """Make one whole row safe (the single-piece case of `_sanitize`)."""
    text = text.rstrip("\r\n")
    if text.isprintable():
        return text

    if "\r" in text:
        text = text.replace("\r\n", "\n")

    if _UNSAFE.search(text) is not None:
        text = text.translate(_TABLE)

    if "\t" in text:
        text = _expand_tabs(text, 0)[0]

    return text


def _next_starts_with_newline(pieces: list[str], index: int) -> bool:
    for piece in pieces[index + 1 :]:
        if piece:
            return piece[0] == "\n"

    return False


def _expand_tabs(text: str, column: int) -> tuple[str, int]:
    """Expand tabs to `TAB_SIZE`-cell stops, starting at `column` cells.

    Returns the text and the column after it.
    """
    if text.isascii():
        # Safe text contains no line break, so `str.expandtabs` counts from `column`.
        offset = column % TAB_SIZE
        expanded = (" " * offset + text).expandtabs(TAB_SIZE)[offset:]
        return expanded, column + len(expanded)

    parts = text.split("\t")
    out: list[str] = []
    for index, part in enumerate(parts):
        if index:
            pad = TAB_SIZE - column % TAB_SIZE
            out.append(" " * pad)
            column += pad

        out.append(part)
        column += cell_width(part)

    return "".join(out), column


def cell_width(text: str) -> int:
    """Return the number of terminal cells `text` takes.

    Wide and fullwidth East Asian characters take two cells. Combining marks
    and format characters (such as the zero width joiner) take none. This is
    an estimate: terminals disagree on some emoji sequences.
    """
    if text.isascii():
        return len(text)

    return sum(map(_char_width, text))


@lru_cache(maxsize=4096)
def _char_width(char: str) -> int:
    if char.isascii():
        return 1

    if unicodedata.combining(char) or unicodedata.category(char) in ("Mn", "Me", "Cf"):
        return 0

    if unicodedata.east_asian_width(char) in ("W", "F"):
        return 2

    return 1


@dataclass(frozen=True, slots=True)
class SgrStyle:
    """The SGR attributes of a run of text, as plain data.

    `foreground` and `background` are None (the terminal default), a palette
    index 0-255 (0-7 standard, 8-15 bright) or a `#rrggbb` string.
    """

    foreground: int | str | None = None
    background: int | str | None = None
    bold: bool = False
    italic: bool = False
    underline: bool = False


PLAIN_STYLE: Final = SgrStyle()


def sgr_spans(line: str, max_chars: int = DEFAULT_MAX_CHARS) -> list[tuple[str, SgrStyle]]:
    """Split `line` into (text, style) runs following its SGR sequences.

    The texts joined equal `display_text(line, max_chars)`: every other
    escape sequence is removed and controls are made visible the same way.
    Adjacent runs have different styles, and no run is empty. The
    truncation marker, when present, ends the last run, in `PLAIN_STYLE`.
    """
    head, marker = _cut(line, max_chars)
    if head.isprintable():
        text = head + marker
        return [(text, PLAIN_STYLE)] if text else []

    texts: list[str] = []
    styles: list[SgrStyle] = []
    style = PLAIN_STYLE
    position = 0
    for match in _ESCAPE.finditer(head):
        texts.append(head[position : match.start()])
        styles.append(style)
        position = match.end()

        sgr = _SGR.fullmatch(match.group())
        if sgr is not None:
            style = _apply_sgr(style, sgr.group(1))

    texts.append(head[position:])
    styles.append(style)

    spans: list[tuple[str, SgrStyle]] = []
    for text, text_style in zip(_sanitize(texts), styles, strict=True):
        if not text:
            continue

        if spans and spans[-1][1] == text_style:
            spans[-1] = (spans[-1][0] + text, text_style)
        else:
            spans.append((text, text_style))

    if marker:
        if spans and spans[-1][1] == PLAIN_STYLE:
            spans[-1] = (spans[-1][0] + marker, PLAIN_STYLE)
        else:
            spans.append((marker, PLAIN_STYLE))

    return spans


_BASIC_FOREGROUND: Final = {**{30 + n: n for n in range(8)}, **{90 + n: 8 + n for n in range(8)}}
_BASIC_BACKGROUND: Final = {**{40 + n: n for n in range(8)}, **{100 + n: 8 + n for n in range(8)}}


_ATTRIBUTE_CODES: Final[dict[int, dict[str, object]]] = {
    1: {"bold": True},
    3: {"italic": True},
    4: {"underline": True},
    22: {"bold": False},
    23: {"italic": False},
    24: {"underline": False},
    39: {"foreground": None},
    49: {"background": None},
}


@lru_cache(maxsize=1024)
def _apply_sgr(style: SgrStyle, parameters: str) -> SgrStyle:
    """Return `style` changed by one SGR sequence's parameters (`"1;38;5;208"`)."""
    if not parameters:
        return PLAIN_STYLE

    fields = parameters.split(";")
    index = 0
    while index < len(fields):
        field = fields[index]
        index += 1

        if ":" in field:
            style = _apply_colon_form(style, field.split(":"))
            continue

        code = _small_int(field)
        if code is None:
            continue

        if code in (38, 48):
            colour, used = _extended_colour(fields[index:])
            index += used
            if colour is not None:
                style = _with_colour(style, code == 38, colour)
            continue

        style = _apply_code(style, code)

    return style


def _apply_code(style: SgrStyle, code: int) -> SgrStyle:
    if code == 0:
        return PLAIN_STYLE

    if code in _BASIC_FOREGROUND:
        return replace(style, foreground=_BASIC_FOREGROUND[code])

    if code in _BASIC_BACKGROUND:
        return replace(style, background=_BASIC_BACKGROUND[code])

    change = _ATTRIBUTE_CODES.get(code)
    if change is None:
        return style

    return replace(style, **change)  # type: ignore[arg-type]


def _apply_colon_form(style: SgrStyle, parts: list[str]) -> SgrStyle:
    """Apply an ITU T.416 colon form: `38:5:n`, `38:2::r:g:b`, `38:2:r:g:b`, `4:3`."""
    code = _small_int(parts[0])
    if code == 4:
        shape = _small_int(parts[1]) if len(parts) > 1 else 1
        return replace(style, underline=shape != 0)

    if code not in (38, 48):
        return style if code is None else _apply_code(style, code)

    kind = _small_int(parts[1]) if len(parts) > 1 else None
    colour: int | str | None = None
    if kind == 5 and len(parts) >= 3:
        colour = _palette_index(parts[2])
    elif kind == 2:
        # With a colour space id the components follow it: 38:2:id:r:g:b.
        components = parts[3:6] if len(parts) >= 6 else parts[2:5]
        colour = _rgb(components)

    if colour is None:
        return style

    return _with_colour(style, code == 38, colour)


def _extended_colour(rest: list[str]) -> tuple[int | str | None, int]:
    """Parse the fields after 38 or 48 and return (colour or None, fields used)."""
    if not rest:
        return None, 0

    kind = _small_int(rest[0])
    if kind == 5:
        if len(rest) < 2:
            return None, len(rest)
        return _palette_index(rest[1]), 2

    if kind == 2:
        if len(rest) < 4:
            return None, len(rest)
        return _rgb(rest[1:4]), 4

    return None, 1


def _with_colour(style: SgrStyle, foreground: bool, colour: int | str) -> SgrStyle:
    if foreground:
        return replace(style, foreground=colour)

    return replace(style, background=colour)


def _small_int(field: str) -> int | None:
    """Return a parameter's value (0 when empty), or None when not decimal or above 999."""
    if not field:
        return 0

    if len(field) > 3 or not field.isdigit() or not field.isascii():
        return None

    return int(field)


def _palette_index(field: str) -> int | None:
    value = _small_int(field)
    if value is None or value > 255:
        return None

    return value


def _rgb(fields: list[str]) -> str | None:
    values = [_small_int(field) for field in fields]
    if len(values) != 3:
        return None

    channels: list[int] = []
    for value in values:
        if value is None or value > 255:
            return None
        channels.append(value)

    return "#{:02x}{:02x}{:02x}".format(*channels)
