"""The status line: server, connection, tail state, query progress and pane size."""

from __future__ import annotations

from dataclasses import dataclass, field

from rich.text import Text
from textual.widget import Widget

from tflog_tui.loki.errors import (
    LokiConnectionError,
    LokiError,
    LokiTailClosedError,
    LokiTimeoutError,
    LokiTLSError,
)


@dataclass
class PaneStatus:
    """The state of the active pane, as the status line shows it.

    `activity` is the query or tail state as a short phrase ("querying",
    "live", "reconnecting 2", "stopped: reason"), and `activity_style` is a
    Rich style for it. Counts are entries. `limit` is the line limit of the
    range query the rows came from; 0 when they came from a tail or context.
    """

    activity: str = ""
    activity_style: str = ""
    running: bool = False
    pages: int = 0
    fetched: int = 0
    lines: int = 0
    capacity: int = 0
    limit: int = 0
    evicted: int = 0
    dropped: int = 0
    follow: bool = True
    new_lines: int = 0
    extra: list[str] = field(default_factory=list)


NEAR_CAPACITY = 0.8
"""Share of the pane's capacity above which the status line names the capacity."""


def fault_summary(error: LokiError) -> str:
    """Summarize a Loki error in a few words for the status line (`error 502`)."""
    if isinstance(error, LokiConnectionError):
        return "unreachable"
    if isinstance(error, LokiTimeoutError):
        return "timed out"
    if isinstance(error, LokiTLSError):
        return "TLS failed"
    if isinstance(error, LokiTailClosedError):
        return "tail closed"
    if error.status is not None:
        return f"error {error.status}"
    return "error"


def format_count(value: int) -> str:
    """Format a count with thousands separators (`12,345`)."""
    return f"{value:,}"


class StatusLine(Widget):
    """One row: the active pane's state on the left, the server on the right."""

    DEFAULT_CSS = """
    StatusLine {
        height: 1;
        width: 1fr;
    }
    """

    def __init__(self, server: str, short_server: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.server = server
        self.short_server = short_server
        self.connection = "connecting"
        self.connection_ok = True
        self.pane = PaneStatus()

    def set_connection(self, text: str, ok: bool) -> None:
        """Show the state of the connection to Loki (plain text)."""
        self.connection = text
        self.connection_ok = ok
        self.refresh()

    def set_pane(self, status: PaneStatus) -> None:
        """Show the state of the active pane."""
        self.pane = status
        self.refresh()

    def pane_text(self) -> Text:
        """Build the left part: activity, progress, line counts, drops and evictions."""
        status = self.pane
        text = Text(no_wrap=True, overflow="ellipsis")
        if status.activity:
            text.append(status.activity, style=status.activity_style or "bold")
        if not status.capacity:
            return text
        if status.running and status.pages:
            text.append(f"  {status.pages} pages, {format_count(status.fetched)} fetched")
        lines = f"{format_count(status.lines)} lines"
        if status.lines > status.capacity * NEAR_CAPACITY:
            capacity = format_count(status.capacity)
            lines += f" of {capacity} (oldest dropped beyond)"
        text.append(f"  {lines}")
        if status.limit:
            text.append(f" (limit {format_count(status.limit)})", style="dim")
        if not status.follow and status.new_lines:
            text.append(f"  {format_count(status.new_lines)} new, f follows", style="bold cyan")
        if status.dropped:
            text.append(f"  dropped {format_count(status.dropped)}", style="bold yellow")
        if status.evicted:
            text.append(f"  evicted {format_count(status.evicted)}", style="yellow")
        for item in status.extra:
            text.append(f"  {item}")
        return text

    def render(self) -> Text:
        """Render both parts, shortening the server name when the row is narrow."""
        left = self.pane_text()
        connection_style = "green" if self.connection_ok else "bold red"
        width = self.size.width

        for server in (self.server, self.short_server):
            right = Text(no_wrap=True)
            right.append(self.connection, style=connection_style)
            right.append(" · ")
            right.append(server, style="bold")
            if left.cell_len + right.cell_len + 2 <= width:
                break

        room = max(width - right.cell_len - 2, 0)
        if left.cell_len > room:
            left.truncate(room, overflow="ellipsis")
        gap = max(width - left.cell_len - right.cell_len, 1)
        line = Text(no_wrap=True, overflow="ellipsis")
        line.append_text(left)
        line.append(" " * gap)
        line.append_text(right)
        return line
