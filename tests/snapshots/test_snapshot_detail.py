"""SVG snapshots of the detail screen with fixed data, UTC clock and time zone."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).parent.parent / "functional"))

from log_view_app import LogViewApp, entries

from tflog_tui.buffer import PaneBuffer

SIZE = (100, 36)
JSON_LINE = (
    '{"level":"error","msg":"charge failed","task_id":"7f3a9c2e","attempt":3,'
    '"http":{"status":502,"path":"/v1/charges"}}'
)
LOGFMT_LINE = 'level=warn msg="retrying upstream" task_id=7f3a9c2e duration=1.2s'


@pytest.fixture(autouse=True)
def utc_zone(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Pin the local time zone to UTC so the local timestamp line is the same everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def detail_app(line: str) -> LogViewApp:
    buffer = PaneBuffer()
    buffer.append(entries(["level=info msg=before", line, "level=info msg=after"]))
    return LogViewApp(buffer)


async def open_second_entry(pilot: Any) -> None:
    await pilot.pause()
    await pilot.press("g", "j", "enter")
    await pilot.pause()


def test_detail_json_entry(snap_compare: Any) -> None:
    assert snap_compare(detail_app(JSON_LINE), terminal_size=SIZE, run_before=open_second_entry)


def test_detail_logfmt_entry(snap_compare: Any) -> None:
    assert snap_compare(detail_app(LOGFMT_LINE), terminal_size=SIZE, run_before=open_second_entry)
