"""Decode Loki's JSON responses from raw bytes into entries, series and samples.

This is the hot path of range queries. It runs one `orjson.loads` over the
body and interns label sets while decoding, so equal label sets share one
`Labels` object. A range query's values become columns (`EntryPage`)
rather than one `Entry` object each, and their timestamps are converted
all at once.
"""

from __future__ import annotations

import gc
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from itertools import repeat
from operator import attrgetter
from typing import Any, Final, cast

import orjson

from tflog_tui.loki.models import (
    EMPTY_LABELS,
    Entry,
    EntryPage,
    LabelInterner,
    Labels,
    StreamKey,
)


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


def parse_timestamps(texts: Sequence[Any]) -> list[int]:
    """Convert Loki's decimal timestamp strings to integer nanoseconds, exactly as `int()` does.

    The strings are joined into one JSON array and parsed by orjson, which
    reads integers up to 2**64-1 exactly, at about two thirds of the cost
    of `int()` on each (0.28 ms against 0.44 ms for 5,000 timestamps). The
    result is used only when it contains one `int` per string. Otherwise
    every string goes through `int()`, which gives the same values or raises
    the same `ValueError` or `TypeError`. That covers a leading zero, a sign
    that `int()` accepts and JSON does not, a digit count that orjson turns
    into a float, and a value that is not a string.
    """
    if not texts:
        return []

    try:
        joined = ",".join(texts)
    except TypeError:
        return list(map(int, texts))

    try:
        values = orjson.loads("[" + joined + "]")
    except orjson.JSONDecodeError:
        return list(map(int, texts))

    if len(values) == len(texts) and set(map(type, values)) == _INT_ONLY:
        return cast(list[int], values)

    return list(map(int, texts))


_INT_ONLY: Final = {int}


def decode_page(result: list[Any], interner: LabelInterner) -> EntryPage:
    """Turn a `streams` result into a page of entries, stream after stream in Loki's order.

    Each stream's values are split into timestamps and lines with one
    `zip`, and the page's timestamps are converted together by
    `parse_timestamps`, so no Python code runs per entry unless Loki sends
    categorized labels (a third element per value).
    """
    stamps: list[Any] = []
    lines: list[str] = []
    stream_ids: list[int] = []
    streams: list[StreamKey] = []
    index_of: dict[tuple[int, int, int], int] = {}
    intern = interner.intern
    for stream in result:
        labels = intern(stream["stream"])
        values = stream["values"]
        if not values:
            continue

        try:
            stream_stamps, stream_lines = zip(*values, strict=True)
        except ValueError:
            # Values with a third element: categorized labels (Loki 3.x).
            _decode_categorized(
                values, labels, interner, stamps, lines, stream_ids, streams, index_of
            )
            continue

        identity = (id(labels), _EMPTY_ID, _EMPTY_ID)
        index = index_of.get(identity)
        if index is None:
            index = index_of[identity] = len(streams)
            streams.append((labels, EMPTY_LABELS, EMPTY_LABELS))
        stamps += stream_stamps
        lines += stream_lines
        stream_ids += repeat(index, len(stream_lines))

    return EntryPage(parse_timestamps(stamps), lines, stream_ids, streams)


_EMPTY_ID: Final = id(EMPTY_LABELS)


def _decode_categorized(
    values: list[list[Any]],
    labels: Labels,
    interner: LabelInterner,
    stamps: list[Any],
    lines: list[str],
    stream_ids: list[int],
    streams: list[StreamKey],
    index_of: dict[tuple[int, int, int], int],
) -> None:
    """Append one stream's values with their structured metadata and parsed labels."""
    intern = interner.intern
    for value in values:
        metadata = parsed = EMPTY_LABELS
        if len(value) >= 3 and value[2]:
            categories: Mapping[str, Any] = value[2]
            found_metadata = categories.get("structuredMetadata")
            found_parsed = categories.get("parsed")
            if found_metadata:
                metadata = intern(found_metadata)
            if found_parsed:
                parsed = intern(found_parsed)

        identity = (id(labels), id(metadata), id(parsed))
        index = index_of.get(identity)
        if index is None:
            index = index_of[identity] = len(streams)
            streams.append((labels, metadata, parsed))
        stamps.append(value[0])
        lines.append(value[1])
        stream_ids.append(index)


def decode_streams(result: list[Any], interner: LabelInterner) -> list[Entry]:
    """Turn a `streams` result into entries, stream after stream in Loki's order."""
    return list(decode_page(result, interner))


def decode_query_page(body: bytes, interner: LabelInterner) -> EntryPage:
    """Decode a query_range body of result type `streams` into a page, in Loki's order."""
    with _collector_paused():
        data = success_data(load_json(body))
        if data is None:
            return EntryPage([], [], [], [])
        try:
            result_type = data["resultType"]
            if result_type != "streams":
                raise DecodeError(f"expected resultType 'streams', got {result_type!r}")
            return decode_page(data["result"] or [], interner)
        except (KeyError, IndexError, TypeError, ValueError) as error:
            if isinstance(error, DecodeError):
                raise
            raise DecodeError(f"unexpected shape of a streams result ({error!r})") from error


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector for the block, restoring its previous state.

    A decoded body has no reference cycles, so the collections that its
    thousands of lists would trigger find nothing. Pausing the collector
    while a page is parsed and converted raised decode / orjson.loads from
    0.54 to 0.76 in one interleaved measurement (bench/bench_ingest.py pages).
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def decode_query_streams(body: bytes, interner: LabelInterner) -> list[Entry]:
    """Decode a query_range body of result type `streams` into entries."""
    return list(decode_query_page(body, interner))


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
