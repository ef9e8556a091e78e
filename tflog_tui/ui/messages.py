"""Messages that cross the app: posted by one widget, handled by the app."""

from __future__ import annotations

from dataclasses import dataclass

from textual.message import Message


@dataclass
class OpenQuery(Message):
    """Request a pane for `query`; an open pane with the same query is focused instead.

    `title` is the tab label. `context_ns`, when set, makes the pane load the
    entries just before and after that timestamp (nanoseconds since the epoch)
    instead of running a range query.
    """

    query: str
    title: str
    context_ns: int | None = None


@dataclass
class ServerStatus(Message):
    """Report the outcome of the latest request to Loki, for the status line.

    `ok` is False when the request failed. Then `text` is the user message
    (plain text, never markup) and `short` is a few words for the status
    line (`unreachable`, `error 400`).
    """

    ok: bool
    text: str = ""
    short: str = "error"
