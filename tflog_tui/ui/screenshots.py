"""Render SVG screenshots of the app for the README: `python -m tflog_tui.ui.screenshots DIR`.

The app runs headless against the embedded server on 127.0.0.1 with demo data
from a fixed seed and a frozen clock, so the pictures only change when the
app does.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

from tflog_tui.embedded import EmbeddedLoki, ServerLimits
from tflog_tui.embedded.demo import DemoGenerator, load_history
from tflog_tui.loki import LokiSettings
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.pane_query import selector_query

FROZEN_NOW_NS = 1_796_385_600_000_000_000
"""The clock of the app and the server: 2026-12-04T12:00:00Z, nanoseconds since the epoch."""

SHOWN_URL = "http://127.0.0.1:3100"
"""The server address the status line shows; the server listens on an ephemeral port."""

DEMO_SEED = 7
SIZE = (120, 36)


def screenshot_settings(url: str, query: str | None = None, **overrides: Any) -> Any:
    """Build app settings for the embedded server at `url`."""
    from tflog_tui.settings import AppSettings, GrafanaSettings

    values: dict[str, Any] = {
        "loki": LokiSettings(addr=url, retries=0),
        "grafana": GrafanaSettings(),
        "query": query,
        "time_from": "now-1h",
        "time_to": "now",
        "embedded_url": SHOWN_URL,
        "utc": True,
    }
    values.update(overrides)
    return AppSettings(**values)


async def settle(pilot: Any, app: TflogApp, seconds: float = 1.5) -> None:
    """Wait until every pane finished loading, at most `seconds`."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while loop.time() < deadline:
        await pilot.pause(0.1)
        if not any(pane.running for pane in app.panes() if pane.state.mode == "range"):
            break
    await pilot.pause(0.3)


async def shoot(
    url: str,
    path: Path,
    steps: Callable[[Any, TflogApp], Awaitable[None]],
    query: str | None = None,
) -> None:
    """Run the app, apply `steps` with the pilot, and save an SVG at `path`."""
    app = TflogApp(screenshot_settings(url, query), clock=lambda: FROZEN_NOW_NS)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot, app)
        await steps(pilot, app)
        await settle(pilot, app)
        app.save_screenshot(path.name, str(path.parent))


async def main_screen(pilot: Any, app: TflogApp) -> None:
    """Open the first service from the sidebar and expand it to its tasks."""
    await pilot.press("enter")
    await settle(pilot, app)
    app.sidebar.service_tree.focus()
    await pilot.press("space")


async def task_detail(pilot: Any, app: TflogApp) -> None:
    """Open the pane of a billing-sync task that logged an error, and that error's detail."""
    query = '{service_name="billing-sync"} |= "error"'
    hour_ns = 3600 * 1_000_000_000
    task_id = ""
    batches = app.client.query_range(
        query, start_ns=FROZEN_NOW_NS - hour_ns, end_ns=FROZEN_NOW_NS, limit=1
    )
    async for batch in batches:
        task_id = batch[0].labels.get("task_id", "") if batch else ""
    labels = {"service_name": "billing-sync", "task_id": task_id}
    await app.open_query(selector_query(labels), f"billing-sync/{task_id}")
    await settle(pilot, app)
    await pilot.press("g", "e", "enter")


async def help_screen(pilot: Any, app: TflogApp) -> None:
    """Open the help screen."""
    await pilot.press("question_mark")


def live_tail(server: EmbeddedLoki) -> Callable[[Any, TflogApp], Awaitable[None]]:
    """Start a tail, then push a few entries after the frozen now."""

    async def steps(pilot: Any, app: TflogApp) -> None:
        await pilot.press("t")
        await pilot.pause(0.5)
        labels = {"service_name": "billing-sync", "hostname": "web-1", "task_id": "live0001"}
        lines = [
            (FROZEN_NOW_NS + 1_000_000_000, 'level=info msg="task started" task_id=live0001'),
            (FROZEN_NOW_NS + 2_000_000_000, 'level=warn msg="ledger slow" latency_ms=950'),
            (FROZEN_NOW_NS + 3_000_000_000, 'level=error msg="ledger timeout" attempt=1'),
        ]
        server.push(labels, lines)
        await pilot.pause(0.8)

    return steps


async def render_all(directory: Path) -> list[Path]:
    """Render every screenshot into `directory`; return the files written."""
    directory.mkdir(parents=True, exist_ok=True)
    server = EmbeddedLoki(ServerLimits(), now_ns=lambda: FROZEN_NOW_NS)
    await server.start("127.0.0.1", 0)
    try:
        load_history(server, hours=2, generator=DemoGenerator(seed=DEMO_SEED, now_ns=FROZEN_NOW_NS))
        url = server.url
        service_query = '{service_name="billing-sync"}'
        written = [
            directory / "main.svg",
            directory / "task-detail.svg",
            directory / "help.svg",
            directory / "live-tail.svg",
        ]
        await shoot(url, written[0], main_screen)
        await shoot(url, written[1], task_detail)
        await shoot(url, written[2], help_screen)
        await shoot(url, written[3], live_tail(server), query=service_query)
        return written
    finally:
        await server.stop()


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments and render the screenshots; return the exit status."""
    parser = argparse.ArgumentParser(description="Render SVG screenshots of tflog.")
    parser.add_argument("directory", type=Path, help="folder to write the SVG files into")
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    written = asyncio.run(render_all(args.directory))
    for path in written:
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
