"""The error raised for LogQL text that does not parse."""

from __future__ import annotations


class LogQLSyntaxError(ValueError):
    """A LogQL syntax error at a 1-based line and column (counted in characters).

    `str()` has Loki's form: `parse error at line 1, col 14: <reason>`.
    """

    def __init__(self, reason: str, line: int, column: int, offset: int = 0) -> None:
        self.reason = reason
        self.line = line
        self.column = column
        self.offset = offset
        super().__init__(f"parse error at line {line}, col {column}: {reason}")

    def __reduce__(self) -> tuple[type[LogQLSyntaxError], tuple[str, int, int, int]]:
        # Rebuild from the fields, because args holds only the formatted message.
        return (type(self), (self.reason, self.line, self.column, self.offset))

    @classmethod
    def at_offset(cls, text: str, offset: int, reason: str) -> LogQLSyntaxError:
        """Create the error for a 0-based character offset into the query text."""
        offset = max(0, min(offset, len(text)))
        line = text.count("\n", 0, offset) + 1
        line_start = text.rfind("\n", 0, offset) + 1
        return cls(reason, line, offset - line_start + 1, offset)
