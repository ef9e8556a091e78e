"""Request parameter parsing and Go duration formatting."""

from __future__ import annotations

import pytest

from tflog_tui.embedded.params import (
    BadRequest,
    format_go_duration,
    parse_duration,
    parse_step,
    parse_timestamp,
)

NS = 1_000_000_000


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1700000000", 1_700_000_000 * NS),
        ("0", 0),
        ("1700000000123456789", 1_700_000_000_123_456_789),
        ("17000000001", 17_000_000_001),
        ("1700000000.5", 1_700_000_000 * NS + 500_000_000),
        ("1700000000.000000001", 1_700_000_000 * NS),
        ("1700000000.0005", 1_700_000_000 * NS + 1_000_000),
        ("1.7e9", 1_700_000_000 * NS),
        ("2023-11-14T22:13:20Z", 1_700_000_000 * NS),
        ("2023-11-14T22:13:20.123456789Z", 1_700_000_000 * NS + 123_456_789),
        ("2023-11-15T00:13:20+02:00", 1_700_000_000 * NS),
    ],
)
def test_timestamp_forms(text: str, expected: int) -> None:
    assert parse_timestamp(text, "start") == expected


def test_timestamp_invalid_names_parameter() -> None:
    with pytest.raises(BadRequest) as raised:
        parse_timestamp("tomorrow", "end")

    assert raised.value.message == 'invalid end: cannot parse "tomorrow" to a valid timestamp'
    assert raised.value.status == 400


@pytest.mark.parametrize(
    ("text", "expected"),
    [("250ms", NS // 4), ("1h30m", 5400 * NS), ("1d", 86400 * NS), ("1w", 7 * 86400 * NS)],
)
def test_duration_forms(text: str, expected: int) -> None:
    assert parse_duration(text, "since") == expected


@pytest.mark.parametrize("text", ["", "5", "m5", "5 m", "1h-1m"])
def test_duration_invalid(text: str) -> None:
    with pytest.raises(BadRequest):
        parse_duration(text, "since")


@pytest.mark.parametrize(("text", "expected"), [("60", 60 * NS), ("0.5", NS // 2), ("1m", 60 * NS)])
def test_step_forms(text: str, expected: int) -> None:
    assert parse_step(text) == expected


@pytest.mark.parametrize(
    ("ns", "expected"),
    [
        (744 * 3600 * NS, "744h0m0s"),
        (721 * 3600 * NS, "721h0m0s"),
        (90 * NS, "1m30s"),
        (NS + NS // 2, "1.5s"),
        (250_000_000, "250ms"),
        (1_500, "1.5µs"),
        (7, "7ns"),
        (0, "0s"),
    ],
)
def test_go_duration_format(ns: int, expected: str) -> None:
    assert format_go_duration(ns) == expected
