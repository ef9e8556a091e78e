"""Paging: read 200,000 entries over 24 hours through the client from the embedded server.

The server runs once in its own thread (`serve_in_thread`), as it does when
tflog starts without a Loki address, and once in its own process, as a
remote Loki does. In a thread it shares the interpreter lock with the
client. One sequential pass pages through the whole
range at 5,000 entries a request. The split pass cuts the range into four
6-hour windows and reads them four at a time (`split_parallelism=4`). The
client reads ranges longer than `max_query_length` this way.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

from bench._common import Figure, interleaved_medians
from tflog_tui.embedded import EmbeddedLoki, serve_in_thread
from tflog_tui.loki import LokiClient, LokiSettings

ENTRIES = 200_000
STREAMS = 20
HOUR_NS = 3600 * 1_000_000_000
END_NS = 1_796_385_600_000_000_000
START_NS = END_NS - 24 * HOUR_NS
QUERY = '{job="bench"}'
REPOSITORY = Path(__file__).resolve().parent.parent

SERVER_SCRIPT = textwrap.dedent(
    """
    import asyncio

    from bench.bench_paging import _load
    from tflog_tui.embedded import EmbeddedLoki


    async def main():
        server = EmbeddedLoki()
        _load(server)
        print(await server.start("127.0.0.1", 0), flush=True)
        await asyncio.Event().wait()


    asyncio.run(main())
    """
)


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


def _measure(url: str, where: str) -> list[Figure]:
    """Time a sequential and a split read from the server at `url`."""
    sequential = LokiSettings(addr=url, split_parallelism=1, retries=0)
    split = LokiSettings(addr=url, max_query_length_ns=6 * HOUR_NS, split_parallelism=4, retries=0)
    assert asyncio.run(_read(sequential)) == ENTRIES
    assert asyncio.run(_read(split)) == ENTRIES
    sequential_s, split_s = interleaved_medians(
        [lambda: asyncio.run(_read(sequential)), lambda: asyncio.run(_read(split))],
        runs=5,
        warmup=0,
    )

    ratio = sequential_s / split_s
    return [
        Figure("paging", f"{where}: sequential, one 24 h range", ENTRIES / sequential_s, "lines/s"),
        Figure(
            "paging", f"{where}: split, 4 windows of 6 h, 4 at a time", ENTRIES / split_s, "lines/s"
        ),
        Figure(
            "paging", f"{where}: split / sequential throughput", ratio, "x", "≥ 1", ratio >= 1.0
        ),
    ]


def run() -> list[Figure]:
    """Measure lines per second of sequential and split reads, server in a thread and a process."""
    server = EmbeddedLoki()
    _load(server)
    with serve_in_thread(server) as threaded:
        figures = _measure(threaded.url, "server in a thread")

    process = subprocess.Popen(
        [sys.executable, "-c", SERVER_SCRIPT], cwd=REPOSITORY, stdout=subprocess.PIPE, text=True
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        figures += _measure(url, "server in a process")
    finally:
        process.terminate()
        process.wait(timeout=10)
    return figures
