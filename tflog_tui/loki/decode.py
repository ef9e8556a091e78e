"""Decode Loki's JSON responses from raw bytes into entries, series and samples.

This is the hot path of range queries: one `orjson.loads` over the body,
label sets interned while decoding so that equal label sets share one
`Labels` object, and each timestamp converted with `int()` once.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from operator import attrgetter
from typing import Any

import orjson

from tflog_tui.loki.models import EMPTY_LABELS, Entry, LabelInterner, Labels


class DecodeError(ValueError):
    """The body is not the JSON shape Loki documents for this endpoint."""


@dataclass(frozen=True, slots=True)
class MatrixSeries:
    """One series of a matrix result; `points` are (timestamp ns, value)."""

    labels: Labels
    points: list[tuple[int, float]]


@dataclass(frozen=True, slots=True)
class VectorSample:
    """One sample of a vector or scalar result, at `ts_ns` nanoseconds."""

    labels: Labels
    ts_ns: int
    value: float


@dataclass(frozen=True, slots=True)
class TailFrame:
    """One websocket frame of a tail: its entries and the dropped entries it reports."""

    entries: list[Entry]
    dropped: list[tuple[int, Labels]]


def load_json(body: bytes) -> Any:
    """Parse `body` with orjson; raise `DecodeError` when it is not JSON."""
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        raise DecodeError(f"the body is not valid JSON ({error})") from error


def success_data(document: Any) -> Any:
    """Return the `data` member of a `{"status":"success","data":…}` document.

    A success response without `data` (Loki sends one for a label with no
    values) gives None.
    """
    if not isinstance(document, dict):
        raise DecodeError("the body is JSON but not an object")
    status = document.get("status")
    if status is not None and status != "success":
        message = document.get("error") or document.get("message") or status
        raise DecodeError(f"the response has status {status!r}: {message}")
    return document.get("data")


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, restoring its previous state.

    Entries, label sets and timestamps form no reference cycles, so the
    collector finds nothing while a page is converted. Left running, it
    rescans the young entries every 700 allocations. Pausing it cut the
    decoding of 100,000 entries from 0.35 s to 0.29 s (bench/bench_ingest.py).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode_streams(result: list[Any], interner: LabelInterner) -> list[Entry]:
    """Turn a `streams` result into entries, stream after stream in Loki's order."""
    entries: list[Entry] = []
    extend = entries.extend
    intern = interner.intern
    with _collector_paused():
        for stream in result:
            labels = intern(stream["stream"])
            values = stream["values"]
            try:
                # TODO: decoding reaches about 0.4 of bare orjson.loads throughput
                # (bench/bench_ingest.py; the target is 0.5) because Entry.__init__
                # runs as Python code once per entry.
                extend([Entry(int(ts), line, labels) for ts, line in values])
            except ValueError:
                # Values with a third element: categorized labels (Loki 3.x).
                extend(_decode_categorized(values, labels, interner))
    return entries


def _decode_categorized(
    values: list[list[Any]], labels: Labels, interner: LabelInterner
) -> list[Entry]:
    entries = []
    for value in values:
        if len(value) < 3 or not value[2]:
            entries.append(Entry(int(value[0]), value[1], labels))
            continue

        categories: Mapping[str, Any] = value[2]
        metadata = categories.get("structuredMetadata") or {}
        parsed = categories.get("parsed") or {}
        entries.append(
            Entry(
                int(value[0]),
                value[1],
                labels,
                interner.intern(metadata) if metadata else EMPTY_LABELS,
                interner.intern(parsed) if parsed else EMPTY_LABELS,
            )
        )
    return entries


def decode_query_streams(body: bytes, interner: LabelInterner) -> list[Entry]:
    """Decode a query_range body of result type `streams` into entries."""
    data = success_data(load_json(body))
    if data is None:
        return []
    try:
        result_type = data["resultType"]
        if result_type != "streams":
            raise DecodeError(f"expected resultType 'streams', got {result_type!r}")
        return decode_streams(data["result"] or [], interner)
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, DecodeError):
            raise
        raise DecodeError(f"unexpected shape of a streams result ({error!r})") from error


def seconds_to_ns(value: float | int | str) -> int:
    """Convert Loki's float seconds (millisecond precision) to integer nanoseconds."""
    if isinstance(value, str):
        value = float(value)
    if isinstance(value, int):
        return value * 1_000_000_000
    return round(value * 1000) * 1_000_000


def decode_matrix(data: Any, interner: LabelInterner) -> list[MatrixSeries]:
    """Decode the `data` of a matrix result (metric query_range, volume range)."""
    if data is None:
        return []
    try:
        if data["resultType"] != "matrix":
            raise DecodeError(f"expected resultType 'matrix', got {data['resultType']!r}")
        series = []
        for item in data["result"] or []:
            points = [(seconds_to_ns(ts), float(value)) for ts, value in item["values"]]
            series.append(MatrixSeries(interner.intern(item["metric"]), points))
        return series
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, DecodeError):
            raise
        raise DecodeError(f"unexpected shape of a matrix result ({error!r})") from error


def decode_vector(data: Any, interner: LabelInterner) -> list[VectorSample]:
    """Decode the `data` of a vector or scalar result (instant query, volume)."""
    if data is None:
        return []
    try:
        result_type = data["resultType"]
        result = data["result"]
        if result_type == "scalar":
            return [VectorSample(EMPTY_LABELS, seconds_to_ns(result[0]), float(result[1]))]
        if result_type != "vector":
            raise DecodeError(f"expected resultType 'vector', got {result_type!r}")
        samples = []
        for item in result or []:
            ts, value = item["value"]
            samples.append(
                VectorSample(interner.intern(item["metric"]), seconds_to_ns(ts), float(value))
            )
        return samples
    except (KeyError, TypeError, ValueError) as error:
        if isinstance(error, DecodeError):
            raise
        raise DecodeError(f"unexpected shape of a vector result ({error!r})") from error


def decode_tail_frame(body: bytes | str, interner: LabelInterner) -> TailFrame:
    """Decode one tail frame `{"streams":[…],"dropped_entries":[…]}`.

    Entries come out sorted by timestamp (stable), so one frame is ascending
    even when it mixes streams.
    """
    document = load_json(body.encode() if isinstance(body, str) else body)
    if not isinstance(document, dict):
        raise DecodeError("a tail frame is JSON but not an object")
    try:
        entries = decode_streams(document.get("streams") or [], interner)
        entries.sort(key=timestamp_of)
        dropped = [
            (int(item["timestamp"]), _dropped_labels(item.get("labels"), interner))
            for item in document.get("dropped_entries") or []
        ]
    except (KeyError, TypeError, ValueError) as error:
        raise DecodeError(f"unexpected shape of a tail frame ({error!r})") from error
    return TailFrame(entries, dropped)


timestamp_of = attrgetter("ts_ns")
"""Sort key of entries: the timestamp in nanoseconds."""

_LABEL_PAIR = re.compile(r'([A-Za-z_][A-Za-z0-9_.]*)\s*=\s*"((?:[^"\\]|\\.)*)"')
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)
_ESCAPED_CHARS = {"n": "\n", "t": "\t", "r": "\r"}


def _unescape(match: re.Match[str]) -> str:
    return _ESCAPED_CHARS.get(match.group(1), match.group(1))


def _dropped_labels(value: Any, interner: LabelInterner) -> Labels:
    """Intern the labels of a dropped entry, given as an object or as `{a="1"}` text."""
    if isinstance(value, Mapping):
        return interner.intern(value)
    if isinstance(value, str):
        pairs = {name: _ESCAPE.sub(_unescape, text) for name, text in _LABEL_PAIR.findall(value)}
        return interner.intern(pairs)
    return EMPTY_LABELS
