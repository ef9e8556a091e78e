"""The detail screen: whole line, fields, timestamps and the actions it returns."""

from __future__ import annotations

import json
import time

import pytest
from log_view_app import BASE_NS, LogViewApp, entries
from rich.text import Text
from textual.widgets import DataTable, Static

from tflog_tui.buffer import Level, PaneBuffer
from tflog_tui.loki.models import Entry, LabelInterner
from tflog_tui.ui.screens.detail import DetailAction, DetailScreen
from tflog_tui.ui.widgets.entry_text import EntryText

SIZE = (100, 40)
JSON_LINE = (
    '{"level":"error","msg":"charge failed","task_id":"7f3a9c2e","attempt":3,'
    '"http":{"status":502}}'
)
LOGFMT_LINE = 'level=warn msg="retrying upstream" task_id=7f3a9c2e duration=1.2s'
TRACEBACK = (
    'Traceback (most recent call last):\n  File "x.py", line 3, in <module>\nValueError: bad'
)


async def open_detail(app: LogViewApp, pilot: object, row: int) -> DetailScreen:
    """Put the cursor on `row` and press enter; return the detail screen."""
    view = app.log_view
    view.action_first()
    for _ in range(row):
        view.action_cursor_down()
    await pilot.press("enter")  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    screen = app.screen
    assert isinstance(screen, DetailScreen)
    return screen


def body_text(screen: DetailScreen) -> list[str]:
    """Return the logical lines of the line view, keys joined to values for tables."""
    text = screen.query_one(EntryText)
    return [f"{line.key}  {line.text}" if line.key else line.text for line in text.lines]


def table_rows(screen: DetailScreen) -> list[tuple[str, str, str]]:
    table: DataTable[Text] = screen.query_one("#detail-fields", DataTable)
    rows = []
    for row_key in table.rows:
        source, field, value = table.get_row(row_key)
        rows.append((source.plain, field.plain, value.plain))
    return rows


def buffer_with(*lines: str) -> PaneBuffer:
    buffer = PaneBuffer()
    buffer.append(entries(lines))
    return buffer


async def test_json_line_pretty_printed() -> None:
    app = LogViewApp(buffer_with(JSON_LINE))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, 0)

        assert body_text(screen) == json.dumps(json.loads(JSON_LINE), indent=2).split("\n")
        assert screen.format_name == "JSON"
        assert ("json", "http_status", "502") in table_rows(screen)
        assert ("json", "attempt", "3") in table_rows(screen)
        assert ("label", "service_name", "billing-sync") in table_rows(screen)
        assert screen.level is Level.ERROR


async def test_logfmt_line_as_table() -> None:
    app = LogViewApp(buffer_with(LOGFMT_LINE))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, 0)

        assert body_text(screen) == [
            "level  warn",
            "msg  retrying upstream",
            "task_id  7f3a9c2e",
            "duration  1.2s",
        ]
        assert ("logfmt", "msg", "retrying upstream") in table_rows(screen)
        assert screen.level is Level.WARNING


async def test_traceback_keeps_lines() -> None:
    app = LogViewApp(buffer_with(TRACEBACK))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, 0)

        assert body_text(screen) == TRACEBACK.split("\n")
        assert screen.format_name == "text"
        summary = str(screen.query_one("#detail-summary", Static).render())
        assert "line   text, 85 bytes, 3 lines" in summary
        assert screen.level is Level.ERROR


async def test_summary_timestamps_and_labels() -> None:
    app = LogViewApp(buffer_with(JSON_LINE))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, 0)
        summary = str(screen.query_one("#detail-summary", Static).render())

        assert "2026-12-04T12:00:00.000000000Z" in summary
        assert str(BASE_NS) in summary
        assert 'service_name="billing-sync"' in summary
        assert "line   JSON, 94 bytes" in summary


async def test_nanoseconds_kept_exactly() -> None:
    interner = LabelInterner()
    entry = Entry(1_796_385_600_123_456_789, "x", interner.intern({"a": "1"}))
    app = LogViewApp(PaneBuffer())
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(DetailScreen(entry, level=Level.INFO, utc=True))
        await pilot.pause()
        summary = str(app.screen.query_one("#detail-summary", Static).render())

        assert "2026-12-04T12:00:00.123456789Z" in summary
        assert "1796385600123456789" in summary


async def test_include_selected_field() -> None:
    app = LogViewApp(buffer_with(JSON_LINE))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, 0)
        rows = table_rows(screen)
        target = rows.index(("json", "msg", "charge failed"))

        for _ in range(target):
            await pilot.press("down")
        await pilot.press("i")
        await pilot.pause()

        assert app.detail_results == [DetailAction("include", "msg", "charge failed", "json")]


async def test_exclude_label_field() -> None:
    app = LogViewApp(buffer_with(LOGFMT_LINE))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, 0)
        rows = table_rows(screen)
        target = rows.index(("label", "service_name", "billing-sync"))

        for _ in range(target):
            await pilot.press("down")
        await pilot.press("x")
        await pilot.pause()

        assert app.detail_results == [
            DetailAction("exclude", "service_name", "billing-sync", "label")
        ]


async def test_open_task_from_labels() -> None:
    app = LogViewApp(buffer_with(JSON_LINE))
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, 0)
        await pilot.press("t")
        await pilot.pause()

        assert app.detail_results == [DetailAction("open_task", "task_id", "7f3a9c2e", "label")]


async def test_open_task_from_json_line() -> None:
    stream = LabelInterner().intern({"service_name": "billing-sync"})
    buffer = PaneBuffer()
    buffer.append(entries([JSON_LINE], stream))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, 0)
        await pilot.press("t")
        await pilot.pause()

        assert app.detail_results == [DetailAction("open_task", "task_id", "7f3a9c2e", "json")]


async def test_open_task_missing_stays_open() -> None:
    stream = LabelInterner().intern({"service_name": "billing-sync"})
    buffer = PaneBuffer()
    buffer.append(entries(["plain text without a task"], stream))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, 0)
        await pilot.press("t")
        await pilot.pause()

        assert app.detail_results == []
        assert isinstance(app.screen, DetailScreen)


async def test_context_copy_and_close() -> None:
    app = LogViewApp(buffer_with(LOGFMT_LINE, TRACEBACK))
    async with app.run_test(size=SIZE) as pilot:
        await open_detail(app, pilot, 0)
        await pilot.press("C")
        await pilot.pause()
        await open_detail(app, pilot, 1)
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        assert app.last_copied_text == TRACEBACK  # type: ignore[attr-defined]
        await pilot.press("escape")
        await pilot.pause()
        await open_detail(app, pilot, 0)
        await pilot.press("escape")
        await pilot.pause()

        assert app.detail_results == [DetailAction("context"), None, None]


async def test_copy_selected_value() -> None:
    app = LogViewApp(buffer_with(LOGFMT_LINE))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, 0)
        target = table_rows(screen).index(("logfmt", "duration", "1.2s"))
        for _ in range(target):
            await pilot.press("down")
        await pilot.press("y")
        await pilot.pause()

        assert app.detail_results == []
        assert isinstance(app.screen, DetailScreen)
        assert app.last_copied_text == "1.2s"  # type: ignore[attr-defined]


async def test_megabyte_line_fully_reachable() -> None:
    line = "".join(f"{n:07d}" for n in range(150_000))
    app = LogViewApp(buffer_with(line))
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_detail(app, pilot, 0)
        text = screen.query_one(EntryText)
        width = text.scrollable_content_region.width

        assert len(line) == 1_050_000
        assert text.row_count == -(-len(line) // width)
        assert text.row_text(text.row_count - 1).endswith("0149999")
        assert "".join(text.row_text(row) for row in range(text.row_count)) == line

        text.focus()
        await pilot.press("end")
        await pilot.pause()
        last = text.render_line(text.scrollable_content_region.height - 1)
        assert "0149999" in "".join(segment.text for segment in last)


async def test_local_zone_first_without_utc(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        entry = Entry(BASE_NS, "x", LabelInterner().intern({"a": "1"}))
        app = LogViewApp(PaneBuffer())
        async with app.run_test(size=SIZE) as pilot:
            await app.push_screen(DetailScreen(entry, level=Level.INFO, utc=False))
            await pilot.pause()
            summary = str(app.screen.query_one("#detail-summary", Static).render())
            lines = summary.split("\n")

            assert lines[0] == "INFO   2026-12-04T17:30:00.000000000+05:30  local"
            assert lines[1] == "       2026-12-04T12:00:00.000000000Z  UTC"
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


async def test_metadata_and_parsed_fields() -> None:
    interner = LabelInterner()
    entry = Entry(
        BASE_NS,
        "plain text line",
        interner.intern({"service_name": "billing-sync"}),
        metadata=interner.intern({"trace_id": "4bf92f35"}),
        parsed=interner.intern({"duration": "1.2s"}),
    )
    app = LogViewApp(PaneBuffer())
    async with app.run_test(size=SIZE) as pilot:
        screen = DetailScreen(entry, level=Level.INFO, utc=True)
        await app.push_screen(screen, app.detail_results.append)
        await pilot.pause()
        rows = table_rows(screen)

        assert rows == [
            ("label", "service_name", "billing-sync"),
            ("metadata", "trace_id", "4bf92f35"),
            ("parsed", "duration", "1.2s"),
        ]

        await pilot.press("down", "i")
        await pilot.pause()
        assert app.detail_results == [DetailAction("include", "trace_id", "4bf92f35", "metadata")]
