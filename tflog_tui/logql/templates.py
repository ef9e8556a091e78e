"""The subset of Go text/template that `line_format` and `label_format` use.

A template compiles once (`Template(text)`) and renders per entry with the
entry's labels as the data map, plus the `__line__` and `__timestamp__`
functions. It follows Go's rules where a user sees them: a missing label
prints `<no value>`, passing a missing label to a function that needs a
string is an execution error, `if` treats "" as false, and numbers print as
Go's `%v` prints them. The functions are those Loki documents for templates
(Go's built-ins, the `strings` names such as `ToUpper`, and the Sprig names
such as `default`, `trimPrefix`, `replace`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tflog_tui.logql.re2 import compile_re2, expand_go_template


class TemplateSyntaxError(ValueError):
    """A template that does not parse; the message names the position and the problem."""


class TemplateExecError(Exception):
    """A template that failed while rendering one entry (Loki reports `TemplateFormatErr`)."""


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


def _go_type_name(value: object) -> str:
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
        extra = ", ".join(f"{_go_type_name(a)}={go_string(a)}" for a in args[arg_index:])
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
    bad = f"%!{verb}({_go_type_name(value)}={go_string(value)})"
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
        sign = "+" if "+" in flags and value >= 0 else (" " if " " in flags and value >= 0 else "")
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
        sign = "+" if "+" in flags else (" " if " " in flags else "")
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

    return f"%!{verb}({_go_type_name(value)}={go_string(value)})"


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


# --- conversions the Sprig functions use ---------------------------------------


def _to_int(value: object) -> int:
    """Convert like spf13/cast ToInt64: strings parse as integers, anything invalid is 0."""
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if math.isfinite(value) else 0
    if isinstance(value, str):
        text = value
        if "." in text:
            head, _, tail = text.partition(".")
            if tail.strip("0") == "":
                text = head
        try:
            return int(text, 0)
        except ValueError:
            return 0
    return 0


def _to_float(value: object) -> float:
    """Convert like spf13/cast ToFloat64: strings parse as floats, anything invalid is 0."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return parse_go_float(value)
        except ValueError:
            return 0.0
    return 0.0


def parse_go_float(text: str) -> float:
    """Parse a number as Go's strconv.ParseFloat does; raises ValueError otherwise."""
    if not text or text != text.strip() or "_" in text:
        raise ValueError(f"invalid number {text!r}")
    lowered = text.lower().lstrip("+-")
    if lowered.startswith("0x"):
        return float.fromhex(text)
    return float(text)


def _as_text(value: object) -> str:
    """Convert an `interface{}` argument to text as Sprig's toString does."""
    if value is None or value is MISSING:
        return ""
    return go_string(value)


# --- functions -------------------------------------------------------------------

Fn = Callable[..., object]


@dataclass(frozen=True, slots=True)
class _Function:
    call: Fn
    params: str
    """One letter per parameter: s=string, i=int, f=float64, a=interface{}, t=time.Time."""
    variadic: str = ""
    """Kind of the extra arguments, or empty when the function takes exactly `params`."""


def _check_arg(name: str, kind: str, value: object) -> object:
    if kind == "a":
        return None if value is MISSING else value
    if value is MISSING or value is None:
        expected = {"s": "string", "i": "int", "f": "float64", "t": "time.Time"}[kind]
        raise TemplateExecError(f"error calling {name}: invalid value; expected {expected}")
    if kind == "s":
        if not isinstance(value, str):
            raise TemplateExecError(
                f"wrong type for value in {name}; expected string; got {_go_type_name(value)}"
            )
        return value
    if kind == "i":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TemplateExecError(
                f"wrong type for value in {name}; expected int; got {_go_type_name(value)}"
            )
        return value
    if kind == "f":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TemplateExecError(
                f"wrong type for value in {name}; expected float64; got {_go_type_name(value)}"
            )
        return float(value)
    if not isinstance(value, GoTime):
        raise TemplateExecError(
            f"wrong type for value in {name}; expected time.Time; got {_go_type_name(value)}"
        )
    return value


def _go_trim_cutset(text: str, cutset: str, left: bool, right: bool) -> str:
    if left:
        text = text.lstrip(cutset)
    if right:
        text = text.rstrip(cutset)
    return text


def _go_replace(text: str, old: str, new: str, count: int) -> str:
    return text.replace(old, new, count if count >= 0 else -1)


def _sprig_default(default: object, given: object = None) -> object:
    return given if is_true(given) else default


def _sprig_substr(start: int, end: int, text: str) -> str:
    if start < 0:
        return text[:end]
    if end < 0 or end > len(text):
        return text[start:]
    return text[start:end]


def _sprig_trunc(count: int, text: str) -> str:
    if count < 0 and -count < len(text):
        return text[len(text) + count :]
    if count >= 0 and len(text) > count:
        return text[:count]
    return text


def _sprig_title(text: str) -> str:
    return re.sub(r"(^|[^\w])(\w)", lambda m: m.group(1) + m.group(2).upper(), text)


def _indent(spaces: int, text: str) -> str:
    pad = " " * spaces
    return pad + text.replace("\n", "\n" + pad)


def _regex_replace(pattern: str, text: str, replacement: str) -> str:
    regex = _compile_template_regex(pattern)
    return regex.sub(lambda m: expand_go_template(m, replacement), text)


def _regex_replace_literal(pattern: str, text: str, replacement: str) -> str:
    regex = _compile_template_regex(pattern)
    return regex.sub(lambda _m: replacement, text)


def _regex_count(pattern: str, text: str) -> int:
    regex = _compile_template_regex(pattern)
    return sum(1 for _ in regex.finditer(text))


_REGEX_CACHE: dict[str, re.Pattern[str]] = {}


def _compile_template_regex(pattern: str) -> re.Pattern[str]:
    found = _REGEX_CACHE.get(pattern)
    if found is None:
        try:
            found = compile_re2(pattern)
        except ValueError as error:
            raise TemplateExecError(str(error)) from error
        if len(_REGEX_CACHE) > 256:
            _REGEX_CACHE.clear()
        _REGEX_CACHE[pattern] = found
    return found


def _b64dec(text: str) -> str:
    try:
        return base64.b64decode(text.encode(), validate=True).decode("utf-8", "replace")
    except (binascii.Error, ValueError) as error:
        return str(error)


def _urldecode(text: str) -> str:
    return urllib.parse.unquote_plus(text, errors="strict")


def _from_json(text: str) -> object:
    import json

    try:
        return json.loads(text)
    except (ValueError, RecursionError):
        return ""


def _duration_seconds(text: str) -> float:
    from tflog_tui.logql.units import parse_duration

    try:
        return parse_duration(text) / 1e9
    except ValueError:
        return 0.0


def _human_bytes(text: str) -> int:
    from tflog_tui.logql.stages import parse_humanized_bytes

    try:
        return parse_humanized_bytes(text)
    except ValueError:
        return 0


def _date(layout: str, moment: object) -> str:
    if isinstance(moment, GoTime):
        return format_go_time(moment, layout)
    if isinstance(moment, int) and not isinstance(moment, bool):
        return format_go_time(GoTime(moment * 1_000_000_000), layout)
    return format_go_time(GoTime(time.time_ns()), layout)


def _to_date(layout: str, text: str) -> object:
    try:
        return parse_go_time(layout, text, dt.UTC)
    except ValueError:
        return GoTime(-62135596800 * 1_000_000_000)


def _to_date_in_zone(layout: str, zone_name: str, text: str) -> object:
    zone: dt.tzinfo
    if zone_name in ("UTC", "Local", ""):
        zone = dt.UTC
    else:
        try:
            zone = ZoneInfo(zone_name)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise TemplateExecError(
                f"error calling toDateInZone: unknown time zone {zone_name}"
            ) from error
    try:
        return parse_go_time(layout, text, zone)
    except ValueError:
        return GoTime(-62135596800 * 1_000_000_000)


def _unix_to_time(text: str) -> GoTime:
    try:
        epoch = int(text)
    except ValueError as error:
        raise TemplateExecError(f"error calling unixToTime: invalid epoch {text!r}") from error
    digits = len(text.lstrip("-"))
    if digits <= 5:
        return GoTime(epoch * 86_400 * 1_000_000_000)
    if digits <= 10:
        return GoTime(epoch * 1_000_000_000)
    if digits <= 13:
        return GoTime(epoch * 1_000_000)
    if digits <= 16:
        return GoTime(epoch * 1_000)
    return GoTime(epoch)


def _round(value: object, places: int, round_on: float = 0.5) -> float:
    number = _to_float(value)
    scale = 10.0**places
    scaled = number * scale
    integer = math.floor(scaled)
    if scaled - integer >= round_on:
        integer += 1
    return integer / scale


def _int_div(a: object, b: object) -> int:
    divisor = _to_int(b)
    if divisor == 0:
        raise TemplateExecError("error calling div: integer divide by zero")
    quotient = abs(_to_int(a)) // abs(divisor)
    return quotient if (_to_int(a) >= 0) == (divisor > 0) else -quotient


def _int_mod(a: object, b: object) -> int:
    divisor = _to_int(b)
    if divisor == 0:
        raise TemplateExecError("error calling mod: integer divide by zero")
    return int(math.fmod(_to_int(a), divisor))


def _divf(first: object, *rest: object) -> float:
    result = _to_float(first)
    for item in rest:
        divisor = _to_float(item)
        result = (
            result / divisor if divisor else math.copysign(math.inf, result) if result else math.nan
        )
    return result


def _subf(first: object, *rest: object) -> float:
    result = _to_float(first)
    for item in rest:
        result -= _to_float(item)
    return result


def _mulf(first: object, *rest: object) -> float:
    result = _to_float(first)
    for item in rest:
        result *= _to_float(item)
    return result


def _mul(first: object, *rest: object) -> int:
    result = _to_int(first)
    for item in rest:
        result *= _to_int(item)
    return result


def _compare(name: str, left: object, right: object) -> int:
    if left is MISSING or right is MISSING or left is None or right is None:
        raise TemplateExecError(f"error calling {name}: invalid type for comparison")
    if isinstance(left, str) and isinstance(right, str):
        return (left > right) - (left < right)
    numeric = (int, float)
    if (
        isinstance(left, numeric)
        and isinstance(right, numeric)
        and not isinstance(left, bool)
        and not isinstance(right, bool)
    ):
        return (left > right) - (left < right)
    if isinstance(left, bool) and isinstance(right, bool) and name in ("eq", "ne"):
        return 0 if left == right else 1
    raise TemplateExecError(f"error calling {name}: incompatible types for comparison")


def _eq(first: object, *others: object) -> bool:
    if not others:
        raise TemplateExecError("error calling eq: missing argument for comparison")
    return any(_compare("eq", first, other) == 0 for other in others)


def _len(value: object) -> int:
    if isinstance(value, str | list | tuple | dict):
        return len(value.encode("utf-8", "surrogatepass")) if isinstance(value, str) else len(value)
    raise TemplateExecError(f"error calling len: len of type {_go_type_name(value)}")


def _index(item: object, *keys: object) -> object:
    current = item
    for key in keys:
        if isinstance(current, Mapping):
            current = current.get(key, MISSING)
        elif isinstance(current, list | tuple | str) and isinstance(key, int):
            if not 0 <= key < len(current):
                raise TemplateExecError(f"error calling index: index out of range: {key}")
            current = current[key]
        else:
            raise TemplateExecError(
                f"error calling index: can't index item of type {_go_type_name(current)}"
            )
    return current


def _print(*args: object) -> str:
    # Go's Sprint adds spaces between operands when neither side is a string.
    out: list[str] = []
    for position, arg in enumerate(args):
        if position > 0 and not isinstance(arg, str) and not isinstance(args[position - 1], str):
            out.append(" ")
        out.append(go_string(arg))
    return "".join(out)


def _align_left(count: int, text: str) -> str:
    if count < 0:
        return text
    return text[:count].ljust(count)


def _align_right(count: int, text: str) -> str:
    if count < 0:
        return text
    return text[-count:].rjust(count) if count else ""


def _max_int(first: object, *rest: object) -> int:
    return max([_to_int(first), *(_to_int(item) for item in rest)])


def _min_int(first: object, *rest: object) -> int:
    return min([_to_int(first), *(_to_int(item) for item in rest)])


FUNCTIONS: Final[dict[str, _Function]] = {
    # Go's built-in template functions.
    "and": _Function(lambda *a: a, "a", "a"),  # evaluated lazily in _Executor
    "or": _Function(lambda *a: a, "a", "a"),  # evaluated lazily in _Executor
    "not": _Function(lambda a: not is_true(a), "a"),
    "eq": _Function(_eq, "a", "a"),
    "ne": _Function(lambda a, b: _compare("ne", a, b) != 0, "aa"),
    "lt": _Function(lambda a, b: _compare("lt", a, b) < 0, "aa"),
    "le": _Function(lambda a, b: _compare("le", a, b) <= 0, "aa"),
    "gt": _Function(lambda a, b: _compare("gt", a, b) > 0, "aa"),
    "ge": _Function(lambda a, b: _compare("ge", a, b) >= 0, "aa"),
    "len": _Function(_len, "a"),
    "index": _Function(_index, "a", "a"),
    "print": _Function(_print, "", "a"),
    "println": _Function(lambda *a: " ".join(go_string(x) for x in a) + "\n", "", "a"),
    "printf": _Function(lambda f, *a: go_sprintf(f, a), "s", "a"),
    "urlquery": _Function(lambda *a: urllib.parse.quote_plus(_print(*a)), "", "a"),
    # Go's strings package, as Loki names it.
    "ToLower": _Function(str.lower, "s"),
    "ToUpper": _Function(str.upper, "s"),
    "Replace": _Function(_go_replace, "sssi"),
    "Trim": _Function(lambda s, c: _go_trim_cutset(s, c, True, True), "ss"),
    "TrimLeft": _Function(lambda s, c: _go_trim_cutset(s, c, True, False), "ss"),
    "TrimRight": _Function(lambda s, c: _go_trim_cutset(s, c, False, True), "ss"),
    "TrimPrefix": _Function(lambda s, p: s.removeprefix(p), "ss"),
    "TrimSuffix": _Function(lambda s, p: s.removesuffix(p), "ss"),
    "TrimSpace": _Function(str.strip, "s"),
    # Sprig and Loki's own functions.
    "lower": _Function(str.lower, "s"),
    "upper": _Function(str.upper, "s"),
    "title": _Function(_sprig_title, "s"),
    "trim": _Function(str.strip, "s"),
    "trimAll": _Function(lambda c, s: s.strip(c), "ss"),
    "trimPrefix": _Function(lambda p, s: s.removeprefix(p), "ss"),
    "trimSuffix": _Function(lambda p, s: s.removesuffix(p), "ss"),
    "replace": _Function(lambda old, new, s: s.replace(old, new), "sss"),
    "repeat": _Function(lambda n, s: s * max(n, 0), "is"),
    "substr": _Function(_sprig_substr, "iis"),
    "trunc": _Function(_sprig_trunc, "is"),
    "contains": _Function(lambda sub, s: sub in s, "ss"),
    "hasPrefix": _Function(lambda p, s: s.startswith(p), "ss"),
    "hasSuffix": _Function(lambda p, s: s.endswith(p), "ss"),
    "indent": _Function(_indent, "is"),
    "nindent": _Function(lambda n, s: "\n" + _indent(n, s), "is"),
    "default": _Function(_sprig_default, "a", "a"),
    "alignLeft": _Function(_align_left, "is"),
    "alignRight": _Function(_align_right, "is"),
    "b64enc": _Function(lambda s: base64.b64encode(s.encode()).decode(), "s"),
    "b64dec": _Function(_b64dec, "s"),
    "urlencode": _Function(lambda s: urllib.parse.quote_plus(s), "s"),
    "urldecode": _Function(_urldecode, "s"),
    "regexReplaceAll": _Function(_regex_replace, "sss"),
    "regexReplaceAllLiteral": _Function(_regex_replace_literal, "sss"),
    "count": _Function(_regex_count, "ss"),
    "fromJson": _Function(_from_json, "s"),
    "int": _Function(_to_int, "a"),
    "float64": _Function(_to_float, "a"),
    "add": _Function(lambda *a: sum(_to_int(x) for x in a), "", "a"),
    "sub": _Function(lambda a, b: _to_int(a) - _to_int(b), "aa"),
    "mul": _Function(_mul, "a", "a"),
    "div": _Function(_int_div, "aa"),
    "mod": _Function(_int_mod, "aa"),
    "addf": _Function(lambda *a: math.fsum(_to_float(x) for x in a), "", "a"),
    "subf": _Function(_subf, "a", "a"),
    "mulf": _Function(_mulf, "a", "a"),
    "divf": _Function(_divf, "a", "a"),
    "max": _Function(_max_int, "a", "a"),
    "min": _Function(_min_int, "a", "a"),
    "maxf": _Function(lambda a, *r: max([_to_float(a), *(_to_float(x) for x in r)]), "a", "a"),
    "minf": _Function(lambda a, *r: min([_to_float(a), *(_to_float(x) for x in r)]), "a", "a"),
    "ceil": _Function(lambda a: float(math.ceil(_to_float(a))), "a"),
    "floor": _Function(lambda a: float(math.floor(_to_float(a))), "a"),
    "round": _Function(_round, "ai", "f"),
    "duration": _Function(_duration_seconds, "s"),
    "duration_seconds": _Function(_duration_seconds, "s"),
    "bytes": _Function(_human_bytes, "s"),
    "date": _Function(_date, "sa"),
    "toDate": _Function(_to_date, "ss"),
    "toDateInZone": _Function(_to_date_in_zone, "sss"),
    "now": _Function(lambda: GoTime(time.time_ns()), ""),
    "unixEpoch": _Function(lambda t: str(t.ns // 1_000_000_000), "t"),
    "unixEpochMillis": _Function(lambda t: str(t.ns // 1_000_000), "t"),
    "unixEpochNanos": _Function(lambda t: str(t.ns), "t"),
    "unixToTime": _Function(_unix_to_time, "s"),
}
"""Template functions by name; `__line__` and `__timestamp__` are bound per entry."""


# --- lexer ---------------------------------------------------------------------

_ACTION_TOKEN = re.compile(
    r"""
    (?P<space>\s+)
    | (?P<raw>`[^`]*`)
    | (?P<string>"(?:[^"\\\n]|\\.)*")
    | (?P<char>'(?:[^'\\\n]|\\.)+')
    | (?P<number>[+-]?(?:0[xX][0-9a-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d+)?))
    | (?P<field>(?:\.[A-Za-z_][A-Za-z0-9_]*)+)
    | (?P<variable>\$[A-Za-z0-9_]*)
    | (?P<declare>:=)
    | (?P<assign>=)
    | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
    | (?P<dot>\.)
    | (?P<punct>[()|,])
    """,
    re.VERBOSE,
)


@dataclass(slots=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokenize_action(body: str, offset: int) -> list[_Token]:
    tokens: list[_Token] = []
    position = 0
    while position < len(body):
        match = _ACTION_TOKEN.match(body, position)
        if match is None:
            raise TemplateSyntaxError(
                f"template: unexpected {body[position]!r} in action at offset {offset + position}"
            )
        kind = match.lastgroup or ""
        if kind != "space":
            tokens.append(_Token(kind, match.group(0), offset + position))
        position = match.end()
    return tokens


def _unquote_go(text: str) -> str:
    """Decode a Go interpreted string literal (with the quotes)."""
    body = text[1:-1]
    if "\\" not in body:
        return body
    out: list[str] = []
    index = 0
    simple = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v"}
    while index < len(body):
        char = body[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        escape = body[index + 1]
        if escape in simple:
            out.append(simple[escape])
            index += 2
        elif escape in "\\\"'":
            out.append(escape)
            index += 2
        elif escape == "x":
            out.append(chr(int(body[index + 2 : index + 4], 16)))
            index += 4
        elif escape == "u":
            out.append(chr(int(body[index + 2 : index + 6], 16)))
            index += 6
        elif escape == "U":
            out.append(chr(int(body[index + 2 : index + 10], 16)))
            index += 10
        elif escape in "01234567":
            out.append(chr(int(body[index + 1 : index + 4], 8)))
            index += 4
        else:
            raise TemplateSyntaxError(f"template: invalid escape \\{escape} in string {text}")
    return "".join(out)


# --- syntax tree -----------------------------------------------------------------


@dataclass(slots=True)
class _Field:
    names: tuple[str, ...]
    receiver: object = None  # None: dot; a _Variable or a _Pipeline otherwise


@dataclass(slots=True)
class _Variable:
    name: str
    names: tuple[str, ...] = ()


@dataclass(slots=True)
class _Literal:
    value: object


@dataclass(slots=True)
class _Identifier:
    name: str


@dataclass(slots=True)
class _Dot:
    pass


@dataclass(slots=True)
class _Command:
    args: list[object]


@dataclass(slots=True)
class _Pipeline:
    commands: list[_Command]
    declare: list[str] = field(default_factory=list)
    is_assign: bool = False


@dataclass(slots=True)
class _Text:
    text: str


@dataclass(slots=True)
class _Action:
    pipeline: _Pipeline


@dataclass(slots=True)
class _Branch:
    kind: str  # "if", "with" or "range"
    pipeline: _Pipeline
    body: list[object]
    else_body: list[object] | None = None


# --- parser ----------------------------------------------------------------------

_ACTION_RE = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.DOTALL)
_COMMENT_RE = re.compile(r"\s*/\*.*\*/\s*", re.DOTALL)


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text

    def parse(self) -> list[object]:
        items = self._split()
        position = 0

        def parse_list(terminators: tuple[str, ...]) -> tuple[list[object], str, _Pipeline | None]:
            nonlocal position
            nodes: list[object] = []
            while position < len(items):
                item = items[position]
                position += 1
                if isinstance(item, _Text):
                    if item.text:
                        nodes.append(item)
                    continue

                tokens, offset = item
                if not tokens:
                    raise TemplateSyntaxError(
                        f"template: missing value for command at offset {offset}"
                    )
                head = tokens[0]
                if head.kind == "ident" and head.text in ("if", "with", "range"):
                    branch = self._parse_branch(head.text, tokens[1:], offset, parse_list)
                    nodes.append(branch)
                    continue
                if head.kind == "ident" and head.text in ("end", "else"):
                    if head.text not in terminators:
                        raise TemplateSyntaxError(
                            f"template: unexpected {{{{{head.text}}}}} at offset {offset}"
                        )
                    else_if: _Pipeline | None = None
                    if head.text == "else" and len(tokens) > 1:
                        if tokens[1].text not in ("if", "with"):
                            raise TemplateSyntaxError(
                                f"template: unexpected {tokens[1].text!r} after else"
                            )
                        # The branch kind rides in front of the condition until the
                        # caller builds the nested branch from it.
                        else_if = self._parse_pipeline(tokens[2:], offset)
                        else_if.commands[0].args.insert(0, _Identifier(tokens[1].text))
                    return nodes, head.text, else_if
                if head.kind == "ident" and head.text in (
                    "define",
                    "template",
                    "block",
                    "break",
                    "continue",
                ):
                    raise TemplateSyntaxError(f"template: {{{{{head.text}}}}} is not supported")
                nodes.append(_Action(self._parse_pipeline(tokens, offset)))
            if terminators:
                raise TemplateSyntaxError("template: unexpected EOF: missing {{end}}")
            return nodes, "", None

        nodes, _, _ = parse_list(())
        return nodes

    def _parse_branch(
        self,
        kind: str,
        tokens: list[_Token],
        offset: int,
        parse_list: Callable[[tuple[str, ...]], tuple[list[object], str, _Pipeline | None]],
    ) -> _Branch:
        if not tokens:
            raise TemplateSyntaxError(f"template: missing value for {kind} at offset {offset}")
        pipeline = self._parse_pipeline(tokens, offset)
        body, terminator, else_if = parse_list(("end", "else"))
        branch = _Branch(kind, pipeline, body)
        if terminator == "else":
            if else_if is not None:
                # `{{else if x}}` is an `if` nested in the else branch, sharing the `{{end}}`.
                head = else_if.commands[0].args[0]
                assert isinstance(head, _Identifier)
                else_if.commands[0].args.pop(0)
                nested_body, nested_terminator, nested_else_if = parse_list(("end", "else"))
                nested = _Branch(head.name, else_if, nested_body)
                self._finish_else(nested, nested_terminator, nested_else_if, parse_list)
                branch.else_body = [nested]
            else:
                else_body, _, _ = parse_list(("end",))
                branch.else_body = else_body
        return branch

    def _finish_else(
        self,
        branch: _Branch,
        terminator: str,
        else_if: _Pipeline | None,
        parse_list: Callable[[tuple[str, ...]], tuple[list[object], str, _Pipeline | None]],
    ) -> None:
        if terminator != "else":
            return
        if else_if is None:
            branch.else_body, _, _ = parse_list(("end",))
            return
        head = else_if.commands[0].args.pop(0)
        assert isinstance(head, _Identifier)
        body, next_terminator, next_else_if = parse_list(("end", "else"))
        nested = _Branch(head.name, else_if, body)
        self._finish_else(nested, next_terminator, next_else_if, parse_list)
        branch.else_body = [nested]

    def _split(self) -> list[Any]:
        items: list[Any] = []
        position = 0
        trim_next = False
        text = self.text
        while True:
            start = text.find("{{", position)
            if start < 0:
                chunk = text[position:]
                items.append(_Text(chunk.lstrip() if trim_next else chunk))
                break
            match = _ACTION_RE.match(text, start)
            if match is None:
                raise TemplateSyntaxError(f"template: unclosed action starting at offset {start}")
            chunk = text[position:start]
            if trim_next:
                chunk = chunk.lstrip()
            if match.group(1):
                chunk = chunk.rstrip()
            items.append(_Text(chunk))
            body = match.group(2)
            trim_next = bool(match.group(3))
            position = match.end()
            if body.startswith("/*") or _COMMENT_RE.fullmatch(body):
                if not body.strip().endswith("*/"):
                    raise TemplateSyntaxError(f"template: unclosed comment at offset {start}")
                continue
            body_offset = match.start(2)
            items.append((_tokenize_action(body, body_offset), start))
        return items

    def _parse_pipeline(self, tokens: list[_Token], offset: int) -> _Pipeline:
        position = 0
        declare: list[str] = []
        is_assign = False

        # Variable declarations: `$x :=`, `$i, $v :=`, or `$x =`.
        scan = 0
        names: list[str] = []
        while scan < len(tokens) and tokens[scan].kind == "variable":
            names.append(tokens[scan].text)
            scan += 1
            if scan < len(tokens) and tokens[scan].text == ",":
                scan += 1
                continue
            break
        if names and scan < len(tokens) and tokens[scan].kind in ("declare", "assign"):
            declare = names
            is_assign = tokens[scan].kind == "assign"
            position = scan + 1

        commands: list[_Command] = []
        args: list[object] = []
        depth_tokens = tokens[position:]
        index = 0
        while index < len(depth_tokens):
            token = depth_tokens[index]
            if token.text == "|" and token.kind == "punct":
                if not args:
                    raise TemplateSyntaxError(
                        f"template: missing command before '|' at offset {token.position}"
                    )
                commands.append(_Command(args))
                args = []
                index += 1
                continue
            operand, index = self._parse_operand(depth_tokens, index)
            args.append(operand)
        if not args:
            raise TemplateSyntaxError(f"template: missing value for command at offset {offset}")
        commands.append(_Command(args))
        return _Pipeline(commands, declare, is_assign)

    def _parse_operand(self, tokens: list[_Token], index: int) -> tuple[object, int]:
        token = tokens[index]
        kind = token.kind
        index += 1
        if kind == "punct" and token.text == "(":
            depth = 1
            end = index
            while end < len(tokens) and depth:
                if tokens[end].text == "(" and tokens[end].kind == "punct":
                    depth += 1
                elif tokens[end].text == ")" and tokens[end].kind == "punct":
                    depth -= 1
                end += 1
            if depth:
                raise TemplateSyntaxError(
                    f"template: unclosed left paren at offset {token.position}"
                )
            inner = self._parse_pipeline(tokens[index : end - 1], token.position)
            index = end
            if index < len(tokens) and tokens[index].kind == "field":
                names = tuple(tokens[index].text[1:].split("."))
                return _Field(names, inner), index + 1
            return inner, index
        if kind == "field":
            return _Field(tuple(token.text[1:].split("."))), index
        if kind == "variable":
            if index < len(tokens) and tokens[index].kind == "field":
                names = tuple(tokens[index].text[1:].split("."))
                return _Variable(token.text, names), index + 1
            return _Variable(token.text), index
        if kind == "dot":
            return _Dot(), index
        if kind == "string":
            try:
                return _Literal(_unquote_go(token.text)), index
            except (ValueError, IndexError) as error:
                raise TemplateSyntaxError(f"template: invalid string {token.text}") from error
        if kind == "raw":
            return _Literal(token.text[1:-1]), index
        if kind == "char":
            return _Literal(ord(_unquote_go('"' + token.text[1:-1] + '"'))), index
        if kind == "number":
            return _Literal(_parse_number(token.text)), index
        if kind == "ident":
            if token.text == "true":
                return _Literal(True), index
            if token.text == "false":
                return _Literal(False), index
            if token.text == "nil":
                return _Literal(None), index
            if token.text not in FUNCTIONS and token.text not in ("__line__", "__timestamp__"):
                raise TemplateSyntaxError(f'template: function "{token.text}" not defined')
            return _Identifier(token.text), index
        raise TemplateSyntaxError(
            f"template: unexpected {token.text!r} in operand at offset {token.position}"
        )


def _parse_number(text: str) -> int | float:
    cleaned = text.replace("_", "")
    try:
        if cleaned.lower().lstrip("+-").startswith("0x"):
            return int(cleaned, 16)
        if re.fullmatch(r"[+-]?\d+", cleaned):
            return int(cleaned, 10)
        return float(cleaned)
    except ValueError as error:
        raise TemplateSyntaxError(f"template: bad number syntax: {text!r}") from error


# --- executor --------------------------------------------------------------------


class _Executor:
    __slots__ = ("data", "line", "out", "scopes", "ts_ns")

    def __init__(self, data: Mapping[str, str], line: str, ts_ns: int) -> None:
        self.data = data
        self.line = line
        self.ts_ns = ts_ns
        self.out: list[str] = []
        self.scopes: list[dict[str, object]] = [{"$": data}]

    def run(self, nodes: list[object], dot: object) -> None:
        for node in nodes:
            if isinstance(node, _Text):
                self.out.append(node.text)
            elif isinstance(node, _Action):
                value = self.pipeline(node.pipeline, dot)
                if not node.pipeline.declare:
                    self.out.append(go_string(value))
            else:
                assert isinstance(node, _Branch)
                self.branch(node, dot)

    def branch(self, node: _Branch, dot: object) -> None:
        self.scopes.append({})
        try:
            value = self.pipeline(node.pipeline, dot, declare_range=node.kind == "range")
            if node.kind == "range":
                self.range(node, value, dot)
                return
            if is_true(value):
                self.run(node.body, value if node.kind == "with" else dot)
            elif node.else_body is not None:
                self.run(node.else_body, dot)
        finally:
            self.scopes.pop()

    def range(self, node: _Branch, value: object, dot: object) -> None:
        items: list[tuple[object, object]]
        if isinstance(value, Mapping):
            items = [(key, value[key]) for key in sorted(value)]
        elif isinstance(value, list | tuple):
            items = list(enumerate(value))
        elif isinstance(value, int) and not isinstance(value, bool):
            items = [(i, i) for i in range(value)]
        elif value is None or value is MISSING or value == "":
            items = []
        else:
            raise TemplateExecError(f"range can't iterate over {go_string(value)}")

        if not items:
            if node.else_body is not None:
                self.run(node.else_body, dot)
            return
        names = node.pipeline.declare
        for key, item in items:
            if len(names) == 1:
                self.scopes[-1][names[0]] = item
            elif len(names) == 2:
                self.scopes[-1][names[0]] = key
                self.scopes[-1][names[1]] = item
            self.run(node.body, item)

    def pipeline(self, pipe: _Pipeline, dot: object, declare_range: bool = False) -> object:
        value: object = MISSING
        has_value = False
        for command in pipe.commands:
            value = self.command(command, dot, value if has_value else None, has_value)
            has_value = True
        if pipe.declare and not declare_range:
            if pipe.is_assign:
                for scope in reversed(self.scopes):
                    if pipe.declare[0] in scope:
                        scope[pipe.declare[0]] = value
                        break
                else:
                    raise TemplateExecError(f"undefined variable: {pipe.declare[0]}")
            else:
                self.scopes[-1][pipe.declare[0]] = value
        return value

    def command(self, command: _Command, dot: object, final: object, has_final: bool) -> object:
        head = command.args[0]
        if isinstance(head, _Identifier):
            return self.call(head.name, command.args[1:], dot, final, has_final)
        if len(command.args) > 1 or has_final:
            raise TemplateExecError(f"can't give argument to non-function {self._describe(head)}")
        return self.evaluate(head, dot)

    def call(
        self, name: str, arg_nodes: list[object], dot: object, final: object, has_final: bool
    ) -> object:
        if name == "__line__":
            return self.line
        if name == "__timestamp__":
            return GoTime(self.ts_ns)

        if name in ("and", "or"):
            # Arguments are evaluated lazily: `and` stops at the first false one,
            # `or` at the first true one, and the deciding value is the result.
            count = len(arg_nodes) + (1 if has_final else 0)
            if count == 0:
                raise TemplateExecError(f"wrong number of args for {name}: want at least 1 got 0")
            result: object = MISSING
            for position in range(count):
                result = (
                    final if position == len(arg_nodes) else self.evaluate(arg_nodes[position], dot)
                )
                if (name == "and") != is_true(result):
                    return result
            return result

        function = FUNCTIONS[name]
        args = [self.evaluate(node, dot) for node in arg_nodes]
        if has_final:
            args.append(final)
        fixed = len(function.params)
        if len(args) < fixed or (not function.variadic and len(args) > fixed):
            want = f"at least {fixed}" if function.variadic else str(fixed)
            raise TemplateExecError(f"wrong number of args for {name}: want {want} got {len(args)}")
        checked = [
            _check_arg(name, kind, arg) for kind, arg in zip(function.params, args, strict=False)
        ]
        checked.extend(_check_arg(name, function.variadic, arg) for arg in args[fixed:])
        try:
            return function.call(*checked)
        except TemplateExecError:
            raise
        except (ValueError, TypeError, OverflowError, ZeroDivisionError, UnicodeError) as error:
            raise TemplateExecError(f"error calling {name}: {error}") from error

    def evaluate(self, node: object, dot: object) -> object:
        if isinstance(node, _Field):
            if node.receiver is None:
                receiver = dot
            elif isinstance(node.receiver, _Pipeline):
                receiver = self.pipeline(node.receiver, dot)
            else:
                receiver = self.evaluate(node.receiver, dot)
            return self.fields(receiver, node.names)
        if isinstance(node, _Literal):
            return node.value
        if isinstance(node, _Variable):
            for scope in reversed(self.scopes):
                if node.name in scope:
                    return self.fields(scope[node.name], node.names)
            raise TemplateExecError(f"undefined variable: {node.name}")
        if isinstance(node, _Dot):
            return dot
        if isinstance(node, _Pipeline):
            return self.pipeline(node, dot)
        if isinstance(node, _Identifier):
            return self.call(node.name, [], dot, None, False)
        raise TemplateExecError(f"cannot evaluate {node!r}")

    def fields(self, receiver: object, names: tuple[str, ...]) -> object:
        current = receiver
        for name in names:
            if isinstance(current, Mapping):
                current = current.get(name, MISSING)
            elif current is MISSING or current is None:
                raise TemplateExecError(f"nil pointer evaluating interface {{}}.{name}")
            else:
                raise TemplateExecError(
                    f"can't evaluate field {name} in type {_go_type_name(current)}"
                )
        return current

    @staticmethod
    def _describe(node: object) -> str:
        if isinstance(node, _Field):
            return "." + ".".join(node.names)
        if isinstance(node, _Literal):
            return go_string(node.value)
        return type(node).__name__.lstrip("_").lower()


class Template:
    """A compiled Go text/template; raises TemplateSyntaxError when the text does not parse."""

    __slots__ = ("_nodes", "_static", "text", "uses_line", "uses_timestamp")

    def __init__(self, text: str) -> None:
        self.text = text
        self._nodes = _Parser(text).parse()
        self._static: str | None = None
        if all(isinstance(node, _Text) for node in self._nodes):
            self._static = "".join(node.text for node in self._nodes if isinstance(node, _Text))
        self.uses_line = "__line__" in text
        self.uses_timestamp = "__timestamp__" in text

    def render(self, data: Mapping[str, str], line: str = "", ts_ns: int = 0) -> str:
        """Render with `data` as the labels map; raises TemplateExecError when a step fails.

        `line` is what `__line__` returns; `ts_ns` (nanoseconds since the epoch)
        is what `__timestamp__` returns.
        """
        if self._static is not None:
            return self._static
        executor = _Executor(data, line, ts_ns)
        try:
            executor.run(self._nodes, data)
        except RecursionError as error:
            raise TemplateExecError("template nesting too deep") from error
        return "".join(executor.out)
