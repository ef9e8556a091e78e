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

# Whitespace and comments before a token are part of its match, so each token
# costs one regex step. The atomic group (Python 3.11+) never gives characters
# back, so a failed token cannot backtrack into a comment, and runs of spaces
# cannot cause exponential backtracking. Identifiers and operators come first
# because they are the most frequent. A flag must come before the `-` operator.
_TOKEN_PATTERN = (
    r"(?>(?:[ \t\r\n]+|#[^\n]*)*)(?:"
    + "|".join(
        (
            r"(?P<ident>[A-Za-z_][A-Za-z0-9_]*)",
            r'(?P<dq>"(?:[^"\\\n]|\\[^\n])*")',
            r"(?P<flag>--[A-Za-z][A-Za-z-]*)",
            r"(?P<op>\|=|\|~|\|>|!=|!~|!>|=~|==|>=|<=|[|=<>(){}\[\],+\-*/%^])",
            rf"(?P<bytes>{_NUMBER_TEXT}(?i:[kmgtpe]i?b|b){_WORD_END})",
            rf"(?P<duration>(?:{_NUMBER_TEXT}(?:ns|us|µs|μs|ms|s|m|h|d|w|y))+{_WORD_END})",
            r"(?P<number>(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)",
            r"(?P<bq>`[^`]*`)",
            r"(?P<end>\Z)",
        )
    )
    + ")"
)
_SKIP = re.compile(r"(?>(?:[ \t\r\n]+|#[^\n]*)*)")
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
    length = len(text)
    position = 0

    while True:
        match = match_at(text, position)
        if match is None:
            start = _SKIP.match(text, position).end()  # type: ignore[union-attr]
            append(_error_token(_unknown_character(text, start)))
            break

        # Every alternative is a named group that ends the match, so lastgroup
        # is set and its span ends where the match ends.
        kind = match.lastgroup or "end"
        start, end = match.span(kind)
        position = end

        if kind == "ident":
            token_text = text[start:end]
            append(Token(IDENT, token_text, token_text, start, end))
        elif kind == "op":
            token_text = text[start:end]
            append(Token(token_text, token_text, token_text, start, end))
        elif kind == "dq":
            try:
                value = decode_go_string(text, start, end)
            except LogQLSyntaxError as error:
                append(_error_token(error))
                break
            append(Token(STRING, text[start:end], value, start, end))
        elif kind == "end":
            break
        elif kind == "bq":
            token_text = text[start:end]
            append(Token(STRING, token_text, token_text[1:-1], start, end))
        elif kind == "number":
            token_text = text[start:end]
            number = float(token_text)
            if not math.isfinite(number):
                reason = f"number {token_text} is out of range"
                append(_error_token(LogQLSyntaxError.at_offset(text, start, reason)))
                break
            append(Token(NUMBER, token_text, number, start, end))
        elif kind == "duration":
            token_text = text[start:end]
            append(Token(DURATION, token_text, parse_duration(token_text), start, end))
        elif kind == "bytes":
            token_text = text[start:end]
            append(Token(BYTES, token_text, parse_bytes(token_text), start, end))
        else:
            token_text = text[start:end]
            append(Token(FLAG, token_text, token_text, start, end))

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
    if char == "$":
        return LogQLSyntaxError.at_offset(
            text,
            position,
            "unexpected character '$': Grafana replaces variables such as $__auto before a "
            "query reaches Loki; write a value such as 5m instead",
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
