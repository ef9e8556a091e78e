"""Hostile lines from Loki are drawn as inert text: no escape, control or markup gets through."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from log_view_app import LogViewApp, entries, strip_text
from rich.cells import cell_len
from rich.color import Color
from textual.strip import Strip

from tflog_tui.buffer import Level, PaneBuffer
from tflog_tui.ui.screens.detail import DetailScreen, body_lines, display_safe
from tflog_tui.ui.widgets.entry_fields import entry_fields
from tflog_tui.ui.widgets.entry_text import EntryText
from tflog_tui.ui.widgets.log_row import ROW_MAX_CHARS, RowStyles, build_body

CASES_FILE = Path(__file__).parent.parent / "data" / "hostile-lines.jsonl"
SIZE = (100, 30)

# ESC, every C0 control but none allowed, DEL, C1 (U+009B included), bidi and format controls.
UNSAFE = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\ud800-\udfff]"
)


def load_cases() -> dict[str, str]:
    """Return each case's line by name, repeated `repeat` times when the case has that field."""
    cases = {}
    for text in CASES_FILE.read_text(encoding="utf-8").splitlines():
        if not text.strip():
            continue
        case = json.loads(text)
        cases[case["name"]] = case["line"] * case.get("repeat", 1)
    return cases


CASES = load_cases()
NAMES = list(CASES)


def hostile_buffer() -> PaneBuffer:
    buffer = PaneBuffer()
    buffer.append(entries(CASES.values()))
    return buffer


def screen_strips(app: LogViewApp) -> list[Strip]:
    view = app.log_view
    return [view.render_line(y) for y in range(view.scrollable_content_region.height)]


def row_for(app: LogViewApp, name: str) -> str:
    return strip_text(screen_strips(app)[NAMES.index(name)])


def assert_inert(strip: Strip, width: int) -> None:
    """Check a strip has no unsafe character, no link or action, and is exactly `width` cells."""
    for segment in strip:
        assert UNSAFE.search(segment.text) is None, repr(segment.text)
        if segment.style is not None:
            assert segment.style.link is None
            assert not segment.style.meta.get("@click")
    assert strip.cell_length == width
    assert sum(cell_len(segment.text) for segment in strip) == width


def test_cases_file_has_every_kind() -> None:
    assert len(CASES) == 23
    assert len(CASES["long-line-1MB"]) == 1_000_000


@pytest.mark.parametrize("wrap", [False, True], ids=["one-row", "wrapped"])
async def test_rows_are_inert_and_aligned(wrap: bool) -> None:
    app = LogViewApp(hostile_buffer())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        view.action_first()
        if wrap:
            view.toggle_wrap()

        for _ in range(len(CASES)):
            await pilot.pause()
            width = view.scrollable_content_region.width
            for strip in screen_strips(app):
                assert_inert(strip, width)
            view.action_cursor_down()


async def test_escape_sequences_removed() -> None:
    app = LogViewApp(hostile_buffer())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.log_view.action_first()
        await pilot.pause()

        assert "ERROR payment failed" in row_for(app, "sgr-colour")
        assert "-     task done" in row_for(app, "clear-screen")
        assert "-     progress 50%" in row_for(app, "erase-line-progress")
        assert "-     title change attempt" in row_for(app, "osc-title")
        assert "pwned" not in row_for(app, "osc-title")
        assert "-     clipboard write attempt" in row_for(app, "osc52-clipboard")
        assert "ZWNobyBoaQ" not in row_for(app, "osc52-clipboard")
        assert "-     click " in row_for(app, "osc8-hyperlink")
        assert "example.invalid" not in row_for(app, "osc8-hyperlink")
        assert "-     after dcs" in row_for(app, "dcs-sequence")
        assert "-     C1 CSI" in row_for(app, "c1-csi")


async def test_sgr_colour_kept_safely() -> None:
    app = LogViewApp(hostile_buffer())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.log_view.action_first()
        await pilot.pause()
        strip = screen_strips(app)[NAMES.index("sgr-colour")]

        level_column, message = [segment for segment in strip if segment.text == "ERROR"]
        assert strip_text(strip).startswith("12:00:00.000 ERROR ERROR payment failed")
        assert message.style is not None
        assert message.style.color == Color.from_ansi(1)
        assert level_column.style is not None
        assert level_column.style.color != Color.from_ansi(1)


async def test_markup_shown_literally() -> None:
    app = LogViewApp(hostile_buffer())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.log_view.action_first()
        await pilot.pause()

        assert CASES["rich-markup"] in row_for(app, "rich-markup")
        assert "object path [/] done" in row_for(app, "rich-closing-tag")
        assert "[@click=app.quit]quit[/]" in row_for(app, "textual-markup-link")


async def test_controls_made_visible() -> None:
    app = LogViewApp(hostile_buffer())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.log_view.action_first()
        await pilot.pause()

        assert "a␀b␇c␈d␋e␌f␍g" in row_for(app, "nul-and-controls")
        assert "col1    col2            col3" in row_for(app, "tabs")
        assert "file⟨U+202E⟩gnp.exe" in row_for(app, "rtl-override")
        assert "bytes \ufffd\ufffd came from invalid UTF-8" in row_for(app, "replacement-char")
        assert "\\ud800 escaped in json" in row_for(app, "lone-surrogate-json")


async def test_multiline_traceback_one_row() -> None:
    buffer = hostile_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.log_view.action_first()
        await pilot.pause()

        assert len(buffer) == len(CASES)
        row = row_for(app, "multiline-traceback")
        assert "Traceback (most recent call last):↵   File" in row
        assert row_for(app, "json-line").startswith("12:00:20.000 ERROR {")
        assert row_for(app, "logfmt-line").startswith("12:00:21.000 WARN  level=warn")


def test_levels_detected() -> None:
    buffer = hostile_buffer()

    assert buffer.level(NAMES.index("json-line")) is Level.ERROR
    assert buffer.level(NAMES.index("sgr-colour")) is Level.ERROR
    assert buffer.level(NAMES.index("logfmt-line")) is Level.WARNING


async def test_megabyte_line_cut_with_marker() -> None:
    app = LogViewApp(hostile_buffer())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        view.action_first()
        await pilot.pause()
        styles = RowStyles(*(view.get_component_rich_style(name) for name in (
            "log-view--timestamp", "log-view--labels", "log-view--marker", "log-view--match",
        )))

        body = build_body(CASES["long-line-1MB"], None, styles).single_row(styles)
        hidden = 1_000_000 - ROW_MAX_CHARS

        assert strip_text(body) == "x" * ROW_MAX_CHARS + f"… [+{hidden} chars]"
        assert row_for(app, "long-line-1MB").startswith("12:00:19.000 -     xxxx")

        for _ in range(ROW_MAX_CHARS // 8):
            view.action_pan_right()
        await pilot.pause()
        assert f"… [+{hidden} chars]" in row_for(app, "long-line-1MB")


async def test_wide_rows_keep_next_row_aligned() -> None:
    app = LogViewApp(hostile_buffer())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        view.action_first()
        await pilot.pause()
        strips = screen_strips(app)

        for name in ("cjk-wide", "emoji", "combining"):
            index = NAMES.index(name)
            following = strip_text(strips[index + 1])
            assert following.startswith(f"12:00:{index + 1:02d}.000 ")

        for _ in range(3):
            view.action_pan_right()
        await pilot.pause()
        width = view.scrollable_content_region.width
        assert all(strip.cell_length == width for strip in screen_strips(app))


@pytest.mark.parametrize("name", NAMES)
def test_detail_text_inert(name: str) -> None:
    buffer = PaneBuffer()
    buffer.append(entries([CASES[name]]))
    entry = buffer.entry(0)

    _format, lines = body_lines(entry.line)
    fields = [
        (display_safe(field.name, 200), display_safe(field.value, 300))
        for field in entry_fields(entry)
    ]

    for line in lines:
        assert UNSAFE.search(line.text) is None
        assert UNSAFE.search(line.key) is None
    for name_text, value_text in fields:
        assert UNSAFE.search(name_text) is None
        assert UNSAFE.search(value_text) is None


async def test_detail_screen_inert_and_aligned() -> None:
    names = ["nul-and-controls", "cjk-wide", "emoji", "tabs"]
    buffer = hostile_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        for name in names:
            row = NAMES.index(name)
            screen = DetailScreen(buffer.entry(row), level=buffer.level(row), utc=True)
            await app.push_screen(screen)
            await pilot.pause()
            text = screen.query_one(EntryText)
            width = text.scrollable_content_region.width

            for y in range(text.scrollable_content_region.height):
                strip = text.render_line(y)
                assert strip.cell_length == width, name
                assert all(UNSAFE.search(segment.text) is None for segment in strip), name
            screen.dismiss(None)
            await pilot.pause()


async def test_detail_shows_whole_megabyte_line() -> None:
    buffer = PaneBuffer()
    buffer.append(entries([CASES["long-line-1MB"]]))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await app.push_screen(DetailScreen(buffer.entry(0), level=Level.UNKNOWN, utc=True))
        await pilot.pause()
        text = app.screen.query_one(EntryText)

        shown = "".join(text.row_text(row) for row in range(text.row_count))
        assert shown == CASES["long-line-1MB"]
