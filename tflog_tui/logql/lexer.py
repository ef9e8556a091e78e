"""LogQL lexer: one compiled regular expression turns query text into tokens.

Strings are decoded here with Go's escape rules, so the parser sees values.
`#` starts a comment that runs to the end of the line.
"""

from __future__ import annotations

import math
import re
from typing import Final

from tflog_tui.logql.errors import LogQLSyntaxError
from tflog_tui.logql.units import parse_bytes, parse_duration

IDENT: Final = "IDENT"
STRING: Final = "STRING"
NUMBER: Final = "NUMBER"
DURATION: Final = "DURATION"
BYTES: Final = "BYTES"
FLAG: Final = "FLAG"
ERROR: Final = "ERROR"
EOF: Final = "EOF"
"""Token kinds; operators and punctuation use their own text as kind (`|=`, `(`)."""

_NUMBER_TEXT = r"(?:\d+(?:\.\d+)?|\.\d+)"
_WORD_END = r"(?![A-Za-z0-9_])"

_TOKEN_PATTERN = "|".join(
    (
        r"(?P<space>[ \t\r\n]+)",
        r"(?P<comment>#[^\n]*)",
        rf"(?P<bytes>{_NUMBER_TEXT}(?i:[kmgtpe]i?b|b){_WORD_END})",
        rf"(?P<duration>(?:{_NUMBER_TEXT}(?:ns|us|µs|μs|ms|s|m|h|d|w|y))+{_WORD_END})",
        r"(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)",
        r"(?P<ident>[A-Za-z_][A-Za-z0-9_]*)",
        r'(?P<dq>"(?:[^"\\\n]|\\[^\n])*")',
        r"(?P<bq>`[^`]*`)",
        r"(?P<flag>--[A-Za-z][A-Za-z-]*)",
        r"(?P<op>\|=|\|~|\|>|!=|!~|!>|=~|==|>=|<=|[|=<>(){}\[\],+\-*/%^])",
    )
)
_TOKEN = re.compile(_TOKEN_PATTERN)

_SIMPLE_ESCAPES: Final[dict[str, str]] = {
    "a": "\a",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
    "v": "\v",
    "\\": "\\",
    '"': '"',
}
_HEX_DIGITS: Final = frozenset("0123456789abcdefABCDEF")
_OCTAL_DIGITS: Final = frozenset("01234567")


class Token:
    """One token: its kind, source text, decoded value and 0-based character span."""

    __slots__ = ("end", "error", "kind", "start", "text", "value")

    def __init__(
        self, kind: str, text: str, value: str | float | int, start: int, end: int
    ) -> None:
        self.kind = kind
        self.text = text
        self.value = value
        self.start = start
        self.end = end
        self.error: LogQLSyntaxError | None = None

    def __repr__(self) -> str:
        return f"Token({self.kind}, {self.text!r}, {self.start})"


def tokenize(text: str) -> list[Token]:
    """Split query text into tokens, ending with an EOF token.

    Text that is not a token (an unknown character, an unterminated string,
    an invalid escape, a number out of range) ends the list with an ERROR
    token that carries the LogQLSyntaxError. The parser raises it only when
    it reaches that token, so an earlier syntax error is reported first, as
    it comes first in the text.
    """
    tokens: list[Token] = []
    append = tokens.append
    match_at = _TOKEN.match
    position = 0
    length = len(text)

    while position < length:
        match = match_at(text, position)
        if match is None:
            append(_error_token(_unknown_character(text, position)))
            break

        kind = match.lastgroup
        token_text = match.group()
        end = match.end()

        if kind == "op":
            append(Token(token_text, token_text, token_text, position, end))
        elif kind == "ident":
            append(Token(IDENT, token_text, token_text, position, end))
        elif kind == "dq":
            try:
                value = decode_go_string(text, position, end)
            except LogQLSyntaxError as error:
                append(_error_token(error))
                break
            append(Token(STRING, token_text, value, position, end))
        elif kind == "bq":
            append(Token(STRING, token_text, token_text[1:-1], position, end))
        elif kind == "number":
            number = float(token_text)
            if not math.isfinite(number):
                reason = f"number {token_text} is out of range"
                append(_error_token(LogQLSyntaxError.at_offset(text, position, reason)))
                break
            append(Token(NUMBER, token_text, number, position, end))
        elif kind == "duration":
            append(Token(DURATION, token_text, parse_duration(token_text), position, end))
        elif kind == "bytes":
            append(Token(BYTES, token_text, parse_bytes(token_text), position, end))
        elif kind == "flag":
            append(Token(FLAG, token_text, token_text, position, end))
        position = end

    append(Token(EOF, "", "", length, length))
    return tokens


def _error_token(error: LogQLSyntaxError) -> Token:
    token = Token(ERROR, "", "", error.offset, error.offset)
    token.error = error
    return token


def _unknown_character(text: str, position: int) -> LogQLSyntaxError:
    char = text[position]
    if char == '"':
        return LogQLSyntaxError.at_offset(
            text, position, 'string literal not terminated: missing closing " on this line'
        )
    if char == "`":
        return LogQLSyntaxError.at_offset(
            text, position, "raw string literal not terminated: missing closing `"
        )
    return LogQLSyntaxError.at_offset(text, position, f"unexpected character {char!r}")


def decode_go_string(text: str, start: int, end: int) -> str:
    """Decode the double-quoted Go string literal at text[start:end] (quotes included).

    `\\xNN` and octal `\\NNN` escapes are bytes, as in Go: a run of them that
    forms UTF-8 becomes the character, and a byte that does not becomes a
    lone surrogate U+DC80..U+DCFF (Python's surrogateescape), which the
    printer writes back as `\\xNN`. Raises LogQLSyntaxError at the escape for
    an invalid one.
    """
    body_start = start + 1
    body_end = end - 1
    if text.find("\\", body_start, body_end) < 0:
        return text[body_start:body_end]

    pieces: list[str] = []
    pending = bytearray()
    position = body_start

    while position < body_end:
        char = text[position]
        if char != "\\":
            if pending:
                pieces.append(pending.decode("utf-8", "surrogateescape"))
                pending.clear()
            pieces.append(char)
            position += 1
            continue

        escape = text[position + 1]
        simple = _SIMPLE_ESCAPES.get(escape)
        if simple is not None:
            if pending:
                pieces.append(pending.decode("utf-8", "surrogateescape"))
                pending.clear()
            pieces.append(simple)
            position += 2
            continue

        if escape == "x":
            digits = text[position + 2 : position + 4]
            if len(digits) != 2 or not _HEX_DIGITS.issuperset(digits):
                raise LogQLSyntaxError.at_offset(
                    text, position, "invalid escape \\x: expected two hex digits"
                )
            pending.append(int(digits, 16))
            position += 4
            continue

        if escape in _OCTAL_DIGITS:
            digits = text[position + 1 : position + 4]
            if len(digits) != 3 or not _OCTAL_DIGITS.issuperset(digits) or int(digits, 8) > 255:
                raise LogQLSyntaxError.at_offset(
                    text, position, "invalid octal escape: expected three octal digits up to \\377"
                )
            pending.append(int(digits, 8))
            position += 4
            continue

        if escape in ("u", "U"):
            size = 4 if escape == "u" else 8
            digits = text[position + 2 : position + 2 + size]
            if len(digits) != size or not _HEX_DIGITS.issuperset(digits):
                raise LogQLSyntaxError.at_offset(
                    text, position, f"invalid escape \\{escape}: expected {size} hex digits"
                )
            code_point = int(digits, 16)
            if code_point > 0x10FFFF or 0xD800 <= code_point <= 0xDFFF:
                raise LogQLSyntaxError.at_offset(
                    text,
                    position,
                    f"invalid escape \\{escape}{digits}: not a Unicode code point "
                    "(surrogates are not allowed)",
                )
            if pending:
                pieces.append(pending.decode("utf-8", "surrogateescape"))
                pending.clear()
            pieces.append(chr(code_point))
            position += 2 + size
            continue

        raise LogQLSyntaxError.at_offset(
            text,
            position,
            f"invalid escape \\{escape} in string; write \\\\ for a backslash "
            "or use a `backquoted` string",
        )

    if pending:
        pieces.append(pending.decode("utf-8", "surrogateescape"))
    return "".join(pieces)
