"""What the log view repaints: changed rows only, and no layout per refresh in follow mode."""

from __future__ import annotations

from typing import Any

from log_view_app import BASE_NS, SECOND_NS, LogViewApp, entries

from tflog_tui.buffer import PaneBuffer
from tflog_tui.ui.widgets.log_view import LogView

SIZE = (100, 30)


def numbered(start: int, count: int) -> list[str]:
    """Return `count` logfmt lines numbered from `start`."""
    return [f"level=info msg=step n={n}" for n in range(start, start + count)]


def record_render_lines(view: LogView) -> list[int]:
    """Record the screen rows `render_line` is asked for, in order."""
    asked: list[int] = []
    render_line = view.render_line

    def record(y: int) -> Any:
        asked.append(y)
        return render_line(y)

    view.render_line = record  # type: ignore[method-assign]
    return asked


def record_layouts(view: LogView) -> list[bool]:
    """Record each `refresh` call of the view that asks for a layout of the screen."""
    layouts: list[bool] = []
    refresh = view.refresh

    def record(*regions: Any, **options: Any) -> Any:
        if options.get("layout"):
            layouts.append(True)
        return refresh(*regions, **options)

    view.refresh = record  # type: ignore[method-assign]
    return layouts


async def test_cursor_move_repaints_two_rows() -> None:
    buffer = PaneBuffer()
    buffer.append(entries(numbered(0, 200)))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        view.focus()
        await pilot.press("k")
        await pilot.pause()
        bottom = view.scrollable_content_region.height - 1

        asked = record_render_lines(view)
        await pilot.press("k")
        await pilot.pause()

        assert sorted(set(asked)) == [bottom - 2, bottom - 1]


async def test_follow_refresh_skips_layout() -> None:
    buffer = PaneBuffer()
    buffer.append(entries(numbered(0, 200)))
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        assert view.follow

        layouts = record_layouts(view)
        for tick in range(3):
            start = 200 + tick * 50
            buffer.append(entries(numbered(start, 50), start_ns=BASE_NS + start * SECOND_NS))
            view.refresh_from_buffer()
            await pilot.pause()

        assert layouts == []
        assert view.row_count == 350
        assert view.virtual_size.height == 350
        assert int(view.scroll_offset.y) == view.max_scroll_y
        assert "n=349" in app.screen_lines()[-1]
