"""Durations and byte sizes as LogQL writes them."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tflog_tui.logql.units import (
    DAY,
    HOUR,
    MILLISECOND,
    MINUTE,
    SECOND,
    WEEK,
    YEAR,
    format_bytes,
    format_duration,
    parse_bytes,
    parse_duration,
)


@pytest.mark.parametrize(
    ("text", "ns"),
    [
        ("250ms", 250 * MILLISECOND),
        ("1h30m", HOUR + 30 * MINUTE),
        ("1.5h", HOUR + 30 * MINUTE),
        ("90s", 90 * SECOND),
        ("1d", DAY),
        ("1w", WEEK),
        ("1y", YEAR),
        ("10ns", 10),
        ("3us", 3_000),
        ("3µs", 3_000),
        ("2h45m30s500ms", 2 * HOUR + 45 * MINUTE + 30 * SECOND + 500 * MILLISECOND),
        ("0", 0),
        ("-5m", -5 * MINUTE),
        (".5s", 500 * MILLISECOND),
    ],
)
def test_parse_duration(text: str, ns: int) -> None:
    assert parse_duration(text) == ns


def test_parse_duration_is_exact_int() -> None:
    value = parse_duration("0.1s")

    assert isinstance(value, int)
    assert value == 100 * MILLISECOND


@pytest.mark.parametrize("text", ["", "5", "5x", "m", "1h 30m", "1.h.5", "5mb", "-", "h1"])
def test_parse_duration_invalid(text: str) -> None:
    with pytest.raises(ValueError, match="invalid duration"):
        parse_duration(text)


@pytest.mark.parametrize(
    ("ns", "text"),
    [
        (0, "0s"),
        (HOUR + 30 * MINUTE, "1h30m"),
        (250 * MILLISECOND, "250ms"),
        (DAY, "1d"),
        (8 * DAY, "1w1d"),
        (YEAR + DAY, "1y1d"),
        (1500, "1us500ns"),
        (-5 * MINUTE, "-5m"),
    ],
)
def test_format_duration(ns: int, text: str) -> None:
    assert format_duration(ns) == text


@settings(max_examples=200)
@given(st.integers(min_value=-(10**18), max_value=10**18))
def test_duration_round_trip(ns: int) -> None:
    assert parse_duration(format_duration(ns)) == ns


@pytest.mark.parametrize(
    ("text", "size"),
    [
        ("5b", 5),
        ("5B", 5),
        ("20MB", 20_000_000),
        ("20mb", 20_000_000),
        ("1KiB", 1024),
        ("1kb", 1000),
        ("1.5GB", 1_500_000_000),
        ("2GiB", 2 * 1024**3),
        ("1TB", 10**12),
        ("1PiB", 1024**5),
        ("1EB", 10**18),
    ],
)
def test_parse_bytes(text: str, size: int) -> None:
    assert parse_bytes(text) == size


@pytest.mark.parametrize("text", ["", "20", "MB", "20 MB", "20XB", "1.2.3MB", "-5b"])
def test_parse_bytes_invalid(text: str) -> None:
    with pytest.raises(ValueError, match="invalid byte size"):
        parse_bytes(text)


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0B"), (5, "5B"), (1024, "1KiB"), (20_000_000, "20MB"), (1000, "1KB"), (1536, "1536B")],
)
def test_format_bytes(size: int, text: str) -> None:
    assert format_bytes(size) == text


@settings(max_examples=200)
@given(st.integers(min_value=0, max_value=10**19))
def test_bytes_round_trip(size: int) -> None:
    assert parse_bytes(format_bytes(size)) == size
