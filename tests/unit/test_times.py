"""Time expressions: Grafana date math, RFC 3339 and epoch milliseconds."""

from __future__ import annotations

import os
import time

import pytest

from tflog_tui.times import is_relative_time, resolve_time, rfc3339_to_ns

NOW_NS = 1_764_892_800_123_456_789  # 2025-12-05T00:00:00.123456789Z
HOUR_NS = 3600 * 1_000_000_000
DAY_NS = 24 * HOUR_NS


@pytest.fixture(autouse=True)
def utc_zone():
    """Make local time UTC so rounding to days and months is predictable."""
    previous = os.environ.get("TZ")
    os.environ["TZ"] = "UTC"
    time.tzset()
    yield
    if previous is None:
        del os.environ["TZ"]
    else:
        os.environ["TZ"] = previous
    time.tzset()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("now", NOW_NS),
        ("now-1h", NOW_NS - HOUR_NS),
        ("now+5m", NOW_NS + 5 * 60 * 1_000_000_000),
        ("now - 2h", NOW_NS - 2 * HOUR_NS),
        ("now-1h30m", NOW_NS - HOUR_NS - 30 * 60 * 1_000_000_000),
        ("now-1d-2h", NOW_NS - DAY_NS - 2 * HOUR_NS),
        ("now-7d", NOW_NS - 7 * DAY_NS),
        ("now-1w", NOW_NS - 7 * DAY_NS),
    ],
)
def test_relative_offsets(text: str, expected: int) -> None:
    assert resolve_time(text, NOW_NS) == expected


def test_rounding_down_and_up() -> None:
    day_start = 1_764_892_800 * 1_000_000_000

    assert resolve_time("now/d", NOW_NS) == day_start
    assert resolve_time("now/d", NOW_NS, round_up=True) == day_start + DAY_NS - 1
    assert resolve_time("now-1d/d", NOW_NS) == day_start - DAY_NS
    assert resolve_time("now/h", NOW_NS) == day_start


def test_months_keep_the_day_in_range() -> None:
    march_31 = rfc3339_to_ns("2025-03-31T10:00:00Z")
    assert march_31 is not None

    assert resolve_time("now-1M", march_31) == rfc3339_to_ns("2025-02-28T10:00:00Z")
    assert resolve_time("now-1y", march_31) == rfc3339_to_ns("2024-03-31T10:00:00Z")
    assert resolve_time("now/M", march_31) == rfc3339_to_ns("2025-03-01T00:00:00Z")


def test_epoch_milliseconds() -> None:
    assert resolve_time("1700000000123", NOW_NS) == 1_700_000_000_123_000_000


def test_rfc3339_keeps_nanoseconds() -> None:
    assert resolve_time("2023-11-14T22:13:20.123456789Z", NOW_NS) == 1_700_000_000_123_456_789
    assert resolve_time("2023-11-14T23:13:20+01:00", NOW_NS) == 1_700_000_000_000_000_000


@pytest.mark.parametrize("text", ["yesterday", "now-", "now-1x", "2023-11-14", "12.5", ""])
def test_invalid_text_named(text: str) -> None:
    with pytest.raises(ValueError, match="invalid time"):
        resolve_time(text, NOW_NS)


def test_impossible_date_rejected() -> None:
    with pytest.raises(ValueError, match="invalid time"):
        resolve_time("2023-02-30T00:00:00Z", NOW_NS)


def test_relative_detection() -> None:
    assert is_relative_time("now-6h")
    assert is_relative_time("now-1d/d")
    assert not is_relative_time("1700000000000")
    assert not is_relative_time("2023-11-14T22:13:20Z")
