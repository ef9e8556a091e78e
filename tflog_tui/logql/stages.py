"""Text extraction used by LogQL pipeline stages, independent of the syntax tree.

Each extractor reads one log line and returns (label name, value) pairs or
raises `ExtractionError` with the detail Loki would put in
`__error_details__`. Names are sanitized as Loki does: characters other than
ASCII letters, digits and `_` become `_`, and a name starting with a digit
gets a leading `_`.
"""

from __future__ import annotations

import ipaddress
import json
import math
import re
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Final, cast

import orjson

from tflog_tui.logql.units import parse_duration


class ExtractionError(ValueError):
    """A line that a parser stage cannot read; the message is the error detail."""


# --- label names ---------------------------------------------------------------

_INVALID_NAME_CHARS: Final = re.compile(r"[^A-Za-z0-9_]")


def sanitize_label_name(key: str, is_prefix: bool = True) -> str:
    """Return `key` as a valid label name, or "" when nothing usable is left.

    Surrounding spaces are removed, other invalid characters become `_`, and a
    name (`is_prefix`: the first part of a nested name) starting with a digit
    gets a `_` in front.
    """
    cache = _SANITIZED_PREFIX if is_prefix else _SANITIZED
    found = cache.get(key)
    if found is None:
        found = _sanitize(key, is_prefix)
        if len(cache) >= _SANITIZED_CACHE_SIZE:
            cache.clear()
        cache[key] = found
    return found


# Log lines repeat the same keys, so sanitized names are cached (bounded, cleared when full).
_SANITIZED_CACHE_SIZE: Final = 4096
_SANITIZED_PREFIX: dict[str, str] = {}
_SANITIZED: dict[str, str] = {}


def _sanitize(key: str, is_prefix: bool) -> str:
    key = key.strip()
    if not key:
        return ""
    if is_prefix and key[0].isascii() and key[0].isdigit():
        key = "_" + key
    if key.isascii() and key.replace("_", "a").isalnum():
        return key
    return _INVALID_NAME_CHARS.sub("_", key)


# --- json ----------------------------------------------------------------------


class _Pairs(list[tuple[str, object]]):
    """A JSON object as its members in order, so duplicate keys keep the first value."""

    __slots__ = ()


def _reject_constant(name: str) -> object:
    raise ValueError(f"invalid JSON value {name}")


_JSON_DECODER: Final = json.JSONDecoder(
    object_pairs_hook=_Pairs,
    parse_float=str,
    parse_int=str,
    parse_constant=_reject_constant,
)
_VALUE_DECODER: Final = json.JSONDecoder(
    parse_float=str,
    parse_int=str,
    parse_constant=_reject_constant,
)
# Unpack needs JSON types, to keep only string members.
_TYPED_DECODER: Final = json.JSONDecoder(
    object_pairs_hook=_Pairs,
    parse_constant=_reject_constant,
)
_WHITESPACE: Final = re.compile(r"[ \t\n\r]*")

_ScanOnce = Callable[[str, int], tuple[Any, int]]
# json's C scanners, which read one JSON value or string starting at an offset.
_scan_value: Final = cast(_ScanOnce, getattr(_VALUE_DECODER, "scan_once"))  # noqa: B009
scanstring: Final = cast(_ScanOnce, getattr(json.decoder, "scanstring"))  # noqa: B009


def _json_value_text(value: object) -> str:
    # NOTE: null becomes an empty value, so the label exists with "". Loki's
    # documentation does not say how it reads null; this is not confirmed.
    if isinstance(value, str):
        return value
    if value is True:
        return "true"
    if value is False:
        return "false"
    return ""


def json_labels(line: str) -> list[tuple[str, str]]:
    """Return every scalar member of a JSON object line as (sanitized name, value).

    Nested objects are flattened with `_`, arrays are skipped, numbers keep
    their text, booleans are `true`/`false` and null is "". Raises
    ExtractionError when the line is not a JSON object.
    """
    fast = _json_labels_fast(line)
    if fast is not None:
        return fast
    return json_labels_exact(line)


def json_labels_exact(line: str) -> list[tuple[str, str]]:
    """Return the same labels as `json_labels`, always with the exact (slower) parser."""
    try:
        document = _JSON_DECODER.decode(line)
    except ValueError as error:
        raise ExtractionError(str(error)) from error
    except RecursionError as error:
        raise ExtractionError("JSON nested too deeply") from error
    if not isinstance(document, _Pairs):
        raise ExtractionError("invalid JSON: the line is not a JSON object")

    labels: list[tuple[str, str]] = []
    _flatten(document, "", labels)
    return labels


_KEY_END: Final = re.compile(r'"[ \t\n\r]*:')


class _NeedsExactParse(Exception):
    """orjson's result cannot reproduce Loki's output; the exact parser must run."""


def _json_labels_fast(line: str) -> list[tuple[str, str]] | None:
    """Return the labels using orjson, or None when only the exact parser gives Loki's result.

    orjson loses the text of floats (`1.50` becomes 1.5) and keeps the last of
    duplicate keys where Loki keeps the first. Lines with floats, with
    objects inside arrays, or with more `"key":` spellings than parsed keys
    (a duplicate key, or a quote and colon inside a string) go to the exact
    parser instead.
    """
    try:
        document = orjson.loads(line)
    except orjson.JSONDecodeError:
        return None
    if not isinstance(document, dict):
        return None

    labels: list[tuple[str, str]] = []
    try:
        key_count = _flatten_fast(document, "", labels)
    except _NeedsExactParse:
        return None
    # Every key is written `"key":`, unless whitespace precedes the colon; only
    # then is the slower regex count needed.
    if key_count != line.count('":'):
        return None
    if ('" ' in line or '"\t' in line or '"\n' in line or '"\r' in line) and key_count != len(
        _KEY_END.findall(line)
    ):
        return None
    return labels


def _flatten_fast(members: dict[str, Any], prefix: str, labels: list[tuple[str, str]]) -> int:
    """Flatten a decoded object into `labels` and return how many keys it had, nested ones too."""
    key_count = len(members)
    names = _SANITIZED if prefix else _SANITIZED_PREFIX
    append = labels.append
    for key, value in members.items():
        # Exact type checks, most frequent first: this loop runs for every member of every line.
        kind = type(value)
        if kind is str:
            text = value
        elif kind is int:
            text = str(value)
        elif kind is dict:
            name = names.get(key) or sanitize_label_name(key, is_prefix=not prefix)
            if not name:
                # Members of an object whose name sanitizes to nothing are skipped,
                # but their keys still count.
                key_count += _flatten_fast(value, "\0", [])
                continue
            key_count += _flatten_fast(value, f"{prefix}_{name}" if prefix else name, labels)
            continue
        elif kind is bool:
            text = "true" if value else "false"
        elif value is None:
            text = ""
        elif kind is list:
            if any(isinstance(item, dict | list) for item in value):
                raise _NeedsExactParse
            continue
        else:
            raise _NeedsExactParse

        name = names.get(key) or sanitize_label_name(key, is_prefix=not prefix)
        if name:
            append((f"{prefix}_{name}" if prefix else name, text))
    return key_count


def _flatten(members: _Pairs, prefix: str, labels: list[tuple[str, str]]) -> None:
    for key, value in members:
        name = sanitize_label_name(key, is_prefix=not prefix)
        if not name:
            continue
        if prefix:
            name = f"{prefix}_{name}"
        if isinstance(value, _Pairs):
            _flatten(value, name, labels)
        elif isinstance(value, list):
            continue
        else:
            labels.append((name, _json_value_text(value)))


def json_path_value(line: str, path: Sequence[str | int]) -> str | None:
    """Return the value at `path` in a JSON line, or None when the path does not exist.

    Strings are unescaped, numbers and booleans keep their text, null is "",
    and objects and arrays are returned as their JSON text from the line.
    Raises ExtractionError when the line is not a JSON object or the part read
    is malformed.
    """
    scan = _scan_value
    try:
        position = _WHITESPACE.match(line, 0).end()  # type: ignore[union-attr]
        if not line.startswith("{", position):
            raise ExtractionError("invalid JSON: the line is not a JSON object")
        for step in path:
            found = _find_member(line, position, step, scan)
            if found is None:
                return None
            position = found
        value, end = scan(line, position)
    except StopIteration as error:
        raise ExtractionError(f"Malformed JSON at offset {error.value}") from error
    except (ValueError, RecursionError) as error:
        raise ExtractionError(f"Malformed JSON: {error}") from error

    if isinstance(value, dict | list):
        return line[position:end]
    return _json_value_text(value)


def _find_member(line: str, position: int, step: str | int, scan_once: _ScanOnce) -> int | None:
    """Return the offset of the member `step` of the object or array at `position`."""
    skip = _WHITESPACE.match
    if isinstance(step, str):
        if not line.startswith("{", position):
            return None
        position = skip(line, position + 1).end()  # type: ignore[union-attr]
        if line.startswith("}", position):
            return None
        while True:
            if not line.startswith('"', position):
                raise ValueError(f"expected a key at offset {position}")
            key, position = scanstring(line, position + 1)
            position = skip(line, position).end()  # type: ignore[union-attr]
            if not line.startswith(":", position):
                raise ValueError(f"expected ':' at offset {position}")
            position = skip(line, position + 1).end()  # type: ignore[union-attr]
            if key == step:
                return position
            _, position = scan_once(line, position)
            position = skip(line, position).end()  # type: ignore[union-attr]
            if line.startswith(",", position):
                position = skip(line, position + 1).end()  # type: ignore[union-attr]
                continue
            if line.startswith("}", position):
                return None
            raise ValueError(f"expected ',' or '}}' at offset {position}")

    if not line.startswith("[", position):
        return None
    position = skip(line, position + 1).end()  # type: ignore[union-attr]
    if line.startswith("]", position):
        return None
    index = 0
    while True:
        if index == step:
            return position
        _, position = scan_once(line, position)
        position = skip(line, position).end()  # type: ignore[union-attr]
        if line.startswith(",", position):
            position = skip(line, position + 1).end()  # type: ignore[union-attr]
            index += 1
            continue
        if line.startswith("]", position):
            return None
        raise ValueError(f"expected ',' or ']' at offset {position}")


def unpack_labels(line: str) -> tuple[list[tuple[str, str]], str | None]:
    """Return the string members of a packed JSON line and its `_entry` value.

    Only top-level string members become labels, as Promtail's pack stage
    writes them. Raises ExtractionError when the line is not a JSON object.
    """
    try:
        document = _TYPED_DECODER.decode(line)
    except ValueError as error:
        raise ExtractionError(str(error)) from error
    except RecursionError as error:
        raise ExtractionError("JSON nested too deeply") from error
    if not isinstance(document, _Pairs):
        raise ExtractionError("invalid JSON: the line is not a JSON object")

    labels: list[tuple[str, str]] = []
    entry: str | None = None
    for key, value in document:
        if key == "_entry":
            if isinstance(value, str) and entry is None:
                entry = value
            continue
        if not isinstance(value, str):
            continue
        name = sanitize_label_name(key)
        if name:
            labels.append((name, value))
    return labels, entry


# --- logfmt --------------------------------------------------------------------

_LOGFMT_PAIR: Final = re.compile(
    r"""[\x00-\x20]*
    (?P<key>[^\x00-\x20="]+)
    (?:=(?:"(?P<quoted>(?:[^"\\]|\\.)*)"|(?P<bare>[^\x00-\x20="]*)))?
    (?=[\x00-\x20]|\Z)""",
    re.VERBOSE | re.DOTALL,
)
_LOGFMT_SPACE: Final = re.compile(r"[\x00-\x20]*")
# A malformed pair is skipped up to the next space, or past its quoted value
# when one was opened (an unterminated quote runs to the end of the line).
_LOGFMT_SKIP: Final = re.compile(r'[^\x00-\x20="]*(?:="(?:[^"\\]|\\.)*"?)?[^\x00-\x20]*')
_LOGFMT_ESCAPES: Final[dict[str, str]] = {
    '"': '"',
    "\\": "\\",
    "/": "/",
    "b": "\b",
    "f": "\f",
    "n": "\n",
    "r": "\r",
    "t": "\t",
}


def _logfmt_unquote(text: str) -> str:
    if "\\" not in text:
        return text
    out: list[str] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char != "\\":
            out.append(char)
            index += 1
            continue
        escape = text[index + 1]
        if escape in _LOGFMT_ESCAPES:
            out.append(_LOGFMT_ESCAPES[escape])
            index += 2
            continue
        if escape == "u" and re.fullmatch(r"[0-9A-Fa-f]{4}", text[index + 2 : index + 6]):
            code = int(text[index + 2 : index + 6], 16)
            index += 6
            if 0xD800 <= code < 0xDC00 and re.fullmatch(
                r"\\u[0-9A-Fa-f]{4}", text[index : index + 6]
            ):
                low = int(text[index + 2 : index + 6], 16)
                if 0xDC00 <= low < 0xE000:
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                    index += 6
            out.append(chr(code) if not 0xD800 <= code < 0xE000 else "\ufffd")
            continue
        raise ExtractionError(f"logfmt syntax error: invalid escape \\{escape} in quoted value")
    return "".join(out)


def logfmt_pairs(line: str, strict: bool) -> Iterator[tuple[str, str | None]]:
    """Yield (key, value) pairs of a logfmt line; a standalone key has value None.

    Keys are returned as written (not sanitized). In strict mode the first
    malformed pair raises ExtractionError; otherwise malformed pairs are skipped.
    """
    position = 0
    length = len(line)
    while position < length:
        match = _LOGFMT_PAIR.match(line, position)
        if match is not None:
            position = match.end()
            quoted = match.group("quoted")
            if quoted is not None:
                try:
                    value: str | None = _logfmt_unquote(quoted)
                except ExtractionError:
                    if strict:
                        raise
                    continue
            else:
                value = match.group("bare")
            yield match.group("key"), value
            continue

        start = _LOGFMT_SPACE.match(line, position).end()  # type: ignore[union-attr]
        if start >= length:
            return
        if strict:
            raise ExtractionError(
                f"logfmt syntax error at pos {start + 1}: {_logfmt_problem(line, start)}"
            )
        skipped = _LOGFMT_SKIP.match(line, start).end()  # type: ignore[union-attr]
        position = max(skipped, start + 1)


def _logfmt_problem(line: str, start: int) -> str:
    if line[start] == "=":
        return "unexpected '=' (missing key)"
    token = re.match(r"[^\x00-\x20]*", line[start:])
    text = token.group(0) if token else ""
    if '"' in text.split("=", 1)[0]:
        return "unexpected '\"' in key"
    if text.count("=") > 1:
        return "unexpected '=' in value"
    if text.count('"') % 2 == 1:
        return "unterminated quoted value"
    return "unexpected character after value"


# --- pattern -------------------------------------------------------------------

_CAPTURE: Final = re.compile(r"<([A-Za-z_][A-Za-z0-9_]*)>")


@dataclass(frozen=True, slots=True)
class CompiledPattern:
    """A pattern expression as alternating literals and captures.

    `parts` contains ("lit", text) and ("cap", name) items. A `<_>` capture has
    the name "_" and extracts nothing.
    """

    parts: tuple[tuple[str, str], ...]

    @property
    def names(self) -> tuple[str, ...]:
        """Return the named captures in order."""
        return tuple(text for kind, text in self.parts if kind == "cap" and text != "_")

    def extract(self, line: str) -> list[tuple[str, str]] | None:
        """Return the captured (name, value) pairs, or None when the line does not match.

        A pattern that starts with a literal must match at the line start. A
        capture runs to the next occurrence of the literal after it, and a
        final capture takes the rest of the line. When a later literal is not
        found, the captures made before it are returned.
        """
        captured: list[tuple[str, str]] = []
        position = 0
        parts = self.parts
        count = len(parts)
        index = 0
        while index < count:
            kind, text = parts[index]
            if kind == "lit":
                if not line.startswith(text, position):
                    return captured if captured else None
                position += len(text)
                index += 1
                continue

            if index + 1 == count:
                if text != "_":
                    captured.append((text, line[position:]))
                return captured
            literal = parts[index + 1][1]
            found = line.find(literal, position)
            if found < 0:
                return captured if captured else None
            if text != "_":
                captured.append((text, line[position:found]))
            position = found + len(literal)
            index += 2
        return captured

    def matches(self, line: str) -> bool:
        """Return whether the whole line fits the pattern (the `|>` line filter)."""
        position = 0
        parts = self.parts
        count = len(parts)
        index = 0
        while index < count:
            kind, text = parts[index]
            if kind == "lit":
                if not line.startswith(text, position):
                    return False
                position += len(text)
                index += 1
                continue
            if index + 1 == count:
                return True
            literal = parts[index + 1][1]
            found = line.find(literal, position)
            if found < 0:
                return False
            position = found + len(literal)
            index += 2
        return position == len(line)


def compile_pattern(text: str, require_named: bool = True) -> CompiledPattern:
    """Compile a pattern expression such as `<ip> - - <_> "<method> <uri> <_>"`.

    Raises ValueError when two captures are adjacent, a name repeats, or
    (with `require_named`) no named capture exists.
    """
    parts: list[tuple[str, str]] = []
    position = 0
    for match in _CAPTURE.finditer(text):
        if match.start() > position:
            parts.append(("lit", text[position : match.start()]))
        if parts and parts[-1][0] == "cap":
            raise ValueError(f"invalid pattern {text!r}: consecutive captures are not allowed")
        parts.append(("cap", match.group(1)))
        position = match.end()
    if position < len(text):
        parts.append(("lit", text[position:]))

    compiled = CompiledPattern(tuple(parts))
    names = compiled.names
    if require_named and not names:
        raise ValueError(f"invalid pattern {text!r}: at least one named capture is required")
    if len(set(names)) != len(names):
        raise ValueError(f"invalid pattern {text!r}: a capture name appears twice")
    if not parts:
        raise ValueError("invalid pattern: it is empty")
    return compiled


# --- ip ------------------------------------------------------------------------

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

_IPV4_IN_LINE: Final = re.compile(r"(?<![0-9.])\d{1,3}(?:\.\d{1,3}){3}(?![0-9]|\.[0-9])")
_IPV6_IN_LINE: Final = re.compile(
    r"(?<![0-9A-Fa-f:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f.]{0,4}){2,}(?:\.\d{1,3}){0,3}"
)


class IpMatcher:
    """An `ip("...")` pattern: one address, a range `a-b`, or a CIDR block."""

    __slots__ = ("_high", "_low", "_version", "pattern")

    def __init__(self, pattern: str) -> None:
        self.pattern = pattern
        try:
            if "/" in pattern:
                network = ipaddress.ip_network(pattern.strip(), strict=False)
                low: IpAddress = network.network_address
                high: IpAddress = network.broadcast_address
            elif "-" in pattern:
                first, _, last = pattern.partition("-")
                low = ipaddress.ip_address(first.strip())
                high = ipaddress.ip_address(last.strip())
                if low.version != high.version or low > high:  # type: ignore[operator]
                    raise ValueError("the range ends must be of one version, low first")
            else:
                low = high = ipaddress.ip_address(pattern.strip())
        except ValueError as error:
            raise ValueError(f"invalid ip pattern {pattern!r}: {error}") from error
        self._low = int(low)
        self._high = int(high)
        self._version = low.version

    def contains(self, text: str) -> bool:
        """Return whether `text` is one address inside the pattern."""
        try:
            address = ipaddress.ip_address(text)
        except ValueError:
            return False
        if address.version != self._version:
            return False
        return self._low <= int(address) <= self._high

    def search(self, line: str) -> bool:
        """Return whether any address written in `line` is inside the pattern."""
        if self._version == 4:
            candidates = _IPV4_IN_LINE.findall(line)
        else:
            candidates = [c.rstrip(".:") or c for c in _IPV6_IN_LINE.findall(line)]
        return any(self.contains(candidate) for candidate in candidates)


# --- value conversion ----------------------------------------------------------

_HUMAN_BYTES: Final[dict[str, int]] = {
    "": 1,
    "b": 1,
    "k": 1000,
    "kb": 1000,
    "ki": 1024,
    "kib": 1024,
    "m": 1000**2,
    "mb": 1000**2,
    "mi": 1024**2,
    "mib": 1024**2,
    "g": 1000**3,
    "gb": 1000**3,
    "gi": 1024**3,
    "gib": 1024**3,
    "t": 1000**4,
    "tb": 1000**4,
    "ti": 1024**4,
    "tib": 1024**4,
    "p": 1000**5,
    "pb": 1000**5,
    "pi": 1024**5,
    "pib": 1024**5,
    "e": 1000**6,
    "eb": 1000**6,
    "ei": 1024**6,
    "eib": 1024**6,
}
_HUMAN_NUMBER: Final = re.compile(r"[0-9.,]*")


def parse_humanized_bytes(text: str) -> int:
    """Parse a byte size as go-humanize's ParseBytes does: `5 MiB`, `3k`, `1G`, `42`.

    Units are case-insensitive, a space may separate number and unit, and
    no unit means bytes. Raises ValueError naming the text otherwise.
    """
    match = _HUMAN_NUMBER.match(text)
    number = match.group(0) if match else ""
    unit = text[len(number) :].strip().lower()
    factor = _HUMAN_BYTES.get(unit)
    if factor is None:
        raise ValueError(f"unhandled size name: {unit}")
    try:
        value = float(number.replace(",", ""))
    except ValueError as error:
        raise ValueError(f"invalid byte size {text!r}") from error
    result = value * factor
    if result >= 2.0**64:
        raise ValueError(f"too large: {text}")
    return int(result)


def parse_label_duration(text: str) -> float:
    """Parse a label value as a Go duration and return it in seconds; raises ValueError."""
    if not text or text != text.strip():
        raise ValueError(f'time: invalid duration "{text}"')
    try:
        return parse_duration(text) / 1e9
    except ValueError as error:
        raise ValueError(f'time: invalid duration "{text}"') from error


def parse_label_number(text: str) -> float:
    """Parse a label value as Go's strconv.ParseFloat does; raises ValueError."""
    if not text or text != text.strip() or "_" in text:
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": invalid syntax')
    try:
        if text.lower().lstrip("+-").startswith("0x"):
            return float.fromhex(text)
        value = float(text)
    except ValueError as error:
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": invalid syntax') from error
    if math.isinf(value) and "inf" not in text.lower():
        raise ValueError(f'strconv.ParseFloat: parsing "{text}": value out of range')
    return value


# --- decolorize ----------------------------------------------------------------

ANSI_SEQUENCE: Final = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"  # CSI: colours, cursor movement
    r"|(?:\x1b\]|\x9d)[^\x07\x1b]*(?:\x07|\x1b\\)"  # OSC, ended by BEL or ST
    r"|\x1b[PX^_][^\x1b]*\x1b\\"  # DCS, SOS, PM, APC
    r"|\x1b[ -/]*[0-~]"  # two-character escapes
)
"""ANSI escape sequences that `decolorize` removes from a line."""


def decolorize(line: str) -> str:
    """Return the line without ANSI escape sequences."""
    if "\x1b" not in line and "\x9b" not in line and "\x9d" not in line:
        return line
    return ANSI_SEQUENCE.sub("", line)
