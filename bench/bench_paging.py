"""Paging: read 200,000 entries over 24 hours through the client from the embedded server.

The server runs in its own thread (`serve_in_thread`), as it does when tflog
starts without a Loki address. One sequential pass pages through the whole
range at 5,000 entries a request; the split pass cuts the range into four
6-hour windows and reads them four at a time (`split_parallelism=4`), the
client's way of reading ranges longer than `max_query_length`.
"""

from __future__ import annotations

import asyncio

from bench._common import Figure, median_seconds
from tflog_tui.embedded import EmbeddedLoki, serve_in_thread
from tflog_tui.loki import LokiClient, LokiSettings

ENTRIES = 200_000
STREAMS = 20
HOUR_NS = 3600 * 1_000_000_000
END_NS = 1_796_385_600_000_000_000
START_NS = END_NS - 24 * HOUR_NS
QUERY = '{job="bench"}'


def _load(server: EmbeddedLoki) -> None:
    """Push ENTRIES entries spread evenly over 24 hours and STREAMS streams."""
    step = 24 * HOUR_NS // ENTRIES
    per_stream = ENTRIES // STREAMS
    for stream in range(STREAMS):
        labels = {"job": "bench", "hostname": f"web-{stream}", "task_id": f"{stream:08x}"}
        entries = []
        for offset in range(per_stream):
            index = offset * STREAMS + stream
            line = (
                f"level=info caller=worker.go:{index % 400} task_id={index:08x} "
                f'msg="charged customer" amount_cents={index % 10000} duration={index % 900}ms'
            )
            entries.append((START_NS + index * step, line))
        server.push(labels, entries)


async def _read(settings: LokiSettings) -> int:
    count = 0
    async with LokiClient(settings) as client:
        async for batch in client.query_range(QUERY, start_ns=START_NS, end_ns=END_NS):
            count += len(batch)
    return count


def run() -> list[Figure]:
    """Measure lines per second of a sequential and a split parallel read."""
    server = EmbeddedLoki()
    _load(server)
    with serve_in_thread(server) as threaded:
        sequential = LokiSettings(addr=threaded.url, split_parallelism=1, retries=0)
        split = LokiSettings(
            addr=threaded.url, max_query_length_ns=6 * HOUR_NS, split_parallelism=4, retries=0
        )
        assert asyncio.run(_read(sequential)) == ENTRIES
        assert asyncio.run(_read(split)) == ENTRIES
        sequential_s = median_seconds(lambda: asyncio.run(_read(sequential)), runs=3, warmup=0)
        split_s = median_seconds(lambda: asyncio.run(_read(split)), runs=3, warmup=0)

    ratio = sequential_s / split_s
    return [
        Figure("paging", "sequential, one 24 h range", ENTRIES / sequential_s, "lines/s"),
        Figure("paging", "split, 4 windows of 6 h, 4 at a time", ENTRIES / split_s, "lines/s"),
        Figure("paging", "split / sequential throughput", ratio, "x", "≥ 1", ratio >= 1.0),
    ]
