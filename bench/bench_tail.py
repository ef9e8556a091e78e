"""Tail: the app tails a numbered stream from the embedded server at a steady rate.

tflog runs headless (`run_test`) with one pane tailing `{job="tailbench"}`
on an embedded server in its own thread (`serve_in_thread`), as when tflog
starts without a Loki address. A producer thread pushes numbered lines at
5,000, 20,000 and 50,000 lines/s for RUN_S seconds each, in batches every
10 ms. Received is the share of those lines in the pane's buffer once the
stream has drained. Meanwhile Pilot presses `k` or `j` every 100 ms. The
latency of a key press is the time from the press to the end of the log
view's cursor action. The median and the 99th percentile are reported.
"""

from __future__ import annotations

import asyncio
import logging
import statistics
import threading
import time
from typing import Any

from bench._common import Figure
from tflog_tui.embedded import EmbeddedLoki, ThreadedServer, serve_in_thread
from tflog_tui.loki import LokiSettings
from tflog_tui.settings import AppSettings
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.widgets.log_view import LogView

RATES = [5_000, 20_000, 50_000]
RUN_S = 10.0
TICK_S = 0.01
KEY_EVERY_S = 0.1
DRAIN_TIMEOUT_S = 20.0


class _Producer(threading.Thread):
    """Push `rate` numbered lines a second for `duration_s` seconds, catching up when late."""

    def __init__(self, server: ThreadedServer, labels: dict[str, str], rate: int) -> None:
        super().__init__(name="tail-producer", daemon=True)
        self.server = server
        self.labels = labels
        self.rate = rate
        self.sent = 0
        self.elapsed_s = 0.0

    def run(self) -> None:
        started = time.perf_counter()
        total = int(self.rate * RUN_S)
        while self.sent < total:
            elapsed = time.perf_counter() - started
            due = min(total, int(elapsed * self.rate) + int(self.rate * TICK_S))
            if due > self.sent:
                base = time.time_ns()
                batch = [
                    (base + offset, f'seq={number:08d} level=info msg="tail benchmark line"')
                    for offset, number in enumerate(range(self.sent, due))
                ]
                self.server.push(self.labels, batch)
                self.sent = due
            time.sleep(max(0.0, started + (self.sent / self.rate) - time.perf_counter()))
        self.elapsed_s = time.perf_counter() - started


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(fraction * (len(ordered) - 1))))
    return ordered[index]


async def _tail_run(server: ThreadedServer, rate: int) -> dict[str, Any]:
    """Run the app while the producer sends; return what was sent, received and key latencies."""
    query = f'{{job="tailbench", rate="{rate}"}}'
    settings = AppSettings(
        loki=LokiSettings(addr=server.url, retries=0, timeout_s=10.0),
        query=query,
        tail=True,
        capacity=1_000_000,
        utc=True,
    )
    app = TflogApp(settings)
    async with app.run_test(size=(140, 45)) as pilot:
        deadline = time.monotonic() + 20
        while not (app.panes() and app.panes()[0].activity == "tail live"):
            if time.monotonic() > deadline:
                raise RuntimeError("the tail did not go live within 20 s")
            await pilot.pause(0.05)
        pane = app.panes()[0]
        view = pane.query_one(LogView)
        view.focus()
        buffer = pane.state.buffer

        handled: list[float] = []
        for name in ("action_cursor_up", "action_cursor_down"):
            original = getattr(view, name)

            def timed(original: Any = original) -> None:
                original()
                handled.append(time.perf_counter())

            setattr(view, name, timed)

        producer = _Producer(server, {"job": "tailbench", "rate": str(rate)}, rate)
        producer.start()
        latencies: list[float] = []
        presses: list[asyncio.Task[None]] = []
        key = "k"
        while producer.is_alive():
            seen = len(handled)
            pressed = time.perf_counter()
            presses.append(asyncio.create_task(pilot.press(key)))
            while len(handled) == seen and time.perf_counter() - pressed < 5:
                await asyncio.sleep(0.001)
            if len(handled) > seen:
                latencies.append(handled[seen] - pressed)
            key = "j" if key == "k" else "k"
            await asyncio.sleep(max(0.0, KEY_EVERY_S - (time.perf_counter() - pressed)))

        total = producer.sent
        deadline = time.monotonic() + DRAIN_TIMEOUT_S
        while len(buffer) < total and time.monotonic() < deadline:
            await asyncio.sleep(0.1)
        received = len(buffer)
        numbers = {buffer.line(row)[4:12] for row in range(len(buffer))}
        await asyncio.gather(*presses, return_exceptions=True)
        return {
            "sent": total,
            "send_rate": total / producer.elapsed_s,
            "received": received,
            "distinct": len(numbers),
            "dropped": pane.state.dropped,
            "latencies": latencies,
        }


def run() -> list[Figure]:
    """Measure delivery and key latency while tailing at each rate."""
    figures: list[Figure] = []
    # The client warns of every dropped batch; the figures below count them.
    quiet = logging.getLogger("tflog_tui")
    previous_level = quiet.level
    quiet.setLevel(logging.ERROR)
    try:
        results = []
        with serve_in_thread(EmbeddedLoki()) as server:
            for rate in RATES:
                results.append((rate, asyncio.run(_tail_run(server, rate))))
    finally:
        quiet.setLevel(previous_level)

    for rate, result in results:
        share = result["distinct"] / result["sent"] * 100
        p99 = _percentile(result["latencies"], 0.99) * 1000
        median = statistics.median(result["latencies"]) * 1000
        target = "100%" if rate == 20_000 else ""
        met = share >= 100 if rate == 20_000 else None
        figures += [
            Figure("tail", f"{rate:,}/s: lines sent per second", result["send_rate"], "lines/s"),
            Figure("tail", f"{rate:,}/s: received", share, "%", target, met),
            Figure("tail", f"{rate:,}/s: reported dropped", result["dropped"], "lines"),
            Figure("tail", f"{rate:,}/s: key press, median", median, "ms"),
            Figure("tail", f"{rate:,}/s: key press, p99", p99, "ms", "≤ 100 ms", p99 <= 100),
        ]
    return figures
