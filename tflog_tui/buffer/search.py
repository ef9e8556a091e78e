"""Searching lines for a plain string or a regular expression.

A search is compiled once into a `LineMatcher`, which tests lists of lines
in bulk (`flags`) for views and finds match spans in one display text
(`spans`) for highlighting.

Measured on 1,000,000 lines of about 96 characters (bench/buffer_bench.py):
testing each line with `in` or a compiled `re.search` beats joining chunks
of lines with newlines and mapping `re.finditer` positions back to rows, so
lines are tested one by one, in list comprehensions.
"""

from __future__ import annotations

import re
from typing import Final

# A case-insensitive regex is run, without IGNORECASE, over lower-cased
# ASCII lines when lower-casing cannot change what it matches: the pattern
# is ASCII and has no upper-case letter (so no `\S`, `\W`, `\D`, `\B`, `\A`,
# `\Z`), no inline flags such as `(?-i:...)`, no escape naming a character
# by code (`\x41`) and no character range other than `a-z`-like or `0-9`-like
# ones (`[0-Z]` holds `A`-`Z` but not `a`-`z`). Python's IGNORECASE matching
# is several times slower than a plain search.
_UNSAFE_TO_LOWER = re.compile(r"[A-Z]|\(\?[a-z-]|\\[xuU0-7]")
_SAFE_RANGE = re.compile(r"[a-z]-[a-z]|[0-9]-[0-9]")


def _lowering_keeps_matches(pattern: str) -> bool:
    """Return whether `pattern` matches a lower-cased ASCII line as IGNORECASE matches the line."""
    if not pattern.isascii() or _UNSAFE_TO_LOWER.search(pattern) is not None:
        return False

    if "[" in pattern and "-" in pattern:
        return pattern.count("-") == len(_SAFE_RANGE.findall(pattern))

    return True


class SearchPatternError(ValueError):
    """A search pattern that is not a valid regular expression."""


class LineMatcher:
    """A compiled search: a plain string or a regular expression, with a case toggle.

    Plain searches match a substring; case-insensitive plain searches
    compare `str.casefold()` forms. Regular expressions use Python's `re`
    syntax, which agrees with RE2 (LogQL's) for common patterns. An empty
    pattern matches every line.
    """

    __slots__ = (
        "_fast_lower",
        "_needle",
        "_regex",
        "case_sensitive",
        "is_regex",
        "pattern",
    )

    def __init__(self, pattern: str, *, regex: bool = False, case_sensitive: bool = False) -> None:
        self.pattern: Final = pattern
        self.is_regex: Final = regex
        self.case_sensitive: Final = case_sensitive

        flags = 0 if case_sensitive else re.IGNORECASE
        source = pattern if regex else re.escape(pattern)
        try:
            self._regex = re.compile(source, flags)
        except re.error as error:
            raise SearchPatternError(
                f"invalid regular expression {pattern!r}: {error}; "
                "fix the pattern or switch to a plain text search"
            ) from error

        self._needle = pattern if case_sensitive else pattern.casefold()

        # The same expression without IGNORECASE, for lower-cased ASCII lines.
        self._fast_lower: re.Pattern[str] | None = None
        if regex and not case_sensitive and _lowering_keeps_matches(pattern):
            self._fast_lower = re.compile(pattern)

    def __repr__(self) -> str:
        kind = "regex" if self.is_regex else "plain"
        case = "case-sensitive" if self.case_sensitive else "ignore-case"
        return f"LineMatcher({self.pattern!r}, {kind}, {case})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, LineMatcher):
            return NotImplemented

        return (self.pattern, self.is_regex, self.case_sensitive) == (
            other.pattern,
            other.is_regex,
            other.case_sensitive,
        )

    def __hash__(self) -> int:
        return hash((self.pattern, self.is_regex, self.case_sensitive))

    def matches(self, line: str) -> bool:
        """Return whether `line` contains a match."""
        if not self.is_regex:
            if self.case_sensitive:
                return self._needle in line
            return self._needle in line.casefold()

        fast = self._fast_lower
        if fast is not None and line.isascii():
            return fast.search(line.lower()) is not None

        return self._regex.search(line) is not None

    def flags(self, lines: list[str]) -> list[bool]:
        """Return, for each line, whether it contains a match."""
        if not self.is_regex:
            needle = self._needle
            if self.case_sensitive:
                return [needle in line for line in lines]
            return [needle in line.casefold() for line in lines]

        fast = self._fast_lower
        search = self._regex.search
        if fast is None:
            return [search(line) is not None for line in lines]

        fast_search = fast.search
        return [
            (fast_search(line.lower()) if line.isascii() else search(line)) is not None
            for line in lines
        ]

    def spans(self, text: str) -> list[tuple[int, int]]:
        """Return the (start, end) character offsets of the non-empty matches in `text`.

        Meant for the display text of one row, to highlight matches there.
        """
        return [match.span() for match in self._regex.finditer(text) if match.end() > match.start()]
