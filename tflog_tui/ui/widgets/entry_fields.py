"""Split one log entry into named fields: labels, metadata, parsed labels, JSON and logfmt keys.

Field names are the labels Loki's `| json` and `| logfmt` parser stages
extract, so a field turned into a label filter matches the same lines in Loki.
Nested JSON keys are joined with `_`, arrays are skipped, and characters that
are not valid in a label name become `_`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Literal

from tflog_tui.loki.models import Entry

FieldSource = Literal["label", "metadata", "parsed", "json", "logfmt"]
LineFormat = Literal["json", "logfmt", "plain"]

MAX_PARSED_LINE_CHARS = 2_000_000
"""Maximum characters of a line parsed as JSON or logfmt; longer lines show as plain text."""

_INVALID_LABEL_CHARS = re.compile(r"[^a-zA-Z0-9_]")


@dataclass(frozen=True, slots=True)
class EntryField:
    """One `name = value` pair of an entry and where it comes from."""

    source: FieldSource
    name: str
    value: str


def sanitize_label_name(name: str) -> str:
    """Return `name` as Loki's parsers turn a key into a label name."""
    cleaned = _INVALID_LABEL_CHARS.sub("_", name)
    if cleaned and cleaned[0].isdigit():
        cleaned = "_" + cleaned
    return cleaned


def parse_json_object(line: str) -> dict[str, object] | None:
    """Return the line decoded as a JSON object, or None when it is not one."""
    stripped = line.strip()
    if not stripped.startswith("{") or len(stripped) > MAX_PARSED_LINE_CHARS:
        return None
    try:
        decoded = json.loads(stripped)
    except ValueError:
        return None
    return decoded if isinstance(decoded, dict) else None


def _json_scalar(value: object) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return json.dumps(value)
    return None


def flatten_json(document: dict[str, object], prefix: str = "") -> list[tuple[str, str]]:
    """Flatten a decoded JSON object into `(label name, value)` pairs as `| json` does."""
    pairs: list[tuple[str, str]] = []
    for key, value in document.items():
        name = sanitize_label_name(f"{prefix}_{key}" if prefix else key)
        if isinstance(value, dict):
            pairs.extend(flatten_json(value, name))
            continue

        scalar = _json_scalar(value)
        if scalar is not None:
            pairs.append((name, scalar))
    return pairs


_LOGFMT_PAIR = re.compile(r'([^\s="]+)(?:=("(?:[^"\\]|\\.)*"?|\S*))?|(\S+)')
_LOGFMT_ESCAPE = re.compile(r"\\(.)")
_LOGFMT_ESCAPES = {"n": "\n", "t": "\t", "r": "\r"}


def _unquote_logfmt(value: str) -> str:
    """Return a logfmt value without its quotes, with backslash escapes resolved."""
    if not value.startswith('"'):
        return value

    inner = value[1:-1] if len(value) > 1 and value.endswith('"') else value[1:]
    return _LOGFMT_ESCAPE.sub(lambda match: _LOGFMT_ESCAPES.get(match[1], match[1]), inner)


def parse_logfmt(line: str) -> list[tuple[str, str]] | None:
    """Return the `key=value` pairs of a logfmt line, or None when the line is not logfmt.

    A line counts as logfmt when its first word is a `key=value` pair and it has
    at least two pairs. Bare keys count as pairs with an empty value.
    """
    if len(line) > MAX_PARSED_LINE_CHARS:
        return None

    pairs: list[tuple[str, str]] = []
    for match in _LOGFMT_PAIR.finditer(line):
        key, value, stray = match.groups()
        if stray is not None or (not pairs and value is None):
            if not pairs:
                return None
            continue
        pairs.append((key, _unquote_logfmt(value or "")))

    with_values = sum(1 for _key, value in pairs if value)
    if len(pairs) < 2 or with_values < 1:
        return None
    return pairs


Decoded = tuple[LineFormat, dict[str, object] | list[tuple[str, str]] | None]


def line_format(line: str) -> Decoded:
    """Detect whether the line is a JSON object, logfmt or plain text, with its decoded form."""
    document = parse_json_object(line)
    if document is not None:
        return "json", document

    pairs = parse_logfmt(line)
    if pairs is not None:
        return "logfmt", pairs
    return "plain", None


def entry_fields(
    entry: Entry, decoded_line: Decoded | None = None, *, indexed: Collection[str] | None = None
) -> list[EntryField]:
    """List every field of `entry`: labels, metadata, parsed labels, then JSON or logfmt keys.

    `decoded_line` is `line_format(entry.line)` when the caller has it already.
    `indexed` names the labels Loki indexes; the entry's other labels were
    extracted by a parser stage and are listed as parsed. None: every label
    of the entry is a stream label.
    """
    fields = [
        EntryField("label" if indexed is None or name in indexed else "parsed", name, value)
        for name, value in entry.labels.items()
    ]
    fields += [EntryField("metadata", name, value) for name, value in entry.metadata.items()]
    fields += [EntryField("parsed", name, value) for name, value in entry.parsed.items()]

    kind, decoded = line_format(entry.line) if decoded_line is None else decoded_line
    if kind == "json" and isinstance(decoded, dict):
        fields += [EntryField("json", name, value) for name, value in flatten_json(decoded)]
    elif kind == "logfmt" and isinstance(decoded, list):
        fields += [
            EntryField("logfmt", sanitize_label_name(name), value) for name, value in decoded
        ]
    return fields


def find_task_id(fields: list[EntryField]) -> str | None:
    """Return the first non-empty `task_id` among the fields, labels first."""
    for field in fields:
        if field.name == "task_id" and field.value:
            return field.value
    return None


PRETTY_INDENT = 2
"""Spaces per nesting level in the pretty JSON view."""


def pretty_json_lines(value: object, indent: int = 0, prefix: str = "") -> list[str]:
    """Lay out decoded JSON as indented lines, like `json.dumps(indent=2)`.

    A string holding line breaks (a traceback) is shown as a block of its
    own lines, indented below its key, instead of one escaped string.
    `prefix` is the `"key": ` put before the value. Commas separate items.
    """
    pad = " " * indent
    if isinstance(value, dict) and value:
        lines = [f"{pad}{prefix}{{"]
        items = list(value.items())
        for number, (key, item) in enumerate(items):
            key_text = json.dumps(str(key), ensure_ascii=False) + ": "
            lines += _with_comma(
                pretty_json_lines(item, indent + PRETTY_INDENT, key_text), number < len(items) - 1
            )
        lines.append(f"{pad}}}")
        return lines

    if isinstance(value, list) and value:
        lines = [f"{pad}{prefix}["]
        for number, item in enumerate(value):
            lines += _with_comma(
                pretty_json_lines(item, indent + PRETTY_INDENT), number < len(value) - 1
            )
        lines.append(f"{pad}]")
        return lines

    if isinstance(value, str) and ("\n" in value or "\r" in value):
        block_pad = " " * (indent + 2 * PRETTY_INDENT)
        parts = value.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")
        return [f"{pad}{prefix}|", *(f"{block_pad}{part}" for part in parts)]

    return [f"{pad}{prefix}{json.dumps(value, ensure_ascii=False)}"]


def _with_comma(lines: list[str], comma: bool) -> list[str]:
    """Add a comma after an item's last line, unless the item is a block of text."""
    if comma and not lines[0].endswith("|"):
        lines[-1] += ","
    return lines
