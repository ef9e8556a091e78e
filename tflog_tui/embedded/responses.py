"""Response bodies in Loki's JSON shapes, and its plain-text errors."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import orjson
from aiohttp import web

from tflog_tui.embedded.logs import OutputStream, SelectionStats


def json_response(payload: Any) -> web.Response:
    """Return a JSON response encoded with orjson."""
    return web.Response(
        body=orjson.dumps(payload), content_type="application/json", charset="UTF-8"
    )


def error_response(message: str, status: int = 400) -> web.Response:
    """Return an error as Loki sends it: plain text ending in a newline, not JSON."""
    return web.Response(
        text=message + "\n", status=status, content_type="text/plain", charset="utf-8"
    )


def encode_streams(streams: list[OutputStream]) -> list[dict[str, Any]]:
    """Return the `result` list of a `streams` response."""
    return [{"stream": s.labels, "values": s.values} for s in streams]


def prometheus_time(ts_ns: int) -> float | int:
    """Format a timestamp as Prometheus does in vectors and matrices: seconds, ms precision."""
    ms = ts_ns // 1_000_000
    if ms % 1000 == 0:
        return ms // 1000
    return ms / 1000


def sample_value(value: float) -> str:
    """Format a sample value as Prometheus does (`NaN`, `+Inf`, shortest decimal)."""
    if value != value:
        return "NaN"
    if value == float("inf"):
        return "+Inf"
    if value == float("-inf"):
        return "-Inf"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = repr(float(value))
    if "e" in text:
        text = format(Decimal(text), "f")
    return text


def stats_object(stats: SelectionStats, elapsed_s: float) -> dict[str, Any]:
    elapsed = max(elapsed_s, 1e-9)
    summary = {
        "bytesProcessedPerSecond": int(stats.bytes_scanned / elapsed),
        "linesProcessedPerSecond": int(stats.lines_scanned / elapsed),
        "totalBytesProcessed": stats.bytes_scanned,
        "totalLinesProcessed": stats.lines_scanned,
        "execTime": elapsed_s,
        "queueTime": 0,
        "subqueries": 0,
        "totalEntriesReturned": stats.entries_returned,
        "splits": 0,
        "shards": 0,
    }
    store = {
        "totalChunksRef": 0,
        "totalChunksDownloaded": 0,
        "chunksDownloadTime": 0,
        "chunk": {
            "headChunkBytes": stats.bytes_scanned,
            "headChunkLines": stats.lines_scanned,
            "decompressedBytes": 0,
            "decompressedLines": 0,
            "compressedBytes": 0,
            "totalDuplicates": 0,
        },
    }
    return {
        "summary": summary,
        "querier": {"store": store},
        "ingester": {
            "totalReached": 1,
            "totalChunksMatched": stats.streams_matched,
            "totalBatches": 1,
            "totalLinesSent": stats.entries_returned,
            "store": store,
        },
        "cache": {},
    }
