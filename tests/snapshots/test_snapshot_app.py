"""SVG snapshots of the main screen on a fixed data set with a frozen clock."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "functional"))

from app_helpers import NOW_NS, load_fixed_data, make_settings

from tflog_tui.embedded import EmbeddedLoki, ServerLimits, ThreadedServer, serve_in_thread
from tflog_tui.ui.app import TflogApp

SHOWN_URL = "http://127.0.0.1:3100"
"""The address the status line shows; the real server listens on an ephemeral port."""

BILLING = '{service_name="billing-sync"}'


@pytest.fixture(scope="module")
def threaded_server() -> Iterator[ThreadedServer]:
    """Run an embedded Loki with the fixed data set in a thread, for the snapshot's own loop."""
    server = EmbeddedLoki(ServerLimits(), now_ns=lambda: NOW_NS)
    with serve_in_thread(server) as threaded:

        async def load() -> int:
            return load_fixed_data(server)

        threaded.call(load)
        yield threaded


def snapshot_app(url: str, **overrides: Any) -> TflogApp:
    settings = make_settings(url, **overrides)
    settings.embedded_url = SHOWN_URL
    return TflogApp(settings, clock=lambda: NOW_NS)


async def settle(pilot: Any) -> None:
    """Wait for the panes and the sidebar to load, and clear the start-up notification."""
    app: TflogApp = pilot.app
    for _ in range(100):
        await pilot.pause(0.05)
        panes_done = all(pane.state.loaded and not pane.running for pane in app.panes())
        if panes_done and app.sidebar.values:
            break
    app.clear_notifications()
    await pilot.pause(0.3)


def test_main_screen(snap_compare: Any, threaded_server: ThreadedServer) -> None:
    app = snapshot_app(threaded_server.url, query=BILLING)

    assert snap_compare(app, terminal_size=(120, 40), run_before=settle)


def test_main_screen_small_terminal(snap_compare: Any, threaded_server: ThreadedServer) -> None:
    app = snapshot_app(threaded_server.url, query=BILLING)

    assert snap_compare(app, terminal_size=(80, 24), run_before=settle)


def test_query_syntax_error(snap_compare: Any, threaded_server: ThreadedServer) -> None:
    app = snapshot_app(threaded_server.url, query=BILLING)

    async def type_bad_query(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("colon")
        pane = pilot.app.active_pane()
        pane.query_bar.input.value = BILLING + ' |~ "(unclosed"'
        pane.query_bar.input.cursor_blink = False
        await pilot.press("enter")
        await pilot.pause(0.2)

    assert snap_compare(app, terminal_size=(120, 30), run_before=type_bad_query)


def test_welcome_without_pane(snap_compare: Any, threaded_server: ThreadedServer) -> None:
    app = snapshot_app(threaded_server.url)

    assert snap_compare(app, terminal_size=(100, 24), run_before=settle)


def test_split_large_terminal(snap_compare: Any, threaded_server: ThreadedServer) -> None:
    app = snapshot_app(threaded_server.url, query=BILLING)

    async def split(pilot: Any) -> None:
        await settle(pilot)
        await pilot.press("vertical_line")
        await settle(pilot)
        pilot.app.active_pane().set_query('{service_name="mailer"}')
        await settle(pilot)

    assert snap_compare(app, terminal_size=(180, 40), run_before=split)
