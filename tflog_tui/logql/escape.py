"""Quote values as LogQL string literals and escape literal text for RE2 regexes."""

from __future__ import annotations

from typing import Final

_NAMED_ESCAPES: Final[dict[str, str]] = {
    "\a": "\\a",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
    "\v": "\\v",
    "\\": "\\\\",
    '"': '\\"',
}

# Go's regexp.QuoteMeta escapes exactly these characters.
_RE2_META: Final = frozenset("\\.+*?()|[]{}^$")


def _escape_char(char: str) -> str:
    named = _NAMED_ESCAPES.get(char)
    if named is not None:
        return named

    code_point = ord(char)
    if 0xDC80 <= code_point <= 0xDCFF:
        # A byte that was not valid UTF-8, kept by decoding with surrogateescape.
        return f"\\x{code_point - 0xDC00:02x}"
    if 0xD800 <= code_point <= 0xDFFF:
        # Other lone surrogates have no UTF-8 form, and Loki does not decode
        # \u surrogate escapes, so write the replacement character instead.
        return "\\ufffd"
    if char.isprintable():
        return char
    if code_point < 0x80:
        return f"\\x{code_point:02x}"
    if code_point <= 0xFFFF:
        return f"\\u{code_point:04x}"
    return f"\\U{code_point:08x}"


def escape_string(value: str) -> str:
    """Return `value` as a complete double-quoted LogQL string literal with Go escapes.

    Backslashes and double quotes are escaped; control and other non-printable
    characters become `\\n`, `\\t`, `\\xNN`, `\\uNNNN` or `\\UNNNNNNNN`.
    Printable non-ASCII text is kept as it is.
    """
    if value.isprintable() and "\\" not in value and '"' not in value and value.isascii():
        return f'"{value}"'
    return '"' + "".join(_escape_char(char) for char in value) + '"'


def quote(value: str) -> str:
    """Return the cleaner LogQL literal for `value`: backquoted or double-quoted.

    A backquoted raw string is chosen when the value contains a backslash or
    a double quote, no backquote, and only printable characters (which rules
    out controls and lone surrogates), because then it needs no escapes.
    """
    if ("\\" in value or '"' in value) and "`" not in value and value.isprintable():
        return f"`{value}`"
    return escape_string(value)


def escape_regex(value: str) -> str:
    """Escape literal text for use as an RE2 regex (as Go's regexp.QuoteMeta does).

    Returns the raw regex, not yet quoted: pass it to `escape_string` for a
    `=~` or `|~` value.
    """
    if not any(char in _RE2_META for char in value):
        return value
    return "".join("\\" + char if char in _RE2_META else char for char in value)
