"""Every query of the table: valid ones parse and round-trip, invalid ones fail at a position."""

import pytest
from queries import INVALID, VALID  # the table next to this file

from tflog_tui.logql import LogQLSyntaxError, parse


def test_table_size() -> None:
    assert len(VALID) + len(INVALID) >= 300


@pytest.mark.parametrize("query", VALID)
def test_valid_query_round_trips(query: str) -> None:
    expr = parse(query)
    printed = str(expr)

    assert parse(printed) == expr
    assert str(parse(printed)) == printed


@pytest.mark.parametrize(("query", "line", "column"), INVALID)
def test_invalid_query_position(query: str, line: int | None, column: int | None) -> None:
    with pytest.raises(LogQLSyntaxError) as caught:
        parse(query)

    error = caught.value
    if line is not None:
        assert (error.line, error.column) == (line, column), str(error)
    assert str(error).startswith(f"parse error at line {error.line}, col {error.column}: ")
