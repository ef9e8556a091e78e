"""Parse request parameters the way Loki's HTTP API reads them."""

from __future__ import annotations

import math
import re
from datetime import datetime
from decimal import ROUND_HALF_UP, Decimal

from tflog_tui.embedded.limits import NS_PER_SECOND


class BadRequest(Exception):
    """A client error, sent as a plain-text response (status 400 by default) as Loki does."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d|w|y)")
_UNIT_NS = {
    "ns": 1,
    "us": 1_000,
    "µs": 1_000,
    "ms": 1_000_000,
    "s": NS_PER_SECOND,
    "m": 60 * NS_PER_SECOND,
    "h": 3600 * NS_PER_SECOND,
    "d": 86400 * NS_PER_SECOND,
    "w": 7 * 86400 * NS_PER_SECOND,
    "y": 365 * 86400 * NS_PER_SECOND,
}
# Loki reads a value as float seconds only when it contains a dot.
_FLOAT_SECONDS = re.compile(r"-?(\d+\.\d*|\.\d+)([eE][+-]?\d+)?")
_RFC3339 = re.compile(
    r"^(\d{4}-\d{2}-\d{2})[Tt ](\d{2}:\d{2}:\d{2})(?:\.(\d{1,9}))?([Zz]|[+-]\d{2}:\d{2})$"
)


def parse_timestamp(text: str, name: str) -> int:
    """Parse a Loki timestamp parameter into nanoseconds since the epoch.

    An integer of more than 10 digits is nanoseconds and one of 10 digits or
    fewer is seconds. A decimal number (`1700000000.5`, `1.7e9`) is seconds,
    rounded to milliseconds. RFC3339 may carry a fraction of up to 9 digits.
    Raises BadRequest naming `name`.
    """
    value = text.strip()
    if re.fullmatch(r"-?\d+", value):
        number = int(value)
        digits = len(value.lstrip("-"))
        return number * NS_PER_SECOND if digits <= 10 else number

    if _FLOAT_SECONDS.fullmatch(value):
        # Float seconds are rounded to milliseconds, as Loki (like Prometheus) does.
        decimal_seconds = Decimal(value)
        seconds = int(decimal_seconds)
        fraction_ms = (decimal_seconds - seconds) * 1000
        milliseconds = int(fraction_ms.quantize(Decimal(1), ROUND_HALF_UP))
        return seconds * NS_PER_SECOND + milliseconds * 1_000_000

    match = _RFC3339.match(value)
    if match is not None:
        date, clock, fraction, zone = match.groups()
        zone = "+00:00" if zone in ("Z", "z") else zone
        moment = datetime.fromisoformat(f"{date}T{clock}{zone}")
        fraction_ns = int(((fraction or "") + "000000000")[:9])
        return int(moment.timestamp()) * NS_PER_SECOND + fraction_ns

    raise BadRequest(f'invalid {name}: cannot parse "{text}" to a valid timestamp')


def parse_duration(text: str, name: str) -> int:
    """Parse a Prometheus-style duration (`5m`, `1h30m`, `250ms`) into nanoseconds."""
    value = text.strip()
    position = 0
    total = 0.0
    for match in _DURATION_PART.finditer(value):
        if match.start() != position:
            break
        total += float(match.group(1)) * _UNIT_NS[match.group(2)]
        position = match.end()
    if position != len(value) or not value:
        raise BadRequest(f'invalid {name}: cannot parse "{text}" to a valid duration')
    return int(total)


def parse_step(text: str) -> int:
    """Parse `step` as a duration or as float seconds; return nanoseconds."""
    value = text.strip()
    try:
        seconds = float(value)
    except ValueError:
        return parse_duration(value, "step")
    if math.isnan(seconds) or math.isinf(seconds):
        raise BadRequest(f'invalid step: cannot parse "{text}" to a valid duration')
    return round(seconds * NS_PER_SECOND)


def parse_int(text: str, name: str) -> int:
    """Parse an integer parameter such as `limit`."""
    try:
        return int(text.strip())
    except ValueError:
        message = f'invalid {name}: strconv.Atoi: parsing "{text}": invalid syntax'
        raise BadRequest(message) from None


def format_go_duration(ns: int) -> str:
    """Format nanoseconds like Go's `time.Duration.String()` (`744h0m0s`, `1.5s`, `250ms`)."""
    if ns == 0:
        return "0s"
    sign = "-" if ns < 0 else ""
    ns = abs(ns)
    if ns < NS_PER_SECOND:
        for unit, size in (("ms", 1_000_000), ("µs", 1_000), ("ns", 1)):
            if ns >= size:
                return sign + _trim_fraction(ns, size) + unit
    hours, rest = divmod(ns, 3600 * NS_PER_SECOND)
    minutes, rest = divmod(rest, 60 * NS_PER_SECOND)
    seconds = _trim_fraction(rest, NS_PER_SECOND) + "s"
    if hours:
        return f"{sign}{hours}h{minutes}m{seconds}"
    if minutes:
        return f"{sign}{minutes}m{seconds}"
    return sign + seconds


def _trim_fraction(value: int, unit: int) -> str:
    whole, fraction = divmod(value, unit)
    if not fraction:
        return str(whole)
    digits = len(str(unit)) - 1
    return f"{whole}.{fraction:0{digits}d}".rstrip("0")
