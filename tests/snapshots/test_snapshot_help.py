"""SVG snapshot of the help screen over a log view."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).parent.parent / "functional"))

from log_view_app import LogViewApp, entries

from tflog_tui.buffer import PaneBuffer
from tflog_tui.ui.screens.help import HelpScreen


async def open_help(pilot: Any) -> None:
    await pilot.pause()
    await pilot.app.push_screen(HelpScreen())
    await pilot.pause()


def test_help_screen(snap_compare: Any) -> None:
    buffer = PaneBuffer()
    buffer.append(entries(["level=info msg=hello"]))
    app = LogViewApp(buffer)

    assert snap_compare(app, terminal_size=(100, 60), run_before=open_help)
