"""Detail screen: j/k in the field table, copy in place, tracebacks, parsed labels."""

from __future__ import annotations

import json

from app_helpers import NOW_NS, NotifyRecorder, make_settings, wait_for
from log_view_app import LogViewApp, entries
from rich.text import Text
from textual.widgets import DataTable, Static

from tflog_tui.buffer import PaneBuffer
from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.screens.detail import DetailScreen
from tflog_tui.ui.widgets.entry_text import EntryText

SIZE = (100, 40)
LOGFMT_LINE = 'level=warn msg="retrying upstream" task_id=7f3a9c2e duration=1.2s'
TRACEBACK = (
    'Traceback (most recent call last):\n  File "x.py", line 3, in <module>\nValueError: bad'
)


async def open_first(app: LogViewApp, pilot: object) -> DetailScreen:
    app.log_view.action_first()
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    screen = app.screen
    assert isinstance(screen, DetailScreen)
    return screen


def buffer_with(line: str) -> PaneBuffer:
    buffer = PaneBuffer()
    buffer.append(entries([line]))
    return buffer


async def test_j_and_k_move_in_field_table() -> None:
    app = LogViewApp(buffer_with(LOGFMT_LINE))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first(app, pilot)
        table: DataTable[Text] = screen.query_one("#detail-fields", DataTable)
        assert table.cursor_row == 0

        await pilot.press("j", "j", "j")
        assert table.cursor_row == 3
        assert screen.selected_field() == screen.fields[3]

        await pilot.press("k")
        assert table.cursor_row == 2


async def test_copy_line_keeps_detail_open() -> None:
    app = LogViewApp(buffer_with(LOGFMT_LINE))
    recorder = NotifyRecorder(app)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first(app, pilot)

        await pilot.press("c")
        await pilot.pause()

        assert app.screen is screen
        assert app.detail_results == []
        assert app.last_copied_text == LOGFMT_LINE  # type: ignore[attr-defined]
        assert recorder.messages
        assert "the line" in recorder.messages[-1][0]


async def test_traceback_in_json_shown_as_lines() -> None:
    line = json.dumps({"level": "error", "msg": "job crashed", "exc_info": TRACEBACK})
    app = LogViewApp(buffer_with(line))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_first(app, pilot)
        lines = [text_line.text for text_line in screen.query_one(EntryText).lines]

        assert '  "exc_info": |' in lines
        start = lines.index('  "exc_info": |')
        assert lines[start + 1 : start + 4] == [
            "      Traceback (most recent call last):",
            '        File "x.py", line 3, in <module>',
            "      ValueError: bad",
        ]
        assert not any("\\n" in text for text in lines)


async def test_parsed_labels_apart_from_stream(fixed_server: EmbeddedLoki) -> None:
    query = '{service_name="billing-sync"} | json'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
        await pilot.pause(0.2)

        await pilot.press("enter")
        await wait_for(pilot, lambda: isinstance(app.screen, DetailScreen), what="the detail")
        screen = app.screen
        assert isinstance(screen, DetailScreen)
        summary = str(screen.query_one("#detail-summary", Static).render())
        stream_line = next(part for part in summary.split("\n") if part.startswith("stream "))
        parsed_line = next(part for part in summary.split("\n") if part.startswith("parsed "))

        assert stream_line.startswith('stream {hostname="web-1", service_name="billing-sync"')
        assert "msg=" not in stream_line
        assert "level=" not in stream_line
        assert 'msg="task finished"' in parsed_line
        sources = {field.name: field.source for field in screen.fields if field.source != "json"}
        assert sources["msg"] == "parsed"
        assert sources["service_name"] == "label"
