"""Ingest: decode query_range pages from raw bytes and store them in a pane buffer.

A page is what Loki returns for one `query_range` request at the default
limit: 5,000 entries of about 200 bytes over 20 streams. The baseline is a
bare `orjson.loads` of the same bytes, measured in the same run, because the
decoder cannot be faster than the JSON parse it starts with.
"""

from __future__ import annotations

import orjson

from bench._common import Figure, interleaved_medians, median_seconds
from tflog_tui.buffer import PaneBuffer, detect_line_level
from tflog_tui.loki.decode import decode_query_page
from tflog_tui.loki.models import LabelInterner

ENTRIES = 5_000
STREAMS = 20
PAGES = 20
BASE_NS = 1_796_385_600_000_000_000

LEVELS = ["info", "info", "info", "debug", "warn", "error"]


def _line(index: int) -> str:
    """Return a logfmt line of about 200 bytes."""
    level = LEVELS[index % len(LEVELS)]
    line = (
        f"ts=2026-12-04T12:00:{index % 60:02d}.{index % 1000:03d}Z level={level} "
        f'caller=worker.go:{index % 400} task_id={index:08x} msg="charged customer" '
        f"customer=cus_{index * 7919 % 100000:05d} amount_cents={index % 10000} "
        f"duration={index % 900}ms trace_id={index * 2654435761 % 2**64:016x}"
    )
    return line.ljust(200, " ")[:200]


def page_body(page: int = 0, *, level_label: bool = False) -> bytes:
    """Build one `query_range` response body: ENTRIES entries over STREAMS streams.

    With `level_label`, each stream carries a `level` label, as streams do
    when the log shipper sets one (so the buffer need not read each line).
    """
    per_stream = ENTRIES // STREAMS
    result = []
    for stream in range(STREAMS):
        values = []
        for offset in range(per_stream):
            index = page * ENTRIES + stream * per_stream + offset
            ts = BASE_NS + index * 1_000_000
            values.append([str(ts), _line(index)])
        result.append(
            {
                "stream": _stream_labels(stream, level_label),
                "values": values,
            }
        )
    document = {
        "status": "success",
        "data": {"resultType": "streams", "result": result, "stats": {"summary": {}}},
    }
    return orjson.dumps(document)


def _stream_labels(stream: int, level_label: bool) -> dict[str, str]:
    labels = {
        "service_name": f"service-{stream % 5}",
        "hostname": f"web-{stream}",
        "namespace": "prod",
        "task_id": f"{stream:08x}",
    }
    if level_label:
        labels["level"] = LEVELS[stream % len(LEVELS)]
    return labels


def run() -> list[Figure]:
    """Measure decode and decode+store throughput against a bare orjson parse."""
    bodies = [page_body(page) for page in range(PAGES)]
    total_entries = ENTRIES * PAGES
    total_bytes = sum(len(body) for body in bodies)

    def loads_all() -> None:
        for body in bodies:
            orjson.loads(body)

    def decode_all() -> None:
        interner = LabelInterner()
        for body in bodies:
            decode_query_page(body, interner)

    def decode_and_store() -> None:
        interner = LabelInterner()
        buffer = PaneBuffer()
        for body in bodies:
            buffer.append(decode_query_page(body, interner))

    labelled_bodies = [page_body(page, level_label=True) for page in range(PAGES)]

    def loads_labelled() -> None:
        for body in labelled_bodies:
            orjson.loads(body)

    def decode_and_store_labelled() -> None:
        interner = LabelInterner()
        buffer = PaneBuffer()
        for body in labelled_bodies:
            buffer.append(decode_query_page(body, interner))

    lines = [_line(index) for index in range(20_000)]

    def detect_levels() -> None:
        for line in lines:
            detect_line_level(line)

    loads_s, decode_s, store_s, labelled_loads_s, labelled_store_s = interleaved_medians(
        [loads_all, decode_all, decode_and_store, loads_labelled, decode_and_store_labelled],
        runs=7,
    )
    detect_s = median_seconds(detect_levels, runs=5)

    decode_ratio = loads_s / decode_s
    mib = total_bytes / 2**20
    return [
        Figure("ingest", f"page size ({ENTRIES:,} entries)", total_bytes / PAGES / 1024, "KiB"),
        Figure("ingest", "orjson.loads (baseline)", mib / loads_s, "MiB/s"),
        Figure("ingest", "decode", mib / decode_s, "MiB/s"),
        Figure("ingest", "decode entries per second", total_entries / decode_s, "entries/s"),
        Figure(
            "ingest",
            "decode / orjson.loads throughput",
            decode_ratio,
            "x",
            "≥ 0.5",
            decode_ratio >= 0.5,
        ),
        Figure("ingest", "decode + PaneBuffer.append", total_entries / store_s, "entries/s"),
        Figure(
            "ingest",
            "decode + store / orjson.loads, level read from lines",
            loads_s / store_s,
            "x",
        ),
        Figure(
            "ingest",
            "decode + store / orjson.loads, level label on streams",
            labelled_loads_s / labelled_store_s,
            "x",
        ),
        Figure("ingest", "detect_line_level", len(lines) / detect_s, "lines/s"),
    ]
