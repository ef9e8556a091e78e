"""Durations and byte sizes as LogQL writes them (`1h30m`, `250ms`, `20MB`, `1KiB`)."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Final

NANOSECOND: Final = 1
MICROSECOND: Final = 1_000
MILLISECOND: Final = 1_000_000
SECOND: Final = 1_000_000_000
MINUTE: Final = 60 * SECOND
HOUR: Final = 60 * MINUTE
DAY: Final = 24 * HOUR
WEEK: Final = 7 * DAY
YEAR: Final = 365 * DAY

DURATION_UNITS: Final[dict[str, int]] = {
    "ns": NANOSECOND,
    "us": MICROSECOND,
    "µs": MICROSECOND,
    "μs": MICROSECOND,
    "ms": MILLISECOND,
    "s": SECOND,
    "m": MINUTE,
    "h": HOUR,
    "d": DAY,
    "w": WEEK,
    "y": YEAR,
}
"""Duration units of Go's time.ParseDuration plus Prometheus' d, w and y."""

_DURATION_PART = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h|d|w|y)")

# Largest unit first, as Prometheus prints durations; units below a millisecond
# follow Go's spelling.
_FORMAT_UNITS: Final[tuple[tuple[str, int], ...]] = (
    ("y", YEAR),
    ("w", WEEK),
    ("d", DAY),
    ("h", HOUR),
    ("m", MINUTE),
    ("s", SECOND),
    ("ms", MILLISECOND),
    ("us", MICROSECOND),
    ("ns", NANOSECOND),
)

BYTE_UNITS: Final[dict[str, int]] = {
    "b": 1,
    "kb": 1000,
    "kib": 1024,
    "mb": 1000**2,
    "mib": 1024**2,
    "gb": 1000**3,
    "gib": 1024**3,
    "tb": 1000**4,
    "tib": 1024**4,
    "pb": 1000**5,
    "pib": 1024**5,
    "eb": 1000**6,
    "eib": 1024**6,
}
"""Byte units LogQL accepts (compared case-insensitively): decimal kB..EB and binary KiB..EiB."""

_BYTES = re.compile(r"(\d+(?:\.\d*)?|\.\d+)([A-Za-z]+)")

_FORMAT_BYTE_UNITS: Final[tuple[tuple[str, int], ...]] = (
    ("EiB", 1024**6),
    ("EB", 1000**6),
    ("PiB", 1024**5),
    ("PB", 1000**5),
    ("TiB", 1024**4),
    ("TB", 1000**4),
    ("GiB", 1024**3),
    ("GB", 1000**3),
    ("MiB", 1024**2),
    ("MB", 1000**2),
    ("KiB", 1024),
    ("KB", 1000),
)


def parse_duration(text: str) -> int:
    """Parse a duration such as `250ms`, `1h30m`, `1.5h`, `1d` or `2w` into nanoseconds.

    Accepts a leading `-`. Raises ValueError naming the text when it is not a
    duration.
    """
    body = text
    sign = 1
    if body.startswith("-"):
        sign = -1
        body = body[1:]
    elif body.startswith("+"):
        body = body[1:]

    if body == "0":
        return 0
    if not body:
        raise ValueError(f"invalid duration {text!r}: expected a number and a unit such as 5m")

    total = Decimal(0)
    position = 0
    for match in _DURATION_PART.finditer(body):
        if match.start() != position:
            break
        total += Decimal(match.group(1)) * DURATION_UNITS[match.group(2)]
        position = match.end()

    if position != len(body) or position == 0:
        raise ValueError(
            f"invalid duration {text!r}: expected numbers with units ns, us, ms, s, m, h, d, w, y"
        )
    return sign * int(total)


def format_duration(ns: int) -> str:
    """Format nanoseconds as the shortest LogQL duration, e.g. 5400000000000 -> `1h30m`."""
    if ns == 0:
        return "0s"

    sign = "-" if ns < 0 else ""
    remaining = abs(ns)
    parts: list[str] = []
    for unit, size in _FORMAT_UNITS:
        count, remaining = divmod(remaining, size)
        if count:
            parts.append(f"{count}{unit}")
    return sign + "".join(parts)


def parse_bytes(text: str) -> int:
    """Parse a byte size such as `20MB`, `1KiB`, `1.5GB` or `5b` into bytes.

    Units are case-insensitive; decimal units are powers of 1000 and `i` units
    powers of 1024. Raises ValueError naming the text when it is not a size.
    """
    match = _BYTES.fullmatch(text)
    unit = BYTE_UNITS.get(match.group(2).lower()) if match else None
    if match is None or unit is None:
        raise ValueError(
            f"invalid byte size {text!r}: expected a number and a unit such as 5b, 20MB or 1KiB"
        )

    try:
        value = Decimal(match.group(1)) * unit
    except InvalidOperation as error:
        raise ValueError(f"invalid byte size {text!r}") from error
    return int(value)


def format_bytes(size: int) -> str:
    """Format a byte count with the largest unit that divides it exactly, e.g. 1024 -> `1KiB`."""
    if size == 0:
        return "0B"

    for unit, factor in _FORMAT_BYTE_UNITS:
        if size % factor == 0:
            return f"{size // factor}{unit}"
    return f"{size}B"
