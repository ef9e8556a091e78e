"""Time expressions: Grafana's relative times, RFC 3339 and epoch milliseconds.

Every result is an `int` of nanoseconds since the epoch; no float enters the
arithmetic, so a nanosecond timestamp survives unchanged.
"""

from __future__ import annotations

import calendar
import re
from datetime import datetime, timedelta
from typing import Final

NS_PER_SECOND: Final = 1_000_000_000
NS_PER_MS: Final = 1_000_000

# Grafana's relative time ("date math"): `now`, any number of offsets such as
# `-6h` or `+1d`, and an optional rounding unit after `/` (`now/d`, `now-1d/d`).
# `M` is months and `m` minutes. Beyond Grafana, an offset may be compound
# (`now-1h30m`) and spaces around the operators are tolerated.
RELATIVE_TIME: Final = re.compile(
    r"now((?:\s*[-+]\s*(?:\d+[smhdwMy])+)*)(?:\s*/\s*([smhdwMy]))?"
)
_OFFSET: Final = re.compile(r"([-+])\s*((?:\d+[smhdwMy])+)")
_OFFSET_PART: Final = re.compile(r"(\d+)([smhdwMy])")

# An RFC 3339 time with an offset; a space may stand for the `T`.
_RFC3339: Final = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?"
    r"(?:([Zz])|([+-])(\d{2}):(\d{2}))"
)

_FIXED_UNIT_NS: Final = {
    "s": NS_PER_SECOND,
    "m": 60 * NS_PER_SECOND,
    "h": 3600 * NS_PER_SECOND,
    "d": 86_400 * NS_PER_SECOND,
    "w": 7 * 86_400 * NS_PER_SECOND,
}


def is_relative_time(text: str) -> bool:
    """Return True when `text` is Grafana date math such as `now-6h` or `now-1d/d`."""
    return RELATIVE_TIME.fullmatch(text.strip()) is not None


def rfc3339_to_ns(text: str) -> int | None:
    """Convert an RFC 3339 time with an offset to nanoseconds; None when `text` is not one.

    Raises ValueError for a well-formed text that names an impossible date.
    """
    match = _RFC3339.fullmatch(text.strip())
    if match is None:
        return None

    year, month, day, hour, minute, second = (int(part) for part in match.group(1, 2, 3, 4, 5, 6))
    try:
        moment = datetime(year, month, day, hour, minute, second)
    except ValueError as error:
        raise ValueError(f"invalid time {text!r}: {error}") from error

    offset_s = 0
    if match.group(9):
        sign = -1 if match.group(9) == "-" else 1
        offset_s = sign * (int(match.group(10)) * 3600 + int(match.group(11)) * 60)

    # Whole seconds from calendar arithmetic and the fraction from its digits,
    # so no float rounding enters the result.
    whole_s = calendar.timegm(moment.timetuple()) - offset_s
    fraction_ns = int((match.group(7) or "").ljust(9, "0"))
    return whole_s * NS_PER_SECOND + fraction_ns


def resolve_time(text: str, now_ns: int, *, round_up: bool = False) -> int:
    """Turn a time expression into nanoseconds since the epoch.

    Accepts Grafana date math (`now`, `now-2h`, `now-1M`, `now-1d/d`), RFC 3339
    with an offset, and epoch milliseconds (digits only, as Grafana links carry
    them). `round_up` applies to a rounding unit: Grafana rounds the end of a
    range (`to=now-1d/d`) up to the last nanosecond of that day and the start
    down to its first. Calendar units (days and longer) round in local time.
    Raises ValueError naming the text.
    """
    value = text.strip()

    relative = RELATIVE_TIME.fullmatch(value)
    if relative:
        return _resolve_relative(relative.group(1), relative.group(2), now_ns, round_up)

    if value.isascii() and value.isdigit():
        return int(value) * NS_PER_MS

    absolute = rfc3339_to_ns(value)
    if absolute is not None:
        return absolute

    raise ValueError(
        f"invalid time {text!r}: expected now, now-2h, now-1d/d, RFC 3339 "
        "(2024-05-01T12:00:00Z) or epoch milliseconds"
    )


def _resolve_relative(offsets: str, rounding: str | None, now_ns: int, round_up: bool) -> int:
    result_ns = now_ns
    for sign, parts in _OFFSET.findall(offsets):
        for amount_text, unit in _OFFSET_PART.findall(parts):
            amount = int(amount_text) * (-1 if sign == "-" else 1)
            if unit in _FIXED_UNIT_NS:
                result_ns += amount * _FIXED_UNIT_NS[unit]
            else:
                months = amount * (12 if unit == "y" else 1)
                result_ns = _add_months(result_ns, months)

    if rounding is None:
        return result_ns
    return _round(result_ns, rounding, round_up)


def _local(ts_ns: int) -> tuple[datetime, int]:
    """Split `ts_ns` into an aware local datetime (whole seconds) and the nanoseconds below."""
    seconds, below_ns = divmod(ts_ns, NS_PER_SECOND)
    return datetime.fromtimestamp(seconds).astimezone(), below_ns


def _to_ns(moment: datetime, below_ns: int = 0) -> int:
    return calendar.timegm(moment.utctimetuple()) * NS_PER_SECOND + below_ns


def _add_months(ts_ns: int, months: int) -> int:
    moment, below_ns = _local(ts_ns)
    month_index = moment.year * 12 + (moment.month - 1) + months
    year, month = divmod(month_index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    shifted = moment.replace(year=year, month=month + 1, day=day, tzinfo=None).astimezone()
    return _to_ns(shifted, below_ns)


def _round(ts_ns: int, unit: str, round_up: bool) -> int:
    if unit in ("s", "m", "h"):
        size = _FIXED_UNIT_NS[unit]
        start_ns = ts_ns - ts_ns % size
        return start_ns + size - 1 if round_up else start_ns

    moment, _ = _local(ts_ns)
    day_start = moment.replace(hour=0, minute=0, second=0, tzinfo=None)
    if unit == "d":
        start, end = day_start, day_start + timedelta(days=1)
    elif unit == "w":
        # NOTE: weeks start on Monday (ISO 8601); Grafana follows the browser's
        # locale, which starts them on Sunday in some countries.
        start = day_start - timedelta(days=moment.weekday())
        end = start + timedelta(days=7)
    elif unit == "M":
        start = day_start.replace(day=1)
        end = (start + timedelta(days=32)).replace(day=1)
    else:
        start = day_start.replace(month=1, day=1)
        end = start.replace(year=start.year + 1)

    if round_up:
        return _to_ns(end.astimezone()) - 1
    return _to_ns(start.astimezone())
