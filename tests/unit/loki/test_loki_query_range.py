"""Exact paging of log queries against the embedded server over 127.0.0.1."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.loki import Entry, LokiClient, LokiSettings, QueryProgress

SECOND = 1_000_000_000
MakeServer = Callable[..., Awaitable[EmbeddedLoki]]


def base_ns() -> int:
    """Return a timestamp an hour ago, whole seconds, so every test range is in the past."""
    return (time.time_ns() // SECOND - 3600) * SECOND


async def read_all(
    client: LokiClient, query: str, start_ns: int, end_ns: int, **options: Any
) -> list[Entry]:
    entries: list[Entry] = []
    async for batch in client.query_range(query, start_ns=start_ns, end_ns=end_ns, **options):
        entries.extend(batch)
    return entries


def two_streams(server: EmbeddedLoki, base: int) -> set[tuple[int, str, str]]:
    """Push 16 lines to each of two streams, 1 s apart, 4 shared timestamps, 2 equal texts."""
    expected = set()
    stream_a = []
    stream_b = []
    for index in range(16):
        ts_a = base + index * SECOND
        ts_b = base + (index + 12) * SECOND
        text_a = f"a line {index}"
        text_b = f"b line {index}"
        if index in (12, 13):
            text_a = f"same text {index}"
        if index in (0, 1):
            text_b = f"same text {index + 12}"
        stream_a.append((ts_a, text_a))
        stream_b.append((ts_b, text_b))
        expected.add((ts_a, "a", text_a))
        expected.add((ts_b, "b", text_b))
    server.push({"app": "pay", "side": "a"}, stream_a)
    server.push({"app": "pay", "side": "b"}, stream_b)
    return expected


@pytest.mark.parametrize("direction", ["forward", "backward"])
async def test_two_streams_every_page_size(loki_server: EmbeddedLoki, direction: str) -> None:
    base = base_ns()
    expected = two_streams(loki_server, base)
    assert len(expected) == 32

    async with LokiClient(LokiSettings(addr=loki_server.url)) as client:
        for page_size in (1, 2, 3, 4, 5, 7, 16, 5000):
            entries = await read_all(
                client,
                '{app="pay"}',
                base,
                base + 60 * SECOND,
                direction=direction,
                page_size=page_size,
            )
            got = [(entry.ts_ns, entry.labels["side"], entry.line) for entry in entries]

            assert len(got) == 32, f"page size {page_size}"
            assert set(got) == expected, f"page size {page_size}"
            stamps = [entry.ts_ns for entry in entries]
            ordered = sorted(stamps, reverse=direction == "backward")
            assert stamps == ordered, f"page size {page_size}"


@pytest.mark.parametrize("page_size", [1, 2, 3, 4, 5, 6, 7, 5000])
async def test_equal_timestamps_two_streams(loki_server: EmbeddedLoki, page_size: int) -> None:
    ts = base_ns()
    texts = ["first", "second", "third"]
    loki_server.push({"app": "eq", "stream": "a"}, [(ts, text) for text in texts])
    loki_server.push({"app": "eq", "stream": "b"}, [(ts, text) for text in texts])

    async with LokiClient(LokiSettings(addr=loki_server.url)) as client:
        for direction in ("forward", "backward"):
            entries = await read_all(
                client, '{app="eq"}', ts - SECOND, ts + SECOND,
                direction=direction, page_size=page_size,
            )
            keys = {(entry.labels["stream"], entry.line) for entry in entries}

            assert len(entries) == 6
            assert keys == {(stream, text) for stream in "ab" for text in texts}


async def test_twelve_thousand_in_one_nanosecond(loki_server: EmbeddedLoki) -> None:
    ts = base_ns()
    lines = [f"request {index} took {index * 7 % 1000}ms" for index in range(12_000)]
    # Three streams of 4,000: the embedded store inserts equal timestamps in
    # quadratic time, and the client's split does not depend on streams.
    for part in range(3):
        chunk = lines[part * 4000 : (part + 1) * 4000]
        loki_server.push({"app": "burst", "shard": str(part)}, [(ts, line) for line in chunk])
    loki_server.push({"app": "burst"}, [(ts - SECOND, "before"), (ts + SECOND, "after")])

    async with LokiClient(LokiSettings(addr=loki_server.url)) as client:
        for direction in ("forward", "backward"):
            entries = await read_all(
                client, '{app="burst"}', ts - 10 * SECOND, ts + 10 * SECOND,
                direction=direction, page_size=5000,
            )
            got = [entry.line for entry in entries]

            assert len(got) == 12_002
            assert len(set(got)) == 12_002
            expected_first = "before" if direction == "forward" else "after"
            assert got[0] == expected_first
            assert got[-1] == ("after" if direction == "forward" else "before")


async def test_one_nanosecond_deeper_than_pages(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(max_entries_limit_per_query=10)
    ts = base_ns()
    lines = [f"job-{index % 3}-step-{index:03d}" for index in range(137)]
    lines += ["", "job", "job-", "ünïcode ✓", "back\\slash `tick` \"quote\" [x] (y) .*"]
    server.push({"app": "deep"}, [(ts, line) for line in lines])

    async with LokiClient(LokiSettings(addr=server.url, max_entries_per_page=10)) as client:
        entries = await read_all(client, '{app="deep"}', ts, ts + 1, direction="forward")

    assert sorted(entry.line for entry in entries) == sorted(lines)


async def test_page_size_lowered_on_limit_error(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(max_entries_limit_per_query=5000)
    base = base_ns()
    server.push({"app": "big"}, [(base + index * 1000, f"line {index}") for index in range(7000)])

    settings = LokiSettings(addr=server.url, max_entries_per_page=6000)
    async with LokiClient(settings) as client:
        entries = await read_all(client, '{app="big"}', base, base + SECOND, direction="forward")

        assert client.max_page_size == 5000
        assert [entry.line for entry in entries] == [f"line {index}" for index in range(7000)]


async def test_limit_caps_total(loki_server: EmbeddedLoki) -> None:
    base = base_ns()
    loki_server.push({"app": "cap"}, [(base + index, f"line {index}") for index in range(50)])

    async with LokiClient(LokiSettings(addr=loki_server.url)) as client:
        entries = await read_all(
            client, '{app="cap"}', base, base + SECOND, direction="backward", limit=7, page_size=3
        )

    assert [entry.line for entry in entries] == [f"line {index}" for index in range(49, 42, -1)]


@pytest.mark.parametrize("direction", ["forward", "backward"])
async def test_long_range_split_windows(make_loki_server: MakeServer, direction: str) -> None:
    server = await make_loki_server(max_query_length_ns=10 * SECOND)
    base = base_ns()
    # One entry on each window edge and one inside each window.
    entries_in = [(base + offset * SECOND, f"at {offset}") for offset in range(0, 95, 5)]
    server.push({"app": "long"}, entries_in)

    settings = LokiSettings(addr=server.url, max_query_length_ns=10 * SECOND, split_parallelism=4)
    async with LokiClient(settings) as client:
        entries = await read_all(
            client, '{app="long"}', base, base + 95 * SECOND, direction=direction, page_size=2
        )

    expected = [line for _, line in entries_in]
    if direction == "backward":
        expected.reverse()
    assert [entry.line for entry in entries] == expected


async def test_progress_reports_pages(loki_server: EmbeddedLoki) -> None:
    base = base_ns()
    loki_server.push({"app": "prog"}, [(base + index, f"line {index}") for index in range(25)])
    reports: list[QueryProgress] = []

    async with LokiClient(LokiSettings(addr=loki_server.url)) as client:
        await read_all(
            client, '{app="prog"}', base, base + SECOND,
            direction="forward", page_size=10, progress=reports.append,
        )

    final = reports[-1]
    assert final.entries == 25
    assert final.pages == 3
    assert final.bytes > 0
    assert final.position_ns == base + SECOND
    assert final.start_ns == base
    # The second page starts again at the boundary entry, so it brings 9 new ones.
    assert [report.entries for report in reports[:-1]] == [10, 19, 25]


async def test_cancel_closes_cleanly(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(max_query_length_ns=10 * SECOND)
    base = base_ns()
    entries = [(base + index * SECOND // 10, "x" * 100) for index in range(2000)]
    server.push({"app": "slow"}, entries)
    settings = LokiSettings(addr=server.url, max_query_length_ns=10 * SECOND)
    first_batch = asyncio.Event()

    async with LokiClient(settings) as client:

        async def consume() -> None:
            async for _ in client.query_range(
                '{app="slow"}', start_ns=base, end_ns=base + 200 * SECOND, page_size=5
            ):
                first_batch.set()
                await asyncio.sleep(10)

        task = asyncio.create_task(consume())
        await asyncio.wait_for(first_batch.wait(), 5)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        # The abandoned generator is closed by the event loop's finalizer hook.
        for _ in range(50):
            pumps = [task for task in asyncio.all_tasks() if "_pump_window" in repr(task)]
            if not pumps:
                break
            await asyncio.sleep(0.02)

        assert pumps == []
        assert await client.ready()


async def test_labels_and_series(loki_server: EmbeddedLoki) -> None:
    base = base_ns()
    loki_server.push({"service_name": "billing", "level": "info"}, [(base, "a")])
    loki_server.push({"service_name": "mail", "level": "error"}, [(base, "b")])

    async with LokiClient(LokiSettings(addr=loki_server.url)) as client:
        names = await client.labels(start_ns=base - SECOND, end_ns=base + SECOND)
        values = await client.label_values(
            "service_name", query='{level="error"}', start_ns=base - SECOND, end_ns=base + SECOND
        )
        missing = await client.label_values("nope", start_ns=base - SECOND, end_ns=base + SECOND)
        series = await client.series(
            ['{service_name="billing"}', '{service_name="mail"}'],
            start_ns=base - SECOND,
            end_ns=base + SECOND,
        )

    assert {"service_name", "level"} <= set(names)
    assert values == ["mail"]
    assert missing == []
    assert sorted(item["service_name"] for item in series) == ["billing", "mail"]


async def test_metric_and_index_endpoints(loki_server: EmbeddedLoki) -> None:
    base = base_ns()
    loki_server.push({"app": "m"}, [(base + index * SECOND, "hello") for index in range(10)])

    async with LokiClient(LokiSettings(addr=loki_server.url)) as client:
        matrix = await client.query_range_matrix(
            'count_over_time({app="m"}[10s])',
            start_ns=base + 10 * SECOND,
            end_ns=base + 20 * SECOND,
            step_ns=5 * SECOND,
        )
        instant = await client.query_instant(
            'count_over_time({app="m"}[1m])', time_ns=base + 30 * SECOND
        )
        stats = await client.index_stats('{app="m"}', start_ns=base, end_ns=base + 60 * SECOND)
        volume = await client.index_volume('{app="m"}', start_ns=base, end_ns=base + 60 * SECOND)
        volume_range = await client.index_volume_range(
            '{app="m"}', start_ns=base, end_ns=base + 60 * SECOND, step_ns=30 * SECOND
        )
        info = await client.buildinfo()
        ready = await client.ready()

    # Loki's range (t-10s, t] leaves out the entry at t-10s.
    assert matrix[0].points[0] == (base + 10 * SECOND, 9.0)
    assert instant[0].value == 10.0
    assert stats["entries"] == 10
    assert volume[0].value > 0
    assert volume_range[0].labels == {"app": "m"}
    assert sum(value for _, value in volume_range[0].points) > 0
    assert "version" in info
    assert ready is True


async def test_pages_share_label_objects(loki_server: EmbeddedLoki) -> None:
    base = base_ns()
    loki_server.push({"app": "shared"}, [(base + index, f"line {index}") for index in range(9)])

    async with LokiClient(LokiSettings(addr=loki_server.url)) as client:
        entries = await read_all(client, '{app="shared"}', base, base + SECOND, page_size=2)

    assert len(entries) == 9
    assert len({id(entry.labels) for entry in entries}) == 1


async def test_query_length_learned_from_error(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(max_query_length_ns=10 * SECOND)
    base = base_ns()
    entries_in = [(base + offset * SECOND, f"at {offset}") for offset in range(30)]
    server.push({"app": "learn"}, entries_in)

    async with LokiClient(LokiSettings(addr=server.url, split_parallelism=2)) as client:
        entries = await read_all(client, '{app="learn"}', base, base + 30 * SECOND)
        learned = client.max_query_length_ns

    assert learned == 10 * SECOND
    assert [entry.line for entry in entries] == [f"at {offset}" for offset in range(29, -1, -1)]


async def test_categorized_labels_option(loki_server: EmbeddedLoki) -> None:
    base = base_ns()
    line = 'level=error msg="payment failed"'
    loki_server.push({"app": "cat"}, [(base, line)], metadata={"trace_id": "t-1"})
    query = '{app="cat"} | logfmt'

    async with LokiClient(LokiSettings(addr=loki_server.url)) as plain_client:
        plain = await read_all(plain_client, query, base, base + SECOND)
    settings = LokiSettings(addr=loki_server.url, categorize_labels=True)
    async with LokiClient(settings) as categorizing_client:
        categorized = await read_all(categorizing_client, query, base, base + SECOND)

    assert plain[0].labels["trace_id"] == "t-1"
    assert plain[0].labels["level"] == "error"
    assert categorized[0].labels == {"app": "cat"}
    assert categorized[0].metadata == {"trace_id": "t-1"}
    assert categorized[0].parsed["msg"] == "payment failed"
