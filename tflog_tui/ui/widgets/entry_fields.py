"""Split one log entry into named fields: labels, metadata, parsed labels, JSON and logfmt keys.

Field names follow what Loki's `| json` and `| logfmt` parser stages extract,
so a field turned into a label filter matches the same lines in Loki: nested
JSON keys are joined with `_`, arrays are skipped, and characters that are not
valid in a label name become `_`.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Literal

from tflog_tui.loki.models import Entry

FieldSource = Literal["label", "metadata", "parsed", "json", "logfmt"]
LineFormat = Literal["json", "logfmt", "plain"]

MAX_PARSED_LINE_CHARS = 2_000_000
"""Longest line parsed as JSON or logfmt, in characters; longer lines show as plain text."""

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


def _read_logfmt_value(line: str, index: int) -> tuple[str, int]:
    """Read a bare or double-quoted value starting at `index`; return it and the next index."""
    if index < len(line) and line[index] == '"':
        chars: list[str] = []
        index += 1
        while index < len(line):
            char = line[index]
            if char == "\\" and index + 1 < len(line):
                escaped = line[index + 1]
                chars.append({"n": "\n", "t": "\t", "r": "\r"}.get(escaped, escaped))
                index += 2
                continue
            if char == '"':
                return "".join(chars), index + 1
            chars.append(char)
            index += 1
        return "".join(chars), index

    end = index
    while end < len(line) and not line[end].isspace():
        end += 1
    return line[index:end], end


def parse_logfmt(line: str) -> list[tuple[str, str]] | None:
    """Return the `key=value` pairs of a logfmt line, or None when the line is not logfmt.

    A line counts as logfmt when its first word is a `key=value` pair and it has
    at least two pairs; bare keys count as pairs with an empty value.
    """
    if len(line) > MAX_PARSED_LINE_CHARS:
        return None

    pairs: list[tuple[str, str]] = []
    index = 0
    length = len(line)
    while index < length:
        while index < length and line[index].isspace():
            index += 1
        if index >= length:
            break

        start = index
        while index < length and line[index] != "=" and not line[index].isspace():
            index += 1
        key = line[start:index]
        if index < length and line[index] == "=":
            value, index = _read_logfmt_value(line, index + 1)
            pairs.append((key, value))
        elif not pairs:
            return None
        elif key:
            pairs.append((key, ""))

    with_values = sum(1 for _key, value in pairs if value)
    if len(pairs) < 2 or with_values < 1:
        return None
    return pairs


def line_format(line: str) -> tuple[LineFormat, dict[str, object] | list[tuple[str, str]] | None]:
    """Detect whether the line is a JSON object, logfmt or plain text, with its decoded form."""
    document = parse_json_object(line)
    if document is not None:
        return "json", document

    pairs = parse_logfmt(line)
    if pairs is not None:
        return "logfmt", pairs
    return "plain", None


def entry_fields(entry: Entry) -> list[EntryField]:
    """List every field of `entry`: labels, metadata, parsed labels, then JSON or logfmt keys."""
    fields = [EntryField("label", name, value) for name, value in entry.labels.items()]
    fields += [EntryField("metadata", name, value) for name, value in entry.metadata.items()]
    fields += [EntryField("parsed", name, value) for name, value in entry.parsed.items()]

    kind, decoded = line_format(entry.line)
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
