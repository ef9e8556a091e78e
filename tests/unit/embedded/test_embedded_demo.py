"""Demo data: the labels every stream has, failing tasks, the live feed, `--demo` startup."""

from __future__ import annotations

import asyncio
import functools
import re
import subprocess
import sys
import time

import httpx
from embedded_helpers import API, NS

from tflog_tui.embedded import EmbeddedLoki, LogStore
from tflog_tui.embedded.demo import SERVICES, DemoGenerator, load_history, run_live_feed

NOW_NS = 1_750_000_000 * NS
DEMO_LABELS = {"service_name", "task_id", "level", "hostname"}


@functools.cache
def _demo_store(hours: float = 6) -> LogStore:
    """Return a store with `hours` of demo history, built once per test session."""
    store = LogStore()
    load_history(store, hours, DemoGenerator(seed=7, now_ns=NOW_NS))
    return store


def test_demo_streams_have_the_four_labels() -> None:
    store = _demo_store()

    label_sets = [set(stream.labels) for stream in store.iter_streams()]

    assert label_sets
    assert all(labels == DEMO_LABELS for labels in label_sets)
    assert {s.labels["service_name"] for s in store.iter_streams()} == {s.name for s in SERVICES}
    assert all(re.fullmatch(r"[0-9a-f]{8}", s.labels["task_id"]) for s in store.iter_streams())


def test_demo_has_failing_task_with_traceback() -> None:
    store = _demo_store()

    tracebacks = [
        line
        for stream in store.iter_streams()
        if stream.labels["level"] == "error"
        for line in stream.lines[stream.head :]
        if line.count("\n") >= 3 and "Traceback (most recent call last):" in line
    ]

    assert tracebacks


def test_demo_mixes_line_formats() -> None:
    store = _demo_store()
    lines = [line for stream in store.iter_streams() for line in stream.lines[stream.head :]]

    assert any(line.startswith("{") for line in lines)
    assert any(line.startswith("level=") for line in lines)
    assert any(line.startswith("INFO ") for line in lines)


def test_demo_is_deterministic() -> None:
    first = DemoGenerator(seed=3, now_ns=NOW_NS).tasks_between(NOW_NS - 3600 * NS, NOW_NS)
    second = DemoGenerator(seed=3, now_ns=NOW_NS).tasks_between(NOW_NS - 3600 * NS, NOW_NS)

    assert [(e.ts_ns, e.labels, e.line) for e in first] == [
        (e.ts_ns, e.labels, e.line) for e in second
    ]


def test_demo_day_size() -> None:
    store = LogStore()

    load_history(store, 24, DemoGenerator(seed=7, now_ns=NOW_NS))

    assert 100_000 <= store.total_entries <= 300_000


async def test_live_feed_pushes_as_clock_advances() -> None:
    clock = [NOW_NS]
    server = EmbeddedLoki(now_ns=lambda: clock[0])
    generator = DemoGenerator(seed=7, now_ns=NOW_NS)
    feed = asyncio.ensure_future(
        run_live_feed(server, generator, clock=lambda: clock[0], tick_s=0.01)
    )
    try:
        await asyncio.sleep(0.05)
        before = server.store.total_entries
        clock[0] += 30 * 60 * NS
        await asyncio.sleep(0.05)
        after = server.store.total_entries
    finally:
        feed.cancel()

    assert before == 0
    assert after > 100


def test_serve_demo_answers_labels() -> None:
    process = subprocess.Popen(
        [sys.executable, "-m", "tflog_tui.embedded", "--demo", "--port", "0"],
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = None
        assert process.stderr is not None
        deadline = time.monotonic() + 30
        while url is None and time.monotonic() < deadline:
            line = process.stderr.readline()
            found = re.search(r"listening on (http://\S+)", line)
            if found:
                url = found.group(1)
        assert url is not None

        response = httpx.get(url + API + "/labels", timeout=10)
    finally:
        process.terminate()
        process.wait(10)

    assert response.status_code == 200
    assert set(response.json()["data"]) >= DEMO_LABELS
