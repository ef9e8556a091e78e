"""A tiny app around one LogView over a pane buffer filled directly, for Pilot tests."""

from __future__ import annotations

from collections.abc import Iterable

from textual.app import App, ComposeResult
from textual.message import Message
from textual.strip import Strip

from tflog_tui.buffer import PaneBuffer
from tflog_tui.loki.models import Entry, LabelInterner, Labels
from tflog_tui.ui.screens.detail import DetailAction, DetailScreen
from tflog_tui.ui.widgets.log_view import LogView

BASE_NS = 1_796_385_600_000_000_000
"""2026-12-04T12:00:00Z, in nanoseconds since the epoch."""

SECOND_NS = 1_000_000_000

_interner = LabelInterner()


def labels(**pairs: str) -> Labels:
    """Return a shared label set."""
    return _interner.intern(pairs)


BILLING = labels(service_name="billing-sync", task_id="7f3a9c2e", hostname="web-1")
MAILER = labels(service_name="mailer", task_id="0badf00d", hostname="web-2")


def entries(lines: Iterable[str], stream: Labels = BILLING, start_ns: int = BASE_NS) -> list[Entry]:
    """Build one entry a second from `start_ns`, oldest first."""
    return [Entry(start_ns + index * SECOND_NS, line, stream) for index, line in enumerate(lines)]


def strip_text(strip: Strip) -> str:
    """Return the characters a strip draws."""
    return "".join(segment.text for segment in strip)


class LogViewApp(App[None]):
    """Show one LogView (UTC timestamps); open the detail screen on enter and keep its result."""

    CSS = "LogView { height: 1fr; }"

    def __init__(self, buffer: PaneBuffer, *, utc: bool = True) -> None:
        super().__init__()
        self.buffer = buffer
        self.utc = utc
        self.messages: list[Message] = []
        self.detail_results: list[DetailAction | None] = []

    def compose(self) -> ComposeResult:
        yield LogView(self.buffer, utc=self.utc, id="log")

    @property
    def log_view(self) -> LogView:
        """The log view under test."""
        return self.query_one(LogView)

    def on_log_view_entry_selected(self, message: LogView.EntrySelected) -> None:
        self.messages.append(message)
        screen = DetailScreen(message.entry, level=message.level, utc=True)
        self.push_screen(screen, self.detail_results.append)

    def on_log_view_cursor_moved(self, message: LogView.CursorMoved) -> None:
        self.messages.append(message)

    def on_log_view_follow_changed(self, message: LogView.FollowChanged) -> None:
        self.messages.append(message)

    def screen_lines(self) -> list[str]:
        """Return the text of every row of the log view as drawn now."""
        view = self.log_view
        height = view.scrollable_content_region.height
        return [strip_text(view.render_line(y)) for y in range(height)]
