"""The log view driven with Pilot over a pane buffer filled directly."""

from __future__ import annotations

import time

import pytest
from log_view_app import (
    BASE_NS,
    BILLING,
    MAILER,
    SECOND_NS,
    LogViewApp,
    entries,
)

from tflog_tui.buffer import Level, PaneBuffer
from tflog_tui.ui.widgets.log_view import LogView

SIZE = (100, 30)


def later(seconds: int) -> int:
    """Return the timestamp `seconds` after the first entry, in nanoseconds."""
    return BASE_NS + seconds * SECOND_NS


def mixed_lines(count: int) -> list[str]:
    """Return logfmt lines: an error every 10th, a warning every 7th, info otherwise."""
    lines = []
    for index in range(count):
        if index % 10 == 5:
            lines.append(f'level=error msg="charge failed" n={index}')
        elif index % 7 == 3:
            lines.append(f'level=warn msg="slow ledger" n={index}')
        else:
            lines.append(f'level=info msg="step done" n={index}')
    return lines


def filled_buffer(count: int = 100) -> PaneBuffer:
    buffer = PaneBuffer()
    buffer.append(entries(mixed_lines(count)))
    return buffer


def row_of_line(buffer: PaneBuffer, needle: str) -> int:
    """Return the row id of the first entry whose line contains `needle`."""
    for row in range(len(buffer)):
        if needle in buffer.line(row):
            return buffer.row_id(row)
    raise AssertionError(f"no line contains {needle!r}")


async def test_starts_following_last_entry() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view

        assert view.follow is True
        assert view.cursor_row == buffer.row_id(99)
        assert "n=99" in app.screen_lines()[-1]


async def test_row_layout_time_badge_line() -> None:
    buffer = filled_buffer(3)
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        first = app.screen_lines()[0]

        assert first.startswith('12:00:00.000 INFO  level=info msg="step done" n=0')
        assert app.log_view.visible_labels == []


async def test_labels_that_differ_are_shown() -> None:
    buffer = PaneBuffer()
    buffer.append(entries(["billing line"], BILLING))
    buffer.append(entries(["mailer line"], MAILER, BASE_NS + 5 * SECOND_NS))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = app.screen_lines()

        assert app.log_view.visible_labels == ["service_name", "task_id", "hostname"]
        assert lines[0].startswith("12:00:00.000 -     billing-sync 7f3a9c2e web-1 billing line")
        assert lines[1].startswith("12:00:05.000 -     mailer       0badf00d web-2 mailer line")


async def test_j_k_move_cursor() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view

        await pilot.press("k", "k", "k")
        assert view.cursor_row == buffer.row_id(96)
        assert view.follow is False

        await pilot.press("j")
        assert view.cursor_row == buffer.row_id(97)

        await pilot.press("up")
        assert view.cursor_row == buffer.row_id(96)


async def test_g_and_G_jump_to_ends() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view

        await pilot.press("g")
        assert view.cursor_row == buffer.row_id(0)
        assert view.follow is False
        assert "n=0" in app.screen_lines()[0]

        await pilot.press("G")
        assert view.cursor_row == buffer.row_id(99)
        assert view.follow is True
        assert "n=99" in app.screen_lines()[-1]


async def test_page_down_moves_one_screen() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        height = view.scrollable_content_region.height

        await pilot.press("g", "pagedown")

        assert view.cursor_row == buffer.row_id(height)
        assert f"n={height}" in app.screen_lines()[-1]

        await pilot.press("pageup")
        assert view.cursor_row == buffer.row_id(0)


async def test_next_error_both_directions() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view

        await pilot.press("g", "e")
        assert view.cursor_row == buffer.row_id(5)

        await pilot.press("e")
        assert view.cursor_row == buffer.row_id(15)

        await pilot.press("E")
        assert view.cursor_row == buffer.row_id(5)

        await pilot.press("E")
        assert view.cursor_row == buffer.row_id(95)


async def test_next_error_includes_critical() -> None:
    buffer = PaneBuffer()
    buffer.append(entries(["level=info a", "level=critical b", "level=info c", "level=error d"]))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view

        await pilot.press("g", "e")
        assert view.cursor_row == buffer.row_id(1)

        await pilot.press("e")
        assert view.cursor_row == buffer.row_id(3)


async def test_next_warning_both_directions() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view

        await pilot.press("g", "w")
        assert view.cursor_row == buffer.row_id(3)

        await pilot.press("w")
        assert view.cursor_row == buffer.row_id(10)

        await pilot.press("G", "W")
        assert view.cursor_row == buffer.row_id(94)
        assert view.follow is False


async def test_search_highlights_and_n_N() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        await pilot.press("g")

        assert view.set_search("CHARGE") is True
        assert view.cursor_row == buffer.row_id(5)

        match_style = view.get_component_rich_style("log-view--match", partial=True)
        strip = view.render_line(5)
        highlighted = [
            segment.text
            for segment in strip
            if segment.style and segment.style.bgcolor == match_style.bgcolor
        ]
        assert highlighted == ["charge"]

        await pilot.press("n")
        assert view.cursor_row == buffer.row_id(15)

        await pilot.press("N")
        assert view.cursor_row == buffer.row_id(5)

        await pilot.press("N")
        assert view.cursor_row == buffer.row_id(95)


async def test_search_case_and_regex() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        await pilot.press("g")

        view.set_search("CHARGE", case_sensitive=True)
        assert view.cursor_row == buffer.row_id(0)

        view.set_search(r"n=4\d\b", regex=True)
        assert view.cursor_row == buffer.row_id(40)

        assert view.set_search("(", regex=True) is False
        assert view.search_pattern is not None
        assert view.search_pattern.pattern == r"n=4\d\b"


async def test_search_input_with_slash() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("g", "slash")
        await pilot.pause()
        await pilot.press(*"slow ledger", "enter")
        await pilot.pause()

        assert app.log_view.cursor_row == buffer.row_id(3)
        assert app.log_view.has_focus


async def test_follow_counts_new_lines() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        await pilot.press("k")
        assert view.follow is False

        buffer.append(entries([f"level=info new {n}" for n in range(5)], start_ns=later(500)))
        view.refresh_from_buffer()
        await pilot.pause()

        assert view.new_lines == 5
        assert view.cursor_row == buffer.row_id(98)
        assert "5 new lines" in app.screen_lines()[-1]
        changes = [m for m in app.messages if isinstance(m, LogView.FollowChanged)]
        assert (changes[-1].follow, changes[-1].new_lines) == (False, 5)

        await pilot.press("f")
        await pilot.pause()
        assert view.follow is True
        assert view.new_lines == 0
        assert view.cursor_row == buffer.row_id(104)
        assert "new 4" in app.screen_lines()[-1]


async def test_follow_scrolls_with_appends() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view

        for batch in range(3):
            lines = [f"level=info batch {batch} {n}" for n in range(10)]
            buffer.append(entries(lines, start_ns=later(200 + batch * 10)))
            view.refresh_from_buffer()
        await pilot.pause()

        assert view.cursor_row == buffer.row_id(129)
        assert "batch 2 9" in app.screen_lines()[-1]
        assert view.new_lines == 0


async def test_prepend_keeps_cursor_and_top() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        await pilot.press("g", "j", "j")
        cursor = view.cursor_row
        top_line = app.screen_lines()[0]

        older = entries([f"level=info old {n}" for n in range(50)], start_ns=later(-100))
        buffer.prepend(list(reversed(older)))
        view.refresh_from_buffer()
        await pilot.pause()

        assert view.cursor_row == cursor
        assert "n=2" in buffer.line(buffer.row_of(cursor) or 0)
        assert app.screen_lines()[0] == top_line


async def test_eviction_keeps_cursor_entry() -> None:
    buffer = PaneBuffer(capacity=100)
    buffer.append(entries(mixed_lines(100)))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        await pilot.press("g")
        for _ in range(40):
            view.action_cursor_down()
        cursor = view.cursor_row

        buffer.append(entries([f"level=info late {n}" for n in range(30)], start_ns=later(500)))
        view.refresh_from_buffer()
        await pilot.pause()

        assert buffer.evicted == 30
        assert view.cursor_row == cursor
        assert view.cursor_index == 10
        assert view.new_lines == 30


async def test_level_filter_keeps_cursor() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        await pilot.press("g", "e", "e")
        assert view.cursor_row == buffer.row_id(15)

        view.set_levels({Level.ERROR})
        await pilot.pause()
        assert view.row_count == 10
        assert view.cursor_row == buffer.row_id(15)
        assert all("level=error" in line for line in app.screen_lines()[:10])

        await pilot.press("j")
        assert view.cursor_row == buffer.row_id(25)

        view.set_levels(set(Level))
        await pilot.pause()
        assert view.row_count == 100
        assert view.cursor_row == buffer.row_id(25)


async def test_level_filter_follows_appends() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        view.set_levels({Level.WARNING})

        lines = ["level=info x", "level=warn y", "level=info z"]
        buffer.append(entries(lines, start_ns=later(500)))
        view.refresh_from_buffer()
        await pilot.pause()

        assert view.cursor_row == buffer.row_id(101)
        assert 'level=warn y' in app.screen_lines()[view.row_count - 1]


async def test_multiline_entry_one_row_with_marker() -> None:
    buffer = PaneBuffer()
    buffer.append(entries(["first line\nsecond line\nthird", "next entry"]))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = app.screen_lines()

        assert "first line↵ second line↵ third" in lines[0]
        assert "next entry" in lines[1]


async def test_wrap_toggle_wraps_long_and_multiline() -> None:
    long_line = "word " * 60
    buffer = PaneBuffer()
    buffer.append(entries([long_line, "one\ntwo\nthree", "short"]))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        width = view.scrollable_content_region.width

        await pilot.press("z")
        await pilot.pause()
        lines = app.screen_lines()
        prefix = 19
        body_width = width - prefix
        long_rows = -(-len(long_line.rstrip()) // body_width)

        assert view.wrap is True
        assert lines[0].startswith("12:00:00.000 -     word word")
        assert all(line.startswith(" " * prefix) for line in lines[1:long_rows])
        assert lines[long_rows].startswith("12:00:01.000 -     one")
        assert lines[long_rows + 1].strip() == "two"
        assert lines[long_rows + 2].strip() == "three"
        assert lines[long_rows + 3].startswith("12:00:02.000 -     short")
        assert all(len(line) == width for line in lines)

        await pilot.press("g", "j")
        assert view.cursor_row == buffer.row_id(1)

        await pilot.press("z")
        await pilot.pause()
        assert view.wrap is False
        assert "one↵ two↵ three" in app.screen_lines()[1]


async def test_wrap_mode_reaches_last_entry() -> None:
    buffer = PaneBuffer()
    buffer.append(entries([f"entry {n} " + "x" * 150 for n in range(60)]))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view

        await pilot.press("z", "G")
        await pilot.pause()
        lines = app.screen_lines()
        assert any("entry 59 " in line for line in lines)
        assert lines[-1].strip() != ""

        await pilot.press("g")
        await pilot.pause()
        assert app.screen_lines()[0].startswith("12:00:00.000 -     entry 0 ")
        for _ in range(59):
            view.action_cursor_down()
        assert view.cursor_row == buffer.row_id(59)
        assert any("entry 59 " in line for line in app.screen_lines())


async def test_horizontal_scroll_keeps_prefix() -> None:
    buffer = PaneBuffer()
    buffer.append(entries(["0123456789" * 30]))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view

        await pilot.press("right")
        line = app.screen_lines()[0]
        assert view.x_offset == 8
        assert line.startswith("12:00:00.000 -     89012345")

        await pilot.press("left", "left")
        assert view.x_offset == 0
        assert app.screen_lines()[0].startswith("12:00:00.000 -     0123456789")

        for _ in range(100):
            view.action_pan_right()
        width = view.scrollable_content_region.width
        assert view.x_offset <= 300 - (width - 19) + 1
        assert app.screen_lines()[0].rstrip().endswith("0123456789")


async def test_utc_toggle(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TZ", "Asia/Kolkata")
    time.tzset()
    try:
        buffer = filled_buffer(3)
        app = LogViewApp(buffer, utc=True)
        async with app.run_test(size=SIZE) as pilot:
            await pilot.pause()
            assert app.screen_lines()[0].startswith("12:00:00.000 ")

            await pilot.press("u")
            await pilot.pause()
            assert app.log_view.utc is False
            assert app.screen_lines()[0].startswith("17:30:00.000 ")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


async def test_date_shown_when_days_differ() -> None:
    buffer = PaneBuffer()
    buffer.append(entries(["yesterday"], start_ns=BASE_NS - 86_400 * SECOND_NS))
    buffer.append(entries(["today"]))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        lines = app.screen_lines()

        assert lines[0].startswith("2026-12-03 12:00:00.000 -     yesterday")
        assert lines[1].startswith("2026-12-04 12:00:00.000 -     today")


async def test_enter_posts_entry_selected() -> None:
    buffer = filled_buffer(10)
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("g", "j", "enter")
        await pilot.pause()

        selected = [m for m in app.messages if isinstance(m, LogView.EntrySelected)]
        assert len(selected) == 1
        assert selected[0].row == buffer.row_id(1)
        assert selected[0].entry == buffer.entry(1)
        assert selected[0].level is Level.INFO


async def test_click_moves_cursor() -> None:
    buffer = filled_buffer(10)
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.click(LogView, offset=(20, 4))

        assert app.log_view.cursor_row == buffer.row_id(4)
        assert app.log_view.follow is False


async def test_cursor_moved_messages_collapse() -> None:
    buffer = filled_buffer(10)
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        first = LogView.CursorMoved(view, 1)
        second = LogView.CursorMoved(view, 2)

        assert second.can_replace(first)
        assert not second.can_replace(LogView.FollowChanged(view, True, 0))


async def test_every_row_is_widget_width() -> None:
    buffer = PaneBuffer()
    buffer.append(entries(["short", "x" * 5000, "a\tb", "wide 错误 " * 40]))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        width = view.scrollable_content_region.width

        for y in range(view.scrollable_content_region.height):
            assert view.render_line(y).cell_length == width


async def test_renders_one_screen_of_a_large_buffer() -> None:
    count = 100_000
    buffer = PaneBuffer(capacity=count)
    buffer.append(entries(f'level=info msg="steady state" n={index}' for index in range(count)))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        view.action_first()
        for _ in range(20):
            view.action_cursor_page_down()
        await pilot.pause()
        view._clear_caches()
        top = int(view.scroll_offset.y)
        height = view.scrollable_content_region.height
        lines = app.screen_lines()

        assert view.row_count == count
        assert top > 0
        assert len(lines) == height
        for y, line in enumerate(lines):
            assert line.rstrip().endswith(f"n={top + y}")


async def test_level_jump_hidden_by_filter() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        view.set_levels({Level.INFO})
        view.action_first()
        cursor = view.cursor_row

        assert view.next_level({Level.ERROR, Level.CRITICAL}) is False
        assert view.cursor_row == cursor
        await pilot.pause()
        assert any("hides" in str(note.message) for note in app._notifications)


async def test_clear_keeps_level_filter() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        view.set_levels({Level.ERROR})

        buffer.clear()
        buffer.append(entries(["level=error again", "level=info hidden"], start_ns=later(900)))
        view.refresh_from_buffer()
        await pilot.pause()

        assert view.row_count == 1
        assert view.cursor_row == buffer.row_id(0)
        assert "again" in app.screen_lines()[0]


async def test_clear_resumes_follow() -> None:
    buffer = filled_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        await pilot.press("g")
        assert view.follow is False

        buffer.clear()
        buffer.append(entries(mixed_lines(50), start_ns=later(900)))
        view.refresh_from_buffer()
        await pilot.pause()

        assert view.follow is True
        assert view.new_lines == 0
        assert view.cursor_row == buffer.row_id(49)
        assert "n=49" in app.screen_lines()[-1]


async def test_render_before_refresh_after_eviction() -> None:
    buffer = PaneBuffer(capacity=50)
    buffer.append(entries(mixed_lines(50)))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        view.set_levels({Level.INFO, Level.WARNING})
        view.action_first()
        await pilot.pause()
        before = app.screen_lines()

        buffer.append(entries(mixed_lines(30), start_ns=later(600)))
        drawn = app.screen_lines()

        kept = [line for line in drawn if line.strip()]
        assert drawn[0].strip() == ""
        assert kept
        assert all(line in before for line in kept)
        assert all(int(line.split("n=")[1]) >= 30 for line in kept)

        view.refresh_from_buffer()
        await pilot.pause()
        assert "n=" in app.screen_lines()[0]


async def test_levels_set_before_mount() -> None:
    buffer = filled_buffer()
    view = LogView(buffer, utc=True)
    view.set_levels({Level.ERROR})
    view.refresh_from_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await app.mount(view, before=app.log_view)
        await app.log_view.remove()
        await pilot.pause()

        assert view.row_count == 10
        assert view.cursor_row == buffer.row_id(95)


def test_label_columns_skip_level_and_cap() -> None:
    from tflog_tui.ui.widgets.log_row import MAX_LABEL_COLUMNS, label_columns

    streams = [
        {"service_name": "a", "level": "info", "zone": "z1", "pod": "p1", "node": "n1",
         "team": "t1", "hostname": "h1"},
        {"service_name": "b", "level": "error", "zone": "z2", "pod": "p2", "node": "n2",
         "team": "t2", "hostname": "h1"},
    ]

    names, cells = label_columns(streams, ("service_name", "task_id", "hostname"))

    assert names == ("service_name", "node", "pod", "team")
    assert len(names) == MAX_LABEL_COLUMNS
    assert cells == (1, 2, 2, 2)


async def test_empty_view_says_why() -> None:
    buffer = PaneBuffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        assert app.screen_lines()[0].strip() == "No entries."
        assert view.cursor_row is None

        buffer.append(entries(["level=info only info"]))
        view.refresh_from_buffer()
        view.set_levels({Level.ERROR})
        await pilot.pause()
        assert app.screen_lines()[0].strip() == "All entries are hidden by the level filter."
        assert view.cursor_row is None
