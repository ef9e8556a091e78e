"""Go values as text/template and fmt print them: `%v`, Sprintf, time layouts.

The template engine keeps Go's types where they show in output: integers and
floats print differently (`3` against `3.5`, `1e+06`), a missing map key is
Go's invalid value and prints `<no value>`, and times format with Go's
reference layout `2006-01-02 15:04:05`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Final


class _Missing:
    """Go's invalid value: the result of a missing map key; prints `<no value>`."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<no value>"


MISSING: Final = _Missing()


# --- Go values ---------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GoTime:
    """A Go `time.Time`: nanoseconds since the epoch and the zone it displays in."""

    ns: int
    zone: dt.tzinfo = dt.UTC

    def to_datetime(self) -> dt.datetime:
        """Return the time as an aware datetime (microsecond precision)."""
        seconds, nanos = divmod(self.ns, 1_000_000_000)
        base = dt.datetime.fromtimestamp(seconds, tz=dt.UTC).astimezone(self.zone)
        return base + dt.timedelta(microseconds=nanos // 1000)

    @property
    def nanosecond(self) -> int:
        """Return the nanoseconds within the second."""
        return self.ns % 1_000_000_000

    def __str__(self) -> str:
        return format_go_time(self, "2006-01-02 15:04:05.999999999 -0700 MST")


def format_go_float(value: float) -> str:
    """Format a float as Go's `%v` does: shortest digits, exponent below 1e-4 or from 1e6."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"

    sign, digit_tuple, exponent = Decimal(repr(value)).as_tuple()
    digits = "".join(str(d) for d in digit_tuple).rstrip("0") or "0"
    assert isinstance(exponent, int)
    decimal_point = exponent + len(digit_tuple)
    exp = decimal_point - 1
    prefix = "-" if sign else ""

    if exp < -4 or exp >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        exp_sign = "-" if exp < 0 else "+"
        return f"{prefix}{mantissa}e{exp_sign}{abs(exp):02d}"

    if decimal_point <= 0:
        return f"{prefix}0.{'0' * -decimal_point}{digits}"
    if decimal_point >= len(digits):
        return prefix + digits + "0" * (decimal_point - len(digits))
    return f"{prefix}{digits[:decimal_point]}.{digits[decimal_point:]}"


def go_string(value: object) -> str:
    """Format a value as Go's `fmt.Sprint` would."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return format_go_float(value)
    if value is None:
        return "<nil>"
    if value is MISSING:
        return "<no value>"
    if isinstance(value, GoTime):
        return str(value)
    if isinstance(value, Mapping):
        inner = " ".join(f"{go_string(k)}:{go_string(v)}" for k, v in sorted(value.items()))
        return f"map[{inner}]"
    if isinstance(value, list | tuple):
        return "[" + " ".join(go_string(item) for item in value) + "]"
    return str(value)


def go_type_name(value: object) -> str:
    if isinstance(value, str):
        return "string"
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int):
        return "int"
    if isinstance(value, float):
        return "float64"
    if isinstance(value, GoTime):
        return "time.Time"
    if isinstance(value, Mapping):
        return "map[string]interface {}"
    if isinstance(value, list | tuple):
        return "[]interface {}"
    return "<nil>"


def is_true(value: object) -> bool:
    """Return Go template truth: false, 0, nil, a missing value and empty strings are false."""
    if value is None or value is MISSING:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float):
        return value != 0
    if isinstance(value, str | list | tuple | dict):
        return len(value) > 0
    return True


# --- Go time layouts -----------------------------------------------------------

_LAYOUT_TOKEN = re.compile(
    r"January|Jan|Monday|Mon|MST|2006|Z07:00:00|Z070000|Z07:00|Z0700|Z07|"
    r"-07:00:00|-070000|-07:00|-0700|-07|[.,](?:0+|9+)(?!\d)|"
    r"__2|002|_2|15|06|01|02|03|04|05|PM|pm|1|2|3|4|5"
)
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _zone_name(moment: dt.datetime) -> str:
    name = moment.tzname() or ""
    if name == "UTC":
        return "UTC"
    if name and name[0] not in "+-":
        return name
    offset = moment.utcoffset() or dt.timedelta(0)
    return _offset_text(offset, "-0700")


def _offset_text(offset: dt.timedelta, style: str) -> str:
    total = int(offset.total_seconds())
    if style.startswith("Z") and total == 0:
        return "Z"
    sign = "-" if total < 0 else "+"
    total = abs(total)
    hours, rest = divmod(total, 3600)
    minutes, seconds = divmod(rest, 60)
    body = style.lstrip("Z-")
    if body == "07":
        return f"{sign}{hours:02d}"
    if body == "0700":
        return f"{sign}{hours:02d}{minutes:02d}"
    if body == "07:00":
        return f"{sign}{hours:02d}:{minutes:02d}"
    if body == "070000":
        return f"{sign}{hours:02d}{minutes:02d}{seconds:02d}"
    return f"{sign}{hours:02d}:{minutes:02d}:{seconds:02d}"


def format_go_time(moment: GoTime, layout: str) -> str:
    """Format a time with a Go reference layout such as `2006-01-02T15:04:05Z07:00`."""
    local = moment.to_datetime()
    nanos = moment.nanosecond
    pieces: list[str] = []
    position = 0
    for match in _LAYOUT_TOKEN.finditer(layout):
        pieces.append(layout[position : match.start()])
        position = match.end()
        pieces.append(_format_token(match.group(0), local, nanos))
    pieces.append(layout[position:])
    return "".join(pieces)


def _format_token(token: str, local: dt.datetime, nanos: int) -> str:
    simple: dict[str, Callable[[], str]] = {
        "January": lambda: _MONTHS[local.month - 1],
        "Jan": lambda: _MONTHS[local.month - 1][:3],
        "Monday": lambda: _DAYS[local.weekday()],
        "Mon": lambda: _DAYS[local.weekday()][:3],
        "MST": lambda: _zone_name(local),
        "2006": lambda: f"{local.year:04d}",
        "06": lambda: f"{local.year % 100:02d}",
        "01": lambda: f"{local.month:02d}",
        "1": lambda: str(local.month),
        "02": lambda: f"{local.day:02d}",
        "2": lambda: str(local.day),
        "_2": lambda: f"{local.day:2d}",
        "002": lambda: f"{local.timetuple().tm_yday:03d}",
        "__2": lambda: f"{local.timetuple().tm_yday:3d}",
        "15": lambda: f"{local.hour:02d}",
        "03": lambda: f"{(local.hour % 12) or 12:02d}",
        "3": lambda: str((local.hour % 12) or 12),
        "04": lambda: f"{local.minute:02d}",
        "4": lambda: str(local.minute),
        "05": lambda: f"{local.second:02d}",
        "5": lambda: str(local.second),
        "PM": lambda: "PM" if local.hour >= 12 else "AM",
        "pm": lambda: "pm" if local.hour >= 12 else "am",
    }
    if token in simple:
        return simple[token]()
    if token[0] in ".,":
        digits = len(token) - 1
        fraction = f"{nanos:09d}"[:digits]
        if token[1] == "9":
            fraction = fraction.rstrip("0")
            return token[0] + fraction if fraction else ""
        return token[0] + fraction
    offset = local.utcoffset() or dt.timedelta(0)
    return _offset_text(offset, token)


def parse_go_time(layout: str, text: str, zone: dt.tzinfo) -> GoTime:
    """Parse `text` with a Go reference layout; a layout without a zone uses `zone`.

    Raises ValueError when the text does not fit the layout.
    """
    pattern: list[str] = []
    kinds: list[str] = []
    position = 0
    for match in _LAYOUT_TOKEN.finditer(layout):
        pattern.append(re.escape(layout[position : match.start()]))
        position = match.end()
        token = match.group(0)
        kinds.append(token)
        pattern.append(_parse_token_pattern(token))
    pattern.append(re.escape(layout[position:]))
    found = re.fullmatch("".join(pattern), text)
    if found is None:
        raise ValueError(f"parsing time {text!r} as {layout!r}: the text does not fit the layout")

    fields = {"year": 1, "month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0}
    nanos = 0
    pm: bool | None = None
    offset: dt.tzinfo | None = None
    for token, value in zip(kinds, found.groups(), strict=True):
        if token in ("2006",):
            fields["year"] = int(value)
        elif token == "06":
            fields["year"] = 2000 + int(value) if int(value) < 69 else 1900 + int(value)
        elif token in ("01", "1"):
            fields["month"] = int(value)
        elif token in ("Jan", "January"):
            fields["month"] = [m.lower()[: len(value)] for m in _MONTHS].index(value.lower()) + 1
        elif token in ("02", "2", "_2"):
            fields["day"] = int(value)
        elif token in ("15", "03", "3"):
            fields["hour"] = int(value)
        elif token in ("04", "4"):
            fields["minute"] = int(value)
        elif token in ("05", "5"):
            fields["second"] = int(value)
        elif token in ("PM", "pm"):
            pm = value.lower() == "pm"
        elif token[0] in ".,":
            nanos = int((value[1:] + "000000000")[:9]) if value else 0
        elif token.startswith(("Z", "-")):
            offset = _parse_offset(value)
        elif token == "MST" and value == "UTC":
            offset = dt.UTC

    if pm is not None and fields["hour"] < 12 and pm:
        fields["hour"] += 12
    if pm is False and fields["hour"] == 12:
        fields["hour"] = 0
    moment = dt.datetime(tzinfo=offset or zone, **fields)
    seconds = int(moment.timestamp())
    return GoTime(seconds * 1_000_000_000 + nanos, offset or zone)


def _parse_token_pattern(token: str) -> str:
    if token in ("January", "Jan"):
        return r"([A-Za-z]+)"
    if token in ("Monday", "Mon"):
        return r"([A-Za-z]+)"
    if token == "MST":
        return r"([A-Za-z]{3,5}|[+-]\d{4})"
    if token == "2006":
        return r"(\d{4})"
    if token in ("06", "01", "02", "15", "03", "04", "05"):
        return r"(\d{2})"
    if token in ("1", "2", "3", "4", "5"):
        return r"(\d{1,2})"
    if token == "_2":
        return r"( ?\d{1,2})"
    if token in ("002", "__2"):
        return r"( {0,2}\d{1,3})"
    if token in ("PM", "pm"):
        return r"([AaPp][Mm])"
    if token[0] in ".,":
        return r"((?:[.,]\d+)?)" if token[1] == "9" else r"([.,]\d{" + str(len(token) - 1) + "})"
    if token.startswith("Z"):
        return r"(Z|[+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)"
    return r"([+-]\d{2}(?::?\d{2}(?::?\d{2})?)?)"


def _parse_offset(value: str) -> dt.tzinfo:
    if value == "Z":
        return dt.UTC
    sign = -1 if value[0] == "-" else 1
    digits = value[1:].replace(":", "")
    hours = int(digits[:2])
    minutes = int(digits[2:4] or 0)
    seconds = int(digits[4:6] or 0)
    return dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes, seconds=seconds))


# --- Go printf -----------------------------------------------------------------

_VERB = re.compile(r"%([-+# 0]*)(\*|\d+)?(?:\.(\*|\d*))?([a-zA-Z%])")


def go_sprintf(fmt: str, args: Sequence[object]) -> str:
    """Format like Go's `fmt.Sprintf` for the common verbs (%s %v %d %f %g %e %x %q %t %c)."""
    out: list[str] = []
    position = 0
    arg_index = 0
    for match in _VERB.finditer(fmt):
        out.append(fmt[position : match.start()])
        position = match.end()
        flags, width_text, precision_text, verb = match.groups()
        if verb == "%":
            out.append("%")
            continue

        width: int | None = None
        if width_text == "*":
            width = _int_arg(args, arg_index)
            arg_index += 1
        elif width_text:
            width = int(width_text)
        precision: int | None = None
        if precision_text == "*":
            precision = _int_arg(args, arg_index)
            arg_index += 1
        elif precision_text is not None:
            precision = int(precision_text or "0")

        if arg_index >= len(args):
            out.append(f"%!{verb}(MISSING)")
            continue
        value = args[arg_index]
        arg_index += 1
        out.append(_format_verb(value, verb, flags, width, precision))
    out.append(fmt[position:])

    if arg_index < len(args):
        extra = ", ".join(f"{go_type_name(a)}={go_string(a)}" for a in args[arg_index:])
        out.append(f"%!(EXTRA {extra})")
    return "".join(out)


def _int_arg(args: Sequence[object], index: int) -> int | None:
    if index < len(args) and isinstance(args[index], int):
        value = args[index]
        assert isinstance(value, int)
        return value
    return None


def _pad(text: str, flags: str, width: int | None, numeric: bool = False) -> str:
    if width is None or len(text) >= width:
        return text
    if "-" in flags:
        return text.ljust(width)
    if "0" in flags and numeric:
        sign = text[0] if text[:1] in "+-" else ""
        body = text[len(sign) :]
        return sign + body.rjust(width - len(sign), "0")
    return text.rjust(width)


def _format_verb(
    value: object, verb: str, flags: str, width: int | None, precision: int | None
) -> str:
    bad = f"%!{verb}({go_type_name(value)}={go_string(value)})"
    if value is MISSING:
        bad = f"%!{verb}(<nil>)"

    if verb in "sv" and not (verb == "v" and isinstance(value, float) and precision is not None):
        text = go_string(value)
        if verb == "s" and isinstance(value, bool | int | float):
            return bad
        if precision is not None:
            text = text[:precision]
        return _pad(text, flags, width)

    if verb == "q":
        if not isinstance(value, str):
            return bad
        return _pad(_go_quote(value), flags, width)

    if verb == "t":
        if not isinstance(value, bool):
            return bad
        return _pad("true" if value else "false", flags, width)

    if verb in "dboxXc":
        if isinstance(value, bool) or not isinstance(value, int):
            if verb in "xX" and isinstance(value, str):
                encoded = value.encode("utf-8", "surrogatepass").hex()
                return _pad(encoded.upper() if verb == "X" else encoded, flags, width)
            return bad
        if verb == "c":
            return _pad(chr(value), flags, width)
        base = {"d": "d", "b": "b", "o": "o", "x": "x", "X": "X"}[verb]
        sign = ""
        if value >= 0 and "+" in flags:
            sign = "+"
        elif value >= 0 and " " in flags:
            sign = " "
        body = format(abs(value), base)
        if "#" in flags and verb in "xX":
            body = ("0x" if verb == "x" else "0X") + body
        if precision is not None:
            body = body.rjust(precision, "0")
        text = ("-" if value < 0 else sign) + body
        return _pad(text, flags, width, numeric=True)

    if verb in "feEgGF":
        if isinstance(value, bool) or not isinstance(value, int | float):
            return bad
        number = float(value)
        sign = ""
        if "+" in flags:
            sign = "+"
        elif " " in flags:
            sign = " "
        if verb in "fF":
            text = format(number, f"{sign}.{6 if precision is None else precision}f")
        elif verb in "eE":
            text = format(number, f"{sign}.{6 if precision is None else precision}e")
            text = text.upper() if verb == "E" else text
        elif precision is None:
            text = sign + format_go_float(number) if number >= 0 else format_go_float(number)
        else:
            text = format(number, f"{sign}.{precision}g")
        return _pad(text, flags, width, numeric=True)

    return f"%!{verb}({go_type_name(value)}={go_string(value)})"


def _go_quote(value: str) -> str:
    out = ['"']
    for char in value:
        code = ord(char)
        if char == '"':
            out.append('\\"')
        elif char == "\\":
            out.append("\\\\")
        elif char == "\n":
            out.append("\\n")
        elif char == "\t":
            out.append("\\t")
        elif char == "\r":
            out.append("\\r")
        elif code < 0x20 or code == 0x7F:
            out.append(f"\\x{code:02x}")
        elif 0xD800 <= code <= 0xDFFF:
            out.append("\\ufffd")
        elif not char.isprintable():
            out.append(f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def parse_go_float(text: str) -> float:
    """Parse a number as Go's strconv.ParseFloat does; raises ValueError otherwise."""
    if not text or text != text.strip() or "_" in text:
        raise ValueError(f"invalid number {text!r}")
    lowered = text.lower().lstrip("+-")
    if lowered.startswith("0x"):
        return float.fromhex(text)
    return float(text)
