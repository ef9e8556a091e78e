"""Format entry timestamps (integer nanoseconds) for rows and for the detail screen."""

from __future__ import annotations

from datetime import UTC, datetime

NS_PER_SECOND = 1_000_000_000
NS_PER_DAY = 86_400 * NS_PER_SECOND


def _to_datetime(ts_ns: int, utc: bool) -> datetime:
    seconds = ts_ns // NS_PER_SECOND
    moment = datetime.fromtimestamp(seconds, tz=UTC)
    return moment if utc else moment.astimezone()


def format_clock(ts_ns: int, *, utc: bool, with_date: bool = False) -> str:
    """Format `ts_ns` (nanoseconds since the epoch) as `HH:MM:SS.mmm`, prefixed by
    `YYYY-MM-DD ` when `with_date`; local time unless `utc`."""
    moment = _to_datetime(ts_ns, utc)
    millis = (ts_ns % NS_PER_SECOND) // 1_000_000
    clock = f"{moment:%H:%M:%S}.{millis:03d}"
    if with_date:
        return f"{moment:%Y-%m-%d} {clock}"
    return clock


def format_rfc3339_ns(ts_ns: int, *, utc: bool) -> str:
    """Format `ts_ns` as RFC 3339 with nine fraction digits: `2026-12-04T19:56:17.123456789Z`
    in UTC, or with the local offset (`+01:00`) otherwise."""
    moment = _to_datetime(ts_ns, utc)
    fraction = ts_ns % NS_PER_SECOND
    stamp = f"{moment:%Y-%m-%dT%H:%M:%S}.{fraction:09d}"
    if utc:
        return stamp + "Z"

    offset = moment.strftime("%z")
    return f"{stamp}{offset[:3]}:{offset[3:]}"


def spans_days(first_ns: int, last_ns: int, *, utc: bool) -> bool:
    """Tell whether two timestamps fall on different calendar days (in the shown time zone)."""
    if abs(last_ns - first_ns) >= NS_PER_DAY:
        return True
    return _to_datetime(first_ns, utc).date() != _to_datetime(last_ns, utc).date()
