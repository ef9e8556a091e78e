"""The functions LogQL templates can call: Go's built-ins, Loki's and Sprig's.

Each function declares the Go type of its parameters, so that passing a
missing label or a number where Go wants a string fails as it does in Loki
(`TemplateExecError`, which Loki reports as `TemplateFormatErr`).
"""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
import re
import time
import urllib.parse
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from tflog_tui.logql.gofmt import (
    MISSING,
    GoTime,
    format_go_time,
    go_sprintf,
    go_string,
    go_type_name,
    is_true,
    parse_go_float,
    parse_go_time,
)
from tflog_tui.logql.re2 import compile_re2, expand_go_template


class TemplateExecError(Exception):
    """A template that failed while rendering one entry (Loki reports `TemplateFormatErr`)."""


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


# --- functions -------------------------------------------------------------------

Fn = Callable[..., object]


@dataclass(frozen=True, slots=True)
class _Function:
    call: Fn
    params: str
    """One letter per parameter: s=string, i=int, f=float64, a=interface{}, t=time.Time."""
    variadic: str = ""
    """Kind of the extra arguments, or empty when the function takes exactly `params`."""


def check_arg(name: str, kind: str, value: object) -> object:
    if kind == "a":
        return None if value is MISSING else value
    if value is MISSING or value is None:
        expected = {"s": "string", "i": "int", "f": "float64", "t": "time.Time"}[kind]
        raise TemplateExecError(f"error calling {name}: invalid value; expected {expected}")
    if kind == "s":
        if not isinstance(value, str):
            raise TemplateExecError(
                f"wrong type for value in {name}; expected string; got {go_type_name(value)}"
            )
        return value
    if kind == "i":
        if isinstance(value, bool) or not isinstance(value, int):
            raise TemplateExecError(
                f"wrong type for value in {name}; expected int; got {go_type_name(value)}"
            )
        return value
    if kind == "f":
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise TemplateExecError(
                f"wrong type for value in {name}; expected float64; got {go_type_name(value)}"
            )
        return float(value)
    if not isinstance(value, GoTime):
        raise TemplateExecError(
            f"wrong type for value in {name}; expected time.Time; got {go_type_name(value)}"
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
    raise TemplateExecError(f"error calling len: len of type {go_type_name(value)}")


def _index(item: object, *keys: object) -> object:
    current = item
    for key in keys:
        if isinstance(current, Mapping):
            # Go's index returns the zero value for a missing key: "" in the labels
            # (a map of strings), nil, which prints as <no value>, in a fromJson map.
            labels_map = all(type(value) is str for value in current.values())
            current = current.get(key, "" if labels_map else MISSING)
        elif isinstance(current, list | tuple | str) and isinstance(key, int):
            if not 0 <= key < len(current):
                raise TemplateExecError(f"error calling index: index out of range: {key}")
            current = current[key]
        else:
            raise TemplateExecError(
                f"error calling index: can't index item of type {go_type_name(current)}"
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
