"""Opening a pane shows its newest entries: the bottom of the result, where the cursor is."""

from __future__ import annotations

from app_helpers import NOW_NS, SECOND_NS, make_settings, wait_for
from log_view_app import BASE_NS, LogViewApp, entries, strip_text

from tflog_tui.buffer import PaneBuffer
from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.widgets.log_view import LogView

AUDIT_ENTRIES = 60
"""Entries of the audit-log service: three screens at the test's terminal size."""


def push_audit_log(server: EmbeddedLoki) -> None:
    """Push `AUDIT_ENTRIES` entries, one a second, ending a minute before the frozen clock."""
    start_ns = NOW_NS - 60 * SECOND_NS - AUDIT_ENTRIES * SECOND_NS
    lines = [
        (start_ns + n * SECOND_NS, f"level=info audit entry {n:02d}") for n in range(AUDIT_ENTRIES)
    ]
    server.push({"service_name": "audit-log", "hostname": "web-3", "task_id": "a0d17000"}, lines)


def screen_lines(view: LogView) -> list[str]:
    """Return the text of every row of the log view as drawn now."""
    height = view.scrollable_content_region.height
    return [strip_text(view.render_line(y)) for y in range(height)]


async def test_service_pane_opens_at_newest(fixed_server: EmbeddedLoki) -> None:
    push_audit_log(fixed_server)
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 24)) as pilot:
        await wait_for(pilot, lambda: bool(app.sidebar.values), what="services")
        assert app.sidebar.values[0] == "audit-log"
        app.sidebar.service_tree.focus()

        await pilot.press("enter")
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded, what="the range query")
        await pilot.pause()

        view = pane.log_view
        lines = screen_lines(view)
        height = view.scrollable_content_region.height
        top = int(view.scroll_offset.y)
        assert view.row_count == AUDIT_ENTRIES
        assert height < AUDIT_ENTRIES
        assert view.follow
        assert view.cursor_index == AUDIT_ENTRIES - 1
        assert top <= view.cursor_index < top + height
        assert "audit entry 59" in lines[-1]
        assert not any("audit entry 00" in line for line in lines)


async def test_prepended_pages_keep_bottom() -> None:
    buffer = PaneBuffer()
    newest = [f"level=info page 0 entry {n}" for n in range(5)]
    buffer.append(entries(newest, start_ns=BASE_NS + 100 * SECOND_NS))
    app = LogViewApp(buffer)
    async with app.run_test(size=(100, 20)) as pilot:
        await pilot.pause()
        view = app.log_view
        assert int(view.scroll_offset.y) == 0

        older = entries([f"level=info page 1 entry {n}" for n in range(60)])
        buffer.prepend(list(reversed(older)))
        view.refresh_from_buffer()
        await pilot.pause()

        height = view.scrollable_content_region.height
        top = int(view.scroll_offset.y)
        assert view.row_count == 65
        assert view.follow
        assert view.cursor_index == 64
        assert top == 65 - height
        assert "page 0 entry 4" in app.screen_lines()[-1]
