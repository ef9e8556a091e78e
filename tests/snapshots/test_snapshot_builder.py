"""SVG snapshot of the query builder with a filled form and its metric chart."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.widgets import Input

sys.path.insert(0, str(Path(__file__).parent.parent / "functional"))

from app_helpers import (
    BILLING_NEW_TASK,
    MINUTE_NS,
    NOW_NS,
    billing_entries,
    load_fixed_data,
)

from tflog_tui.embedded import EmbeddedLoki, ServerLimits, serve_in_thread
from tflog_tui.embedded.threaded import ThreadedServer
from tflog_tui.loki import LokiClient, LokiSettings
from tflog_tui.ui.screens.builder import BuilderScreen

SIZE = (120, 56)
QUERY = (
    'sum by (level) (count_over_time({service_name="billing-sync"} |= "invoice" '
    '| json | level=~"error|info" | step >= 2 [10m]))'
)
HOUR_NS = 60 * MINUTE_NS


class BuilderHostApp(App[None]):
    """Show the builder over an empty screen, talking to a Loki at `url`."""

    def __init__(self, url: str) -> None:
        super().__init__()
        self.client = LokiClient(LokiSettings(addr=url, retries=0, timeout_s=5.0))

    async def on_mount(self) -> None:
        await self.client.__aenter__()
        labels = {"service_name": "billing-sync", "hostname": "web-1", "task_id": BILLING_NEW_TASK}
        lines = billing_entries(BILLING_NEW_TASK, NOW_NS - 10 * MINUTE_NS)
        screen = BuilderScreen(
            self.client,
            query=QUERY,
            time_range=(NOW_NS - HOUR_NS, NOW_NS),
            sample=[(labels, line) for _, line in lines],
            level_source="json",
            range_description="last 1h",
        )
        self.push_screen(screen)

    async def on_unmount(self) -> None:
        await self.client.aclose()


@pytest.fixture
def threaded_server() -> Iterator[ThreadedServer]:
    """Yield an embedded Loki in a thread with the fixed data set and the frozen clock."""
    server = serve_in_thread(EmbeddedLoki(ServerLimits(), now_ns=lambda: NOW_NS))
    load_fixed_data(server)  # type: ignore[arg-type]
    try:
        yield server
    finally:
        server.stop()


async def wait_until_drawn(pilot: Any) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + 10.0
    while True:
        screen = pilot.app.screen
        ready = (
            isinstance(screen, BuilderScreen)
            and screen.query(Input)
            and screen.label_picker.label_names
            and "series" in screen.metric_chart.caption
        )
        if ready:
            break
        assert loop.time() < deadline, "the builder did not load labels and the chart in 10 s"
        await pilot.pause(0.05)

    for field in pilot.app.screen.query(Input):
        field.cursor_blink = False
    pilot.app.set_focus(None)
    await pilot.pause()


def test_builder_filled_form(snap_compare: Any, threaded_server: ThreadedServer) -> None:
    app = BuilderHostApp(threaded_server.url)

    assert snap_compare(app, terminal_size=SIZE, run_before=wait_until_drawn)
