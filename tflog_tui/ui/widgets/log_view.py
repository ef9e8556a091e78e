"""The log view: a Line API widget over a pane buffer that draws only the visible rows."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Hashable
from typing import ClassVar

from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.geometry import Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from tflog_tui.buffer import Level, PaneBuffer
from tflog_tui.loki.models import Entry
from tflog_tui.ui.widgets.log_row import (
    LineBody,
    RowFormat,
    RowStyles,
    build_body,
    build_prefix,
    fit_label_columns,
    label_columns,
    prettify_line,
)
from tflog_tui.ui.widgets.log_search import find_match
from tflog_tui.ui.widgets.log_time import spans_days
from tflog_tui.ui.widgets.visible_rows import VisibleRows

PREFERRED_LABELS = ("service_name", "task_id", "hostname")
"""Label columns shown first, when their values differ between the streams of a pane."""

STRIP_CACHE_SIZE = 2_000
"""Rendered rows kept, enough for several screens of scrolling back and forth."""

WRAPPED_CACHE_SIZE = 1_000
"""Entries kept wrapped, for wrap mode."""

WRAP_MIN_CELLS = 30
"""Narrowest message column in wrap mode, in cells. With less room the message starts below."""

WRAP_INDENT = 2
"""Indent of the message rows when the message starts below the prefix, in cells."""

PAN_CELLS = 8
"""Columns moved by one press of left or right when lines are not wrapped."""

ERROR_LEVELS = frozenset({Level.CRITICAL, Level.ERROR})
WARNING_LEVELS = frozenset({Level.WARNING})


def crop_segments(segments: list[Segment], cells: int, start: int, room: int) -> list[Segment]:
    """Return cells `start` to `start + room` of `segments` (`cells` wide), padded to `room`.

    A wide character cut at either edge becomes spaces, as `Strip.crop` does.
    """
    end = min(start + room, cells)
    if start == 0 and end == cells:
        visible = list(segments)
    elif start >= end:
        visible = []
    else:
        visible = list(Segment.divide(segments, [start, end]))[1]

    shown = max(0, end - start)
    if shown < room:
        visible.append(Segment(" " * (room - shown)))
    return visible


def _wrapped_note(forward: bool) -> str:
    """Return the notice that a search passed the end (or start) and went on from the other end."""
    return "Search wrapped to the top." if forward else "Search wrapped to the bottom."


def new_lines_label(count: int) -> str:
    """Return the text of the badge that counts entries appended while not following."""
    noun = "new line" if count == 1 else "new lines"
    return f" ↓ {count:,} {noun} (f to follow) "


class LogView(ScrollView, can_focus=True, inherit_bindings=False):
    """Show the entries of a pane buffer, one row each (or wrapped), with a cursor.

    Rows are built on demand in `render_line` from the buffer and kept in a
    bounded cache, so drawing costs the same for a thousand entries held as
    for a million. The cursor is kept as a buffer row id, so it stays on its
    entry when older entries are prepended or the oldest are evicted.
    """

    # The footer shows only next error and search, so it fits 80 columns
    # beside the app's keys. Help and the command palette list every key.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("j,down", "cursor_down", "Next entry", show=False),
        Binding("k,up", "cursor_up", "Previous entry", show=False),
        Binding("g,home", "first", "First entry", show=False),
        Binding("G,end", "last", "Last entry and follow", show=False),
        Binding("pageup", "cursor_page_up", "Page up", show=False),
        Binding("pagedown", "cursor_page_down", "Page down", show=False),
        Binding("f", "toggle_follow", "Follow", show=False),
        Binding("e", "next_error", "Next error"),
        Binding("E", "previous_error", "Previous error", show=False),
        Binding("w", "next_warning", "Next warning", show=False),
        Binding("W", "previous_warning", "Previous warning", show=False),
        Binding("slash", "search", "Search", key_display="/"),
        Binding("n", "next_match", "Next match", show=False),
        Binding("N", "previous_match", "Previous match", show=False),
        Binding("enter", "select_entry", "Detail", show=False),
        Binding("z", "toggle_wrap", "Wrap", show=False),
        Binding("u", "toggle_utc", "UTC/local", show=False),
        Binding("left", "pan_left", "Scroll left", show=False),
        Binding("right", "pan_right", "Scroll right", show=False),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "log-view--timestamp",
        "log-view--labels",
        "log-view--cursor",
        "log-view--match",
        "log-view--marker",
        "log-view--new-lines",
    }

    DEFAULT_CSS = """
    LogView {
        overflow-x: hidden;
        overflow-y: auto;
        & > .log-view--timestamp {
            color: $text-muted;
        }
        & > .log-view--labels {
            color: $text-accent;
        }
        & > .log-view--cursor {
            background: $primary 35%;
        }
        & > .log-view--match {
            background: $warning 70%;
            color: $background;
            text-style: bold;
        }
        & > .log-view--marker {
            color: $text-muted;
        }
        & > .log-view--new-lines {
            background: $accent;
            color: $text;
            text-style: bold;
        }
    }
    """

    class EntrySelected(Message):
        """Posted when the user presses enter on an entry."""

        def __init__(self, log_view: LogView, row: int, entry: Entry, level: Level) -> None:
            super().__init__()
            self.log_view = log_view
            self.row = row
            """Buffer row id of the entry."""
            self.entry = entry
            self.level = level

        @property
        def control(self) -> LogView:
            """The log view that posted the message."""
            return self.log_view

    class CursorMoved(Message):
        """Posted when the cursor moves to another entry; pending copies collapse into one."""

        def __init__(self, log_view: LogView, row: int | None) -> None:
            super().__init__()
            self.log_view = log_view
            self.row = row
            """Buffer row id under the cursor, or None when the view is empty."""

        @property
        def control(self) -> LogView:
            """The log view that posted the message."""
            return self.log_view

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogView.CursorMoved) and message.log_view is self.log_view

    class FollowChanged(Message):
        """Posted when follow mode or the count of unseen new lines changes."""

        def __init__(self, log_view: LogView, follow: bool, new_lines: int) -> None:
            super().__init__()
            self.log_view = log_view
            self.follow = follow
            self.new_lines = new_lines
            """Entries appended (and passing the level filter) since follow mode was left."""

        @property
        def control(self) -> LogView:
            """The log view that posted the message."""
            return self.log_view

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, LogView.FollowChanged) and message.log_view is self.log_view

    follow: reactive[bool] = reactive(True, init=False)
    """Keep the cursor on the newest entry and scroll as entries arrive."""

    def __init__(self, buffer: PaneBuffer, *, utc: bool = False, id: str | None = None) -> None:
        super().__init__(id=id)
        self.buffer = buffer
        self.utc = utc
        self.wrap = False
        self.prettify = False
        """Show JSON and logfmt lines as their message, then `key=value` fields."""
        self.new_lines = 0
        """Entries appended since follow mode was left (only those passing the level filter)."""

        self._rows = VisibleRows(buffer)
        self._cursor_id: int | None = None
        self._cursor_index: int | None = None
        self._pattern: re.Pattern[str] | None = None
        self._search_text = ""
        self._regex = False
        self._case_sensitive = False
        self._search_generation = 0
        self._x_offset = 0
        self._max_body_cells = 0
        self._seen_version = -1
        self._seen_epoch = buffer.epoch

        self._stream_count = -1
        self.visible_labels: list[str] = []
        """Label names shown in every row: the labels whose values differ between streams."""
        self.indexed_labels: frozenset[str] | None = None
        """Label names Loki indexes; other labels (parsed) get no column. None: all may."""
        self._row_format = RowFormat(utc, False, (), ())
        self._label_columns: tuple[tuple[str, ...], tuple[int, ...]] = ((), ())
        """Label columns that differ between streams, before fitting them to the width."""
        self._format_generation = 0
        self._styles: RowStyles | None = None
        self._widget_styles: tuple[Style, Style, Style] | None = None

        self._strips: OrderedDict[Hashable, Strip] = OrderedDict()
        self._wrapped: OrderedDict[Hashable, list[Strip]] = OrderedDict()
        self._wrap_layout_key: Hashable = None
        self._wrap_layout: list[tuple[int, int]] = []
        self._bottom_top = 0
        self._ready = False

    # Public API.

    @property
    def cursor_row(self) -> int | None:
        """Buffer row id of the entry under the cursor, or None when the view is empty."""
        return self._cursor_id

    @property
    def cursor_index(self) -> int | None:
        """Position of the cursor among the visible rows, or None when the view is empty."""
        return self._cursor_index

    @property
    def row_count(self) -> int:
        """Number of entries passing the level filter."""
        return len(self._rows)

    @property
    def search_pattern(self) -> re.Pattern[str] | None:
        """Compiled search pattern, or None when no search is active."""
        return self._pattern

    @property
    def x_offset(self) -> int:
        """Columns of the line hidden at the left by horizontal scrolling, in cells."""
        return self._x_offset

    def refresh_from_buffer(self) -> None:
        """Catch up with entries appended, prepended or evicted since the last call.

        Meant for a timer of a few hertz: it extends the visible rows
        incrementally, keeps the cursor and the top row on their entries,
        follows the newest entry in follow mode and counts new lines otherwise.
        """
        buffer = self.buffer
        if not self._ready:
            return
        if buffer.version == self._seen_version and buffer.epoch == self._seen_epoch:
            return

        top_id = self._top_row_id()
        before_end = self._rows.end_id
        cleared = buffer.epoch != self._seen_epoch
        if cleared:
            self._seen_epoch = buffer.epoch
            # A cleared buffer holds a new result: show it from the newest entry.
            self._cursor_id = None
            self._cursor_index = None
            self.new_lines = 0
            self._set_follow(True)
            top_id = None
            before_end = buffer.first_row_id
            self._clear_caches()

        self._rows.refresh()
        self._seen_version = buffer.version

        self._update_format(force=cleared)
        appended = len(self._rows) - self._rows.insertion_index(before_end)

        if self.follow:
            self._move_cursor_to_index(len(self._rows) - 1, post=True)
            self._update_virtual_size()
            self._scroll_to_end()
        else:
            self._locate_cursor()
            self._update_virtual_size()
            self._restore_top(top_id)
            if appended:
                self.new_lines += appended
                self.post_message(self.FollowChanged(self, self.follow, self.new_lines))

        self._wrap_layout_key = None
        self.refresh()

    def set_levels(self, levels: set[Level]) -> None:
        """Show only entries at these levels; the cursor stays on its entry or the next one."""
        self._rows.set_levels(set(levels))
        self._clear_caches()
        if not self._ready:
            return

        self._locate_cursor()
        self._update_virtual_size()
        if self.follow:
            self._move_cursor_to_index(len(self._rows) - 1, post=True)
            self._scroll_to_end()
        else:
            self._scroll_to_cursor()
        self.refresh()

    def set_search(self, pattern: str, regex: bool = False, case_sensitive: bool = False) -> bool:
        """Highlight `pattern` (text, or a regular expression) and move to its next match.

        Return False (and keep the previous search) when the regular
        expression is invalid; an empty pattern clears the search.
        """
        if not pattern:
            self._pattern = None
            self._search_text = ""
        else:
            flags = 0 if case_sensitive else re.IGNORECASE
            source = pattern if regex else re.escape(pattern)
            try:
                compiled = re.compile(source, flags)
            except re.error as error:
                self.notify(f"Invalid regular expression: {error}", severity="error", markup=False)
                return False
            self._pattern = compiled
            self._search_text = pattern
            self._regex = regex
            self._case_sensitive = case_sensitive

        self._search_generation += 1
        self._wrapped.clear()
        self._wrap_layout_key = None
        self.refresh()
        if self._pattern is not None:
            self._find_match(forward=True, include_cursor=True)
        return True

    def next_match(self, forward: bool = True) -> bool:
        """Move the cursor to the next (or previous) entry matching the search."""
        return self._find_match(forward=forward, include_cursor=False)

    def next_level(self, levels: set[Level] | frozenset[Level], forward: bool = True) -> bool:
        """Move the cursor to the next (or previous) visible entry at one of `levels`."""
        self.refresh_from_buffer()
        buffer = self.buffer
        names = "/".join(level.label for level in sorted(levels))
        targets = set(levels) & self._rows.levels
        count = len(self._rows)
        if not targets:
            self.notify(f"The level filter hides {names} entries.", markup=False)
            return False
        if count == 0:
            return False

        if self._cursor_index is not None:
            from_row = self._rows.row_id(self._cursor_index) - buffer.first_row_id
        elif forward:
            from_row = -1
        else:
            from_row = len(buffer)

        found = buffer.find_level(from_row, targets, forward=forward)
        wrapped = False
        if found is None:
            # Continue from the other end, as less and vim do.
            wrapped = True
            found = buffer.find_level(-1 if forward else len(buffer), targets, forward=forward)
        index = None if found is None else self._rows.index_of(buffer.first_row_id + found)
        if index is None:
            self.notify(f"No {names} entry in this pane.", markup=False)
            return False
        if wrapped and index == self._cursor_index:
            self.notify(f"This is the only {names} entry.", markup=False)
            return True
        if wrapped:
            self.notify(_wrapped_note(forward), markup=False)

        self._set_follow(False)
        self._move_cursor_to_index(index, post=True)
        self._scroll_to_cursor(center=True)
        return True

    def select_row(self, row_id: int) -> bool:
        """Move the cursor to the entry with buffer row id `row_id`, centred; False when hidden."""
        self.refresh_from_buffer()
        index = self._rows.index_of(row_id)
        if index is None:
            return False

        self._set_follow(False)
        self._move_cursor_to_index(index, post=True)
        self._scroll_to_cursor(center=True)
        return True

    def toggle_prettify(self) -> None:
        """Switch JSON and logfmt lines between their text and message-first fields."""
        self.prettify = not self.prettify
        self._x_offset = 0
        self._clear_caches()
        self._update_virtual_size()
        self.refresh()

    def toggle_wrap(self) -> None:
        """Switch between one row per entry (scroll sideways) and wrapped entries."""
        self.wrap = not self.wrap
        self._x_offset = 0
        self._wrap_layout_key = None
        self._update_virtual_size()
        if self.follow:
            self._scroll_to_end()
        else:
            self._scroll_to_cursor()
        self.refresh()

    def toggle_utc(self) -> None:
        """Switch timestamps between UTC and local time."""
        self.utc = not self.utc
        self._update_format(force=True)
        self.refresh()

    # Actions (bound keys; each is also a command in the command palette).

    def action_cursor_down(self) -> None:
        """Move the cursor to the next entry."""
        self._move_by(1)

    def action_cursor_up(self) -> None:
        """Move the cursor to the previous entry."""
        self._move_by(-1)

    def action_cursor_page_down(self) -> None:
        """Move the cursor one screen down."""
        self._move_by(max(1, self._page_rows()))

    def action_cursor_page_up(self) -> None:
        """Move the cursor one screen up."""
        self._move_by(-max(1, self._page_rows()))

    def action_first(self) -> None:
        """Move the cursor to the first (oldest) entry."""
        self._set_follow(False)
        self._move_cursor_to_index(0, post=True)
        self._scroll_to_cursor()

    def action_last(self) -> None:
        """Move the cursor to the newest entry and follow new entries."""
        self._set_follow(True)
        self._move_cursor_to_index(len(self._rows) - 1, post=True)
        self._scroll_to_end()

    def action_toggle_follow(self) -> None:
        """Follow new entries, or stop following."""
        self._set_follow(not self.follow)
        if self.follow:
            self._move_cursor_to_index(len(self._rows) - 1, post=True)
            self._scroll_to_end()

    def action_next_error(self) -> None:
        """Move to the next error or critical entry."""
        self.next_level(ERROR_LEVELS, forward=True)

    def action_previous_error(self) -> None:
        """Move to the previous error or critical entry."""
        self.next_level(ERROR_LEVELS, forward=False)

    def action_next_warning(self) -> None:
        """Move to the next warning."""
        self.next_level(WARNING_LEVELS, forward=True)

    def action_previous_warning(self) -> None:
        """Move to the previous warning."""
        self.next_level(WARNING_LEVELS, forward=False)

    def action_search(self) -> None:
        """Open the search input."""
        from tflog_tui.ui.screens.search import SearchRequest, SearchScreen

        def apply(request: SearchRequest | None) -> None:
            if request is not None:
                self.set_search(request.pattern, request.regex, request.case_sensitive)
            self.focus()

        screen = SearchScreen(
            self._search_text, regex=self._regex, case_sensitive=self._case_sensitive
        )
        self.app.push_screen(screen, apply)

    def action_next_match(self) -> None:
        """Move to the next entry matching the search."""
        self.next_match(forward=True)

    def action_previous_match(self) -> None:
        """Move to the previous entry matching the search."""
        self.next_match(forward=False)

    def action_select_entry(self) -> None:
        """Open the entry under the cursor (posts `EntrySelected`)."""
        if self._cursor_id is None:
            return
        row = self.buffer.row_of(self._cursor_id)
        if row is None:
            return
        entry = self.buffer.entry(row)
        self.post_message(self.EntrySelected(self, self._cursor_id, entry, self.buffer.level(row)))

    def action_toggle_wrap(self) -> None:
        """Wrap long lines, or show one row per entry."""
        self.toggle_wrap()

    def action_toggle_utc(self) -> None:
        """Show timestamps in UTC or in local time."""
        self.toggle_utc()

    def action_pan_left(self) -> None:
        """Scroll the lines left (when not wrapping)."""
        self._pan(-PAN_CELLS)

    def action_pan_right(self) -> None:
        """Scroll the lines right (when not wrapping)."""
        self._pan(PAN_CELLS)

    # Events.

    def on_mount(self) -> None:
        self._ready = True
        self.refresh_from_buffer()

    def on_resize(self) -> None:
        self._wrap_layout_key = None
        if self._ready:
            self._update_format()
        self._update_virtual_size()
        if self.follow:
            self._scroll_to_end()
        else:
            self._scroll_to_cursor()

    def notify_style_update(self) -> None:
        super().notify_style_update()
        self._styles = None
        self._widget_styles = None
        self._clear_caches()

    def on_mouse_scroll_up(self, event: events.MouseScrollUp) -> None:
        self._set_follow(False)

    def on_click(self, event: events.Click) -> None:
        index = self._index_at_y(event.y)
        if index is not None:
            self._set_follow(False)
            self._move_cursor_to_index(index, post=True)
            if event.chain == 2:
                self.action_select_entry()

    def watch_follow(self, follow: bool) -> None:
        if follow:
            self.new_lines = 0
        self.post_message(self.FollowChanged(self, follow, self.new_lines))
        self.refresh()

    # Cursor and scrolling.

    def _set_follow(self, follow: bool) -> None:
        if self.follow != follow:
            self.follow = follow

    def _page_rows(self) -> int:
        return self.scrollable_content_region.height

    def _move_by(self, delta: int) -> None:
        count = len(self._rows)
        if count == 0:
            return

        current = self._cursor_index if self._cursor_index is not None else count - 1
        target = max(0, min(count - 1, current + delta))
        if delta < 0 or target < count - 1:
            self._set_follow(False)
        self._move_cursor_to_index(target, post=True)
        self._scroll_to_cursor()

    def _move_cursor_to_index(self, index: int, *, post: bool) -> None:
        count = len(self._rows)
        old_id = self._cursor_id
        if count == 0:
            self._cursor_id = None
            self._cursor_index = None
        else:
            index = max(0, min(count - 1, index))
            self._cursor_index = index
            self._cursor_id = self._rows.row_id(index)

        if self._cursor_id != old_id:
            self._wrap_layout_key = None
            self._refresh_cursor_rows(old_id)
            if post:
                self.post_message(self.CursorMoved(self, self._cursor_id))

    def _refresh_cursor_rows(self, old_id: int | None) -> None:
        """Repaint the rows of the previous and the new cursor, the only rows a cursor move changes.

        Other rows keep their place on screen and their cached strips. In
        wrap mode an entry spans several screen rows, so the whole view is
        repainted there.
        """
        if self.wrap:
            self.refresh()
            return

        old_index = None if old_id is None else self._rows.index_of(old_id)
        for index in (old_index, self._cursor_index):
            if index is not None:
                self.refresh_lines(index)

    def _locate_cursor(self) -> None:
        """Find the cursor's entry among the visible rows again, or the next row after it."""
        count = len(self._rows)
        if count == 0:
            self._move_cursor_to_index(0, post=True)
            return
        if self._cursor_id is None:
            self._move_cursor_to_index(count - 1 if self.follow else 0, post=True)
            return

        index = self._rows.index_of(self._cursor_id)
        if index is None:
            index = min(self._rows.insertion_index(self._cursor_id), count - 1)
        self._cursor_index = index
        self._move_cursor_to_index(index, post=True)

    def _top_row_id(self) -> int | None:
        """Return the row id at the top of the screen, as of the last refresh."""
        count = len(self._rows)
        top = int(self.scroll_offset.y)
        if count == 0 or top >= count:
            return None
        return self._rows.row_id(top)

    def _restore_top(self, top_id: int | None) -> None:
        if top_id is None:
            return
        index = self._rows.insertion_index(top_id)
        self._scroll_to_y(index)

    def _scroll_to_y(self, y: int) -> None:
        """Scroll so that view row `y` is at the top, at once.

        Textual (8.x) scrolls a widget only once its scrollbar is shown, and
        the scrollbar appears at the next layout. Without `force`, the first
        scroll after a load grows the virtual size is dropped, so the view
        stayed at the oldest rows while the cursor was on the newest.
        """
        self.scroll_to(y=y, animate=False, immediate=True, force=True)

    def _scroll_to_end(self) -> None:
        if not self._ready:
            return
        self._scroll_to_y(self.max_scroll_y)

    def _scroll_to_cursor(self, center: bool = False) -> None:
        index = self._cursor_index
        if index is None or not self._ready:
            return

        height = max(1, self.scrollable_content_region.height)
        top = int(self.scroll_offset.y)
        if self.wrap:
            if index < top:
                target = index
            else:
                target = top
                if self._rows_between(top, index) > height:
                    target = self._top_for_bottom(index, height)
            self._scroll_to_y(min(target, self._bottom_top))
            return

        if center and not top <= index < top + height:
            target = index - height // 2
        elif index < top:
            target = index
        elif index >= top + height:
            target = index - height + 1
        else:
            return
        self._scroll_to_y(max(0, target))

    def _index_at_y(self, y: int) -> int | None:
        if self.wrap:
            layout = self._layout()
            if 0 <= y < len(layout):
                return layout[y][0]
            return None

        index = int(self.scroll_offset.y) + y
        return index if 0 <= index < len(self._rows) else None

    def _pan(self, delta: int) -> None:
        if self.wrap:
            return
        width = self.scrollable_content_region.width - self._row_format.prefix_cells
        limit = max(0, self._max_body_cells - max(1, width) + 1)
        self._x_offset = max(0, min(limit, self._x_offset + delta))
        self.refresh()

    def _lines_at(self, start: int, stop: int) -> list[str]:
        """Return the lines at view positions [start, stop); the view must be refreshed."""
        buffer = self.buffer
        first_id = buffer.first_row_id
        if not self._rows.is_filtered:
            offset = self._rows.row_id(0) - first_id
            return buffer.lines_range(offset + start, offset + stop)

        row_id = self._rows.row_id
        line = buffer.line
        return [line(row_id(index) - first_id) for index in range(start, stop)]

    def _find_match(self, *, forward: bool, include_cursor: bool) -> bool:
        pattern = self._pattern
        if pattern is None:
            self.notify("No search yet: press / to search.", markup=False)
            return False

        self.refresh_from_buffer()
        count = len(self._rows)
        if count == 0:
            return False

        cursor = self._cursor_index if self._cursor_index is not None else 0
        step = 1 if forward else -1
        start = cursor if include_cursor else cursor + step
        literal = not self._regex
        found = find_match(pattern, self._lines_at, start, count, forward=forward, literal=literal)
        wrapped = False
        if found is None:
            # Continue from the other end, as less and vim do.
            wrapped = True
            other_end = 0 if forward else count - 1
            found = find_match(
                pattern, self._lines_at, other_end, count, forward=forward, literal=literal
            )
        if found is None:
            self.notify(f"No match for {self._search_text!r}.", markup=False)
            return False
        if wrapped and found == cursor and not include_cursor:
            self.notify(f"This is the only match for {self._search_text!r}.", markup=False)
        elif wrapped:
            self.notify(_wrapped_note(forward), markup=False)

        self._set_follow(False)
        self._move_cursor_to_index(found, post=True)
        self._scroll_to_cursor(center=True)
        return True

    # Layout and formatting.

    def _update_format(self, force: bool = False) -> None:
        buffer = self.buffer
        if force or buffer.stream_count != self._stream_count:
            self._stream_count = buffer.stream_count
            label_sets = list(
                {buffer.stream_key(stream)[0] for stream in range(buffer.stream_count)}
            )
            self._label_columns = label_columns(label_sets, PREFERRED_LABELS, self.indexed_labels)

        with_date = False
        if len(buffer):
            first = buffer.ts_ns(0)
            last = buffer.ts_ns(len(buffer) - 1)
            with_date = spans_days(first, last, utc=self.utc)

        names, cells = self._label_columns
        width = self.scrollable_content_region.width or self.size.width
        if width > 0:
            fixed = RowFormat(self.utc, with_date, (), ()).prefix_cells
            names, cells = fit_label_columns(names, cells, width, fixed)
        self.visible_labels = list(names)

        row_format = RowFormat(self.utc, with_date, names, cells)
        if row_format != self._row_format:
            self._row_format = row_format
            self._format_generation += 1
            self._clear_caches()

    def _update_virtual_size(self) -> None:
        width = self.scrollable_content_region.width or self.size.width
        height = self.scrollable_content_region.height
        count = len(self._rows)
        if self.wrap:
            self._bottom_top = self._top_for_bottom(count - 1, height) if count else 0
            size = Size(width, self._bottom_top + height)
        else:
            size = Size(width, count)
        if size == self.virtual_size:
            return

        # A new virtual size normally lays out the whole screen again. While
        # the scrollbar stays shown and the width stays the same (rows
        # arriving at the bottom in follow mode), the layout cannot change,
        # so only the scrollbar is updated.
        # NOTE: `_scroll_update` is private Textual API (checked on 8.x); it
        # is what Textual runs itself when a size changes without a layout.
        old = self.virtual_size
        keeps_scrollbar = (
            self.show_vertical_scrollbar
            and size.width == old.width
            and size.height > self.container_size.height
        )
        if keeps_scrollbar:
            self.set_reactive(LogView.virtual_size, size)
            self._scroll_update(size)
        else:
            self.virtual_size = size

    def _rows_between(self, first: int, last: int) -> int:
        """Count wrapped rows of entries `first`..`last` (inclusive), stopping past a screen."""
        limit = self.scrollable_content_region.height + 1
        total = 0
        for index in range(first, last + 1):
            total += len(self._wrapped_rows(index))
            if total > limit:
                break
        return total

    def _top_for_bottom(self, last: int, height: int) -> int:
        """Return the first entry to show so that entry `last` ends at the bottom (wrap mode)."""
        if last < 0:
            return 0
        used = 0
        index = last
        while index >= 0:
            used += len(self._wrapped_rows(index))
            if used > height:
                return min(last, index + 1)
            index -= 1
        return 0

    def _layout(self) -> list[tuple[int, int]]:
        """Map each screen row to (entry index, wrapped row of that entry), in wrap mode.

        NOTE: scrolling moves by whole entries, so an entry wrapped into more
        rows than the screen has shows only its first screenful here; the
        detail screen shows all of it.
        """
        height = self.scrollable_content_region.height
        top = int(self.scroll_offset.y)
        key = (top, height, self.scrollable_content_region.width, len(self._rows))
        if key == self._wrap_layout_key:
            return self._wrap_layout

        layout: list[tuple[int, int]] = []
        index = top
        count = len(self._rows)
        while len(layout) < height and index < count:
            rows = len(self._wrapped_rows(index))
            layout.extend((index, sub) for sub in range(rows))
            index += 1
        del layout[height:]

        # Near the end the entries from `top` may not fill the screen: show
        # the last screenful of rows instead, the first entry cut at the top,
        # so no row is left blank below the newest entry.
        index = top - 1
        while len(layout) < height and index >= 0:
            rows = len(self._wrapped_rows(index))
            layout[:0] = [(index, sub) for sub in range(rows)]
            index -= 1
        del layout[: max(0, len(layout) - height)]
        self._wrap_layout = layout
        self._wrap_layout_key = key
        return layout

    def _clear_caches(self) -> None:
        self._strips.clear()
        self._wrapped.clear()
        self._wrap_layout_key = None

    # Rendering.

    def _row_styles(self) -> RowStyles:
        if self._styles is None:
            self._styles = RowStyles(
                timestamp=self.get_component_rich_style("log-view--timestamp", partial=True),
                labels=self.get_component_rich_style("log-view--labels", partial=True),
                marker=self.get_component_rich_style("log-view--marker", partial=True),
                match=self.get_component_rich_style("log-view--match", partial=True),
            )
        return self._styles

    def _body(self, row: int) -> LineBody:
        line = self.buffer.line(row)
        if self.prettify:
            line = prettify_line(line) or line
        return build_body(line, self._pattern, self._row_styles())

    def _prefix(self, row: int) -> list[Segment]:
        buffer = self.buffer
        return build_prefix(
            buffer.ts_ns(row),
            buffer.level(row),
            buffer.labels(row),
            self._row_format,
            self._row_styles(),
        )

    def _wrap_below(self) -> bool:
        """Tell whether wrapped messages start on the row below the prefix (narrow screens)."""
        room = self.scrollable_content_region.width - self._row_format.prefix_cells
        return room < WRAP_MIN_CELLS

    def _wrapped_rows(self, index: int) -> list[Strip]:
        """Return the wrapped rows of the entry at view position `index` (cached).

        Normally each row holds the message from the end of the prefix to
        the right edge. When that leaves fewer than `WRAP_MIN_CELLS` cells,
        the first row is empty (the prefix alone) and the message follows
        at the full width, indented by `WRAP_INDENT` cells.
        """
        row_id = self._rows.row_id(index)
        below = self._wrap_below()
        full = self.scrollable_content_region.width
        if below:
            width = max(8, full - WRAP_INDENT)
        else:
            width = max(8, full - self._row_format.prefix_cells)
        key = (row_id, width, below, self._search_generation)
        cached = self._wrapped.get(key)
        if cached is not None:
            self._wrapped.move_to_end(key)
            return cached

        row = self.buffer.row_of(row_id)
        if row is None:
            return [Strip([])]

        rows = self._body(row).wrapped_rows(width, self._row_styles())
        if below:
            rows = [Strip([]), *rows]
        self._wrapped[key] = rows
        if len(self._wrapped) > WRAPPED_CACHE_SIZE:
            self._wrapped.popitem(last=False)
        return rows

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        height = self.scrollable_content_region.height

        if self.wrap:
            layout = self._layout()
            strip = self._wrapped_line(layout[y], width) if y < len(layout) else None
        else:
            index = int(self.scroll_offset.y) + y
            strip = self._single_line(index, width) if index < len(self._rows) else None

        if strip is None and y == 0 and len(self._rows) == 0:
            strip = self._empty_message(width)
        if strip is None:
            strip = Strip.blank(width, self._own_styles()[0])
        if y == height - 1 and not self.follow and self.new_lines:
            strip = self._with_new_lines_badge(strip, width)
        return strip

    def _compose_row(
        self,
        prefix: list[Segment],
        body: list[Segment],
        body_cells: int,
        body_start: int,
        width: int,
        is_cursor: bool,
        prefix_cells: int | None = None,
    ) -> Strip:
        """Join a prefix and the visible part of a body into one styled strip `width` cells wide.

        `body_cells` is the width of `body` and `body_start` the first cell
        shown. The row is cut and padded as a list of segments, so drawing
        a row builds one `Strip` (each builds several caches) instead of one
        per step, which was most of the cost of drawing a row.
        """
        base, cursor, _new_lines = self._own_styles()
        style = base + cursor if is_cursor else base
        if prefix_cells is None:
            prefix_cells = self._row_format.prefix_cells
        if prefix_cells >= width:
            narrow = Strip(prefix, prefix_cells).crop_extend(0, width, None)
            return Strip(Segment.apply_style(list(narrow), style), width)

        room = width - prefix_cells
        visible = crop_segments(body, body_cells, body_start, room)
        segments = Segment.apply_style([*prefix, *visible], style)
        return Strip(segments, width)

    def _single_line(self, index: int, width: int) -> Strip | None:
        row_id = self._rows.row_id(index)
        row = self.buffer.row_of(row_id)
        if row is None:
            return None

        is_cursor = row_id == self._cursor_id
        key = (
            row_id,
            width,
            self._x_offset,
            self._search_generation,
            self._format_generation,
            is_cursor,
        )
        cached = self._strips.get(key)
        if cached is not None:
            self._strips.move_to_end(key)
            return cached

        body = self._body(row).single_row_segments(self._row_styles())
        body_cells = Segment.get_line_length(body)
        self._max_body_cells = max(self._max_body_cells, body_cells)
        strip = self._compose_row(
            self._prefix(row), body, body_cells, self._x_offset, width, is_cursor
        )

        self._strips[key] = strip
        if len(self._strips) > STRIP_CACHE_SIZE:
            self._strips.popitem(last=False)
        return strip

    def _wrapped_line(self, place: tuple[int, int], width: int) -> Strip | None:
        index, sub = place
        row = self.buffer.row_of(self._rows.row_id(index))
        if row is None:
            return None

        rows = self._wrapped_rows(index)
        prefix_cells = self._row_format.prefix_cells
        if sub == 0:
            prefix = self._prefix(row)
        else:
            if self._wrap_below():
                prefix_cells = WRAP_INDENT
            prefix = [Segment(" " * prefix_cells)]
        body = rows[sub]
        is_cursor = index == self._cursor_index
        return self._compose_row(
            prefix, list(body), body.cell_length, 0, width, is_cursor, prefix_cells
        )

    def _own_styles(self) -> tuple[Style, Style, Style]:
        """Return the widget's base, cursor and new-lines badge styles, read once per theme."""
        if self._widget_styles is None:
            self._widget_styles = (
                self.rich_style,
                self.get_component_rich_style("log-view--cursor", partial=True),
                self.get_component_rich_style("log-view--new-lines", partial=True),
            )
        return self._widget_styles

    def _empty_message(self, width: int) -> Strip:
        """Say why no row is drawn: no entries yet, or all hidden by the level filter."""
        if len(self.buffer):
            text = " All entries are hidden by the level filter."
        else:
            text = " No entries."
        base, _cursor, _new_lines = self._own_styles()
        marker = self._row_styles().marker
        return Strip([Segment(text, base + marker)]).crop_extend(0, width, base)

    def _with_new_lines_badge(self, strip: Strip, width: int) -> Strip:
        label = new_lines_label(self.new_lines)
        base, _cursor, new_lines = self._own_styles()
        style = base + new_lines
        cells = min(width, len(label))
        left = strip.crop(0, width - cells)
        badge = Strip([Segment(label[:cells], style)], cells)
        return Strip.join([left, badge])
