"""Render: build one screen of the log view with 1,000,000 entries held vs 1,000.

The view runs inside a headless Textual app (`run_test`). Before each timed
run the view's strip caches are cleared, so every row is really built. A
screen is 50 calls of `LogView.render_line`. The two sizes are measured in
the same run and compared as a ratio: the cost of a screen must not grow
with the number of entries held.
"""

from __future__ import annotations

import asyncio
import gc
import statistics
import time

from textual.app import App, ComposeResult

from bench._common import Figure, median_seconds
from tflog_tui.buffer import PaneBuffer, display_text
from tflog_tui.loki.models import Entry, Labels
from tflog_tui.ui.widgets.log_view import LogView

SCREEN_ROWS = 50
SIZE = (120, SCREEN_ROWS + 2)
BASE_NS = 1_796_385_600_000_000_000
LABELS = Labels({"service_name": "billing-sync", "task_id": "7f3a9c2e", "hostname": "web-1"})
LINES = [
    'level=info msg="charged customer" task_id=7f3a9c2e amount_cents=1200 duration=23ms',
    "2026-12-04T12:00:00.123Z WARN ledger slow to answer, retrying in 250ms",
    '{"level":"error","msg":"charge failed","task_id":"7f3a9c2e","attempt":3}',
    "GET /api/v1/invoices?page=3 200 12ms user=alice \x1b[32mOK\x1b[0m",
]


class _ViewsApp(App[None]):
    """Show one LogView per buffer, one above the other, each SCREEN_ROWS rows high."""

    CSS = f"LogView {{ height: {SCREEN_ROWS}; }}"

    def __init__(self, buffers: list[PaneBuffer]) -> None:
        super().__init__()
        self.buffers = buffers

    def compose(self) -> ComposeResult:
        for buffer in self.buffers:
            yield LogView(buffer, utc=True)


def _buffer(count: int) -> PaneBuffer:
    buffer = PaneBuffer(capacity=count)
    for start in range(0, count, 5000):
        buffer.append(
            Entry(BASE_NS + index * 1_000_000, LINES[index % len(LINES)], LABELS)
            for index in range(start, min(count, start + 5000))
        )
    return buffer


async def _screen_times(counts: list[int], runs: int) -> list[tuple[list[float], int]]:
    """Return, per buffer size, the seconds to build one screen in each run and the rows held.

    The views live in one app and are timed in turn, run after run, so a
    load spike on the machine falls on both sizes alike.
    """
    app = _ViewsApp([_buffer(count) for count in counts])
    size = (120, SCREEN_ROWS * len(counts) + 2)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        views = list(app.query(LogView))
        for view in views:
            view.action_first()
            for _ in range(10):
                view.action_cursor_page_down()
        await pilot.pause()

        timings: list[list[float]] = [[] for _ in views]
        for run in range(runs + 2):
            for view, times in zip(views, timings, strict=True):
                height = view.scrollable_content_region.height
                view._clear_caches()
                gc.collect()
                started = time.perf_counter()
                for y in range(SCREEN_ROWS):
                    view.render_line(y % height)
                if run >= 2:
                    times.append(time.perf_counter() - started)
        return [(times, view.row_count) for view, times in zip(views, timings, strict=True)]


def run() -> list[Figure]:
    """Measure screen build times at two buffer sizes and display_text costs."""
    (small, small_rows), (large, large_rows) = asyncio.run(
        _screen_times([1_000, 1_000_000], runs=31)
    )
    assert (small_rows, large_rows) == (1_000, 1_000_000)
    small_s = statistics.median(small)
    large_s = statistics.median(large)
    ratio = large_s / small_s

    plain = LINES[0]
    plain_s = median_seconds(lambda: [display_text(plain) for _ in range(10_000)], runs=5)
    long_line = "\x1b[31m" + "y\t" * 500_000
    long_s = median_seconds(lambda: display_text(long_line), runs=5)

    return [
        Figure("render", "one screen, 1,000 entries held", small_s * 1000, "ms"),
        Figure("render", "one screen, 1,000,000 entries held", large_s * 1000, "ms"),
        Figure("render", "1,000,000 / 1,000", ratio, "x", "≤ 1.2", ratio <= 1.2),
        Figure("render", "display_text of a plain 80-char line", plain_s / 10_000 * 1e6, "µs"),
        Figure("render", "display_text of a 1 MB line with controls", long_s * 1000, "ms"),
    ]
