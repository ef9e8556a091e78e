"""One pane: a query, its range, its mode (range result or live tail), buffer and filters."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, ClassVar, Literal

from rich.markup import escape
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.css.query import NoMatches
from textual.widgets import Static, TabbedContent, TabPane
from textual.worker import Worker

from tflog_tui.buffer import PaneBuffer
from tflog_tui.buffer.levels import Level
from tflog_tui.buffer.safe_text import display_text
from tflog_tui.grafana import expand_variables
from tflog_tui.loki.errors import LokiError
from tflog_tui.loki.models import Entry, Labels
from tflog_tui.loki.tail import TailDropped, TailEntries, TailState
from tflog_tui.times import is_relative_time, resolve_time
from tflog_tui.ui.messages import ServerStatus
from tflog_tui.ui.pane_query import title_for_query
from tflog_tui.ui.stream_labels import indexed_label_names
from tflog_tui.ui.widgets.level_bar import LevelBar
from tflog_tui.ui.widgets.log_view import LogView
from tflog_tui.ui.widgets.query_bar import QueryBar
from tflog_tui.ui.widgets.status_line import PaneStatus, fault_summary

if TYPE_CHECKING:
    from tflog_tui.loki import LokiClient

logger = logging.getLogger(__name__)

Mode = Literal["range", "tail"]

CONTEXT_LINES = 100
"""Entries fetched on each side of the entry a context pane is built around."""

CONTEXT_WINDOW_NS = 24 * 3600 * 1_000_000_000
"""How far (nanoseconds) a context pane looks before and after its entry."""

ERROR_LEVELS = frozenset({Level.CRITICAL, Level.ERROR})
"""The levels `toggle_only_errors` shows."""

TAIL_REPLAY_LIMIT = 1000
"""Entries Loki replays when a tail starts (its `limit` parameter)."""


def _moment(ts_ns: int, utc: bool) -> datetime:
    moment = datetime.fromtimestamp(ts_ns // 1_000_000_000, tz=UTC)
    return moment if utc else moment.astimezone()


def is_today(ts_ns: int, now_ns: int, *, utc: bool) -> bool:
    """Tell whether `ts_ns` falls on the day of `now_ns` (nanoseconds), in the shown time zone."""
    return _moment(ts_ns, utc).date() == _moment(now_ns, utc).date()


def context_title(ts_ns: int, now_ns: int, *, utc: bool) -> str:
    """Title a context pane by its entry's time: `context 21:46:30`, or `context 12-03 21:46`
    when the entry is not from today."""
    moment = _moment(ts_ns, utc)
    if is_today(ts_ns, now_ns, utc=utc):
        return f"context {moment:%H:%M:%S}"
    return f"context {moment:%m-%d %H:%M}"


def context_when(ts_ns: int, now_ns: int, *, utc: bool) -> str:
    """Give an entry's time for the status line: `21:46:30`, with the date when not today."""
    moment = _moment(ts_ns, utc)
    if is_today(ts_ns, now_ns, utc=utc):
        return f"{moment:%H:%M:%S}"
    return f"{moment:%Y-%m-%d %H:%M:%S}"


def describe_time(text: str, *, utc: bool = True) -> str:
    """Show an absolute time (RFC 3339 or epoch milliseconds) as RFC 3339 to the second,
    in UTC (`2026-12-04T18:00:00Z`) or with the local offset; keep relative times as given."""
    if is_relative_time(text):
        return text
    try:
        ts_ns = resolve_time(text, 0)
    except ValueError:
        return text
    moment = _moment(ts_ns, utc)
    if utc:
        return f"{moment:%Y-%m-%dT%H:%M:%S}Z"
    offset = moment.strftime("%z")
    return f"{moment:%Y-%m-%dT%H:%M:%S}{offset[:3]}:{offset[3:]}"


def describe_range(range_from: str, range_to: str, *, utc: bool = True) -> str:
    """Describe a range for people: `last 1h` for `now-1h`..`now`, else `from … to …`
    with absolute ends as RFC 3339 (UTC unless `utc` is False)."""
    if range_to == "now" and range_from.startswith("now-"):
        return f"last {range_from[4:]}"
    return f"{describe_time(range_from, utc=utc)} to {describe_time(range_to, utc=utc)}"


REFUSED_MARKERS = ("refused", "errno 111", "connect call failed", "errno 61")
"""Words in a connect failure that mean nothing listens at the address."""


def server_address(server: str) -> str:
    """Return `host:port` of a Loki URL (`http://127.0.0.1:3100/` gives `127.0.0.1:3100`)."""
    address = server.split("://", 1)[-1]
    return address.split("/", 1)[0] or server


def tail_retry_text(attempt: int, reason: str, server: str) -> str:
    """Say in one short line that the tail reconnects (try `attempt`), why, and how to stop it."""
    address = server_address(server)
    lowered = reason.lower()
    if any(marker in lowered for marker in REFUSED_MARKERS):
        why = f"Loki at {address} refused the connection"
    elif "timed out" in lowered or "timeout" in lowered:
        why = f"Loki at {address} did not answer in time"
    elif "name or service not known" in lowered or "nodename nor servname" in lowered:
        why = f"the name of Loki's host ({address}) does not resolve"
    elif reason:
        why = display_text(reason.removeprefix("cannot connect the tail: "))
        if len(why) > 60:
            why = why[:59] + "…"
    else:
        why = f"lost the connection to Loki at {address}"
    return f"tail reconnecting ({attempt}): {why}; t stops"


def failure_text(message: str, mode: Mode) -> str:
    """Say that the pane's query (or tail) failed, why (`message`), and what to try."""
    subject = "The tail" if mode == "tail" else "The query"
    return (
        f"{subject} failed: {display_text(message, max_chars=2000)}\n"
        "Press R to run it again, : to edit the query, r to pick another range."
    )


@dataclass
class PaneState:
    """Everything a pane keeps, apart from its widgets.

    The state outlives the widgets: moving a pane to the other side of the
    split builds new widgets over the same state, so the buffer (and what it
    shows) is kept.
    """

    query: str
    title: str
    range_from: str
    range_to: str
    limit: int
    buffer: PaneBuffer
    levels: set[Level] = field(default_factory=lambda: set(Level))
    mode: Mode = "range"
    context_ns: int | None = None
    dropped: int = 0
    loaded: bool = False
    indexed_labels: frozenset[str] | None = None
    """Label names Loki indexes in the range; None until listed, or when all labels are."""

    @property
    def capacity(self) -> int:
        """The maximum number of entries the buffer stores before it evicts the oldest."""
        return self.buffer.capacity


class Pane(TabPane):
    """Show one query: run it as a range query or tail it, and filter what it shows.

    Workers append to the buffer and set a flag. The app's timer calls
    `tick()` about ten times a second to refresh the view, so the view never
    redraws once per entry.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "escape", "Cancel", show=False),
    ]

    DEFAULT_CSS = """
    Pane #pane-message {
        height: auto;
        max-height: 8;
        padding: 0 1;
        color: $text-error;
        background: $error-muted;
    }
    """

    def __init__(
        self,
        state: PaneState,
        client: LokiClient,
        *,
        clock: Callable[[], int],
        utc: bool = False,
        id: str | None = None,
    ) -> None:
        super().__init__(state.title, id=id)
        self.state = state
        self.client = client
        self.clock = clock
        self.utc = utc
        self.activity = ""
        self.activity_style = ""
        self.pages = 0
        self.fetched = 0
        self.last_error: str | None = None
        self.rows_from: Literal["range", "tail", "context"] = "range"
        """What loaded the rows shown: a range query, a tail or a context query."""
        self._dirty = True
        self._worker: Worker[None] | None = None
        self._started_at = 0.0
        self._boundary_keys: set[tuple[int, Labels, str]] = set()
        self._boundary_ns: int | None = None
        self._select_row_id: int | None = None
        """Row id of the entry a context pane is built around, selected at the next tick."""

    # --- widgets ---------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield QueryBar(self.state.query)
        yield LevelBar()
        message = Static("", id="pane-message", markup=False)
        message.display = False
        yield message
        yield LogView(self.state.buffer, utc=self.utc, id="log")

    @property
    def query_bar(self) -> QueryBar:
        """The pane's query bar."""
        return self.query_one(QueryBar)

    @property
    def message(self) -> Static:
        """The message above the log explaining why the pane shows no entries (hidden otherwise)."""
        return self.query_one("#pane-message", Static)

    def show_message(self, text: str | None) -> None:
        """Show `text` (plain, display-safe text) above the log, or hide it when None."""
        widget = self.message
        if text is None:
            widget.display = False
            return
        widget.update(text)
        widget.display = True

    @property
    def level_bar(self) -> LevelBar:
        """The pane's level filter bar."""
        return self.query_one(LevelBar)

    @property
    def log_view(self) -> LogView:
        """The pane's log view."""
        return self.query_one(LogView)

    def on_mount(self) -> None:
        """Restore filters and start loading (or resume the tail)."""
        self.log_view.indexed_labels = self.state.indexed_labels
        if self.state.levels != set(Level):
            self.log_view.set_levels(set(self.state.levels))

        if self.state.loaded and self.state.mode == "range":
            self._dirty = True
            return
        if not self.query_bar.check(self.state.query):
            self.state.mode = "range"
            self._set_activity("not sent: the query has a syntax error", "bold red")
            return

        if self.state.mode == "tail":
            self.start_tail()
        else:
            self.run_query()
        self._dirty = True

    @property
    def view_utc(self) -> bool:
        """Whether the log view shows times in UTC (else local time)."""
        try:
            return self.log_view.utc
        except NoMatches:
            return self.utc

    def focus_log(self) -> None:
        """Move the keyboard focus to the log view."""
        self.log_view.focus()

    def tick(self) -> None:
        """Refresh the view and the level counts when entries arrived since the last tick."""
        if not self._dirty:
            return
        self._dirty = False
        self.log_view.refresh_from_buffer()
        if self._select_row_id is not None:
            self.log_view.select_row(self._select_row_id)
            self._select_row_id = None
        self.level_bar.update_levels(self.state.levels, self.state.buffer.level_counts())

    def mark_dirty(self) -> None:
        """Ask the next tick to refresh the view."""
        self._dirty = True

    def status(self) -> PaneStatus:
        """Describe the pane for the status line."""
        buffer = self.state.buffer
        return PaneStatus(
            activity=self.activity,
            activity_style=self.activity_style,
            running=self.running,
            pages=self.pages,
            fetched=self.fetched,
            lines=len(buffer),
            capacity=self.state.capacity,
            limit=self.state.limit if self.rows_from == "range" else 0,
            evicted=buffer.evicted,
            dropped=self.state.dropped,
            follow=self.log_view.follow,
            new_lines=self.log_view.new_lines,
        )

    @property
    def running(self) -> bool:
        """Whether a range query or a tail is running."""
        return self._worker is not None and self._worker.is_running

    def _set_activity(self, text: str, style: str = "") -> None:
        self.activity = text
        self.activity_style = style

    # --- range query -----------------------------------------------------

    def resolve_range(self) -> tuple[int, int]:
        """Return the pane's range as (start, end) nanoseconds since the epoch; end exclusive."""
        now_ns = self.clock()
        start_ns = resolve_time(self.state.range_from, now_ns)
        end_ns = resolve_time(self.state.range_to, now_ns, round_up=True)
        return start_ns, end_ns

    def run_query(self) -> None:
        """Stop what runs and load the pane again: a range query, or the context of an entry."""
        self.stop(quiet=True)
        self.state.mode = "range"
        self.rows_from = "range" if self.state.context_ns is None else "context"
        self.pages = 0
        self.fetched = 0
        self.last_error = None
        self.show_message(None)
        self._started_at = time.monotonic()
        if self.state.context_ns is not None:
            coroutine = self._load_context(self.state.context_ns)
        else:
            coroutine = self._load_range()
        self._worker = self.run_worker(coroutine, group="load", exclusive=True, exit_on_error=False)

    def _on_progress(self, progress: Any) -> None:
        self.pages = int(getattr(progress, "pages", self.pages))
        self.fetched = int(getattr(progress, "entries", self.fetched))

    async def _load_range(self) -> None:
        """Run the pane's range query backward, prepending each page to the buffer.

        The old rows stay until the first page arrives, so a failing server
        never empties a pane that showed something.
        """
        query = self.state.query
        try:
            start_ns, end_ns = self.resolve_range()
        except ValueError as error:
            self._fail(f"Invalid range: {error}", error)
            return

        label = describe_range(self.state.range_from, self.state.range_to, utc=self.view_utc)
        self._set_activity(f"querying {label}…", "bold yellow")
        await self._list_indexed_labels()
        logger.info(
            "range query %s from %d to %d, limit %d", query, start_ns, end_ns, self.state.limit
        )

        fresh = True
        try:
            async for batch in self.client.query_range(
                query,
                start_ns=start_ns,
                end_ns=end_ns,
                direction="backward",
                limit=self.state.limit,
                progress=self._on_progress,
            ):
                if fresh:
                    self.state.buffer.clear()
                    fresh = False
                self.state.buffer.prepend(batch)
                self._dirty = True
        except asyncio.CancelledError:
            self._set_activity("query cancelled", "yellow")
            self.state.loaded = True
            self._dirty = True
            raise
        except LokiError as error:
            self._fail(str(error), error)
            return
        except Exception as error:
            logger.exception("range query failed: %s", query)
            self._fail(f"The range query failed: {error!r}. Details are in the log file.", error)
            return

        if fresh:
            self.state.buffer.clear()
        self.state.loaded = True
        self._dirty = True
        elapsed = time.monotonic() - self._started_at
        took = f" in {elapsed:.1f} s" if elapsed >= 1.0 else ""
        if len(self.state.buffer) >= self.state.limit:
            self._set_activity(f"{label}: limit reached{took}, + for more", "yellow")
        else:
            self._set_activity(f"{label}: done{took}", "green")
        self.post_message(ServerStatus(ok=True))

    async def _load_context(self, anchor_ns: int) -> None:
        """Load the entries just before and after `anchor_ns` in the pane's stream."""
        query = self.state.query
        self._set_activity("loading context…", "bold yellow")
        await self._list_indexed_labels()
        self.state.buffer.clear()
        self._dirty = True
        try:
            async for batch in self.client.query_range(
                query,
                start_ns=anchor_ns - CONTEXT_WINDOW_NS,
                end_ns=anchor_ns + 1,
                direction="backward",
                limit=CONTEXT_LINES,
                progress=self._on_progress,
            ):
                self.state.buffer.prepend(batch)
                self._dirty = True
            before = len(self.state.buffer)
            async for batch in self.client.query_range(
                query,
                start_ns=anchor_ns + 1,
                end_ns=anchor_ns + CONTEXT_WINDOW_NS,
                direction="forward",
                limit=CONTEXT_LINES,
                progress=self._on_progress,
            ):
                self.state.buffer.append(batch)
                self._dirty = True
        except asyncio.CancelledError:
            self._set_activity("context cancelled", "yellow")
            raise
        except LokiError as error:
            self._fail(str(error), error)
            return
        except Exception as error:
            logger.exception("context query failed: %s", query)
            self._fail(f"The context query failed: {error!r}. Details are in the log file.", error)
            return

        self.state.loaded = True
        if before:
            self._select_row_id = self.state.buffer.row_id(before - 1)
            self._dirty = True
        when = context_when(anchor_ns, self.clock(), utc=self.view_utc)
        self._set_activity(
            f"context around {when}: {CONTEXT_LINES} entries each side at most", "green"
        )
        self.post_message(ServerStatus(ok=True))

    async def _list_indexed_labels(self) -> None:
        """List the label names Loki indexes in the range, so parsed labels get no column."""
        try:
            start_ns, end_ns = self.resolve_range()
        except ValueError:
            return
        range_key = (self.state.range_from, self.state.range_to)
        names = await indexed_label_names(self.client, range_key, start_ns, end_ns)
        self.state.indexed_labels = names
        self.log_view.indexed_labels = names

    def _fail(self, message: str, error: BaseException) -> None:
        """Show `message` (plain text) as an error notification and in the status line."""
        logger.error("%s: %s", self.state.title, message)
        self.last_error = message
        self._set_activity(
            "failed (previous rows kept)" if len(self.state.buffer) else "failed", "bold red"
        )
        self._dirty = True
        if not len(self.state.buffer):
            self.show_message(failure_text(message, self.state.mode))
        if isinstance(error, LokiError):
            self.post_message(ServerStatus(ok=False, text=message, short=fault_summary(error)))
        else:
            self.app.notify(escape(message), title="Query failed", severity="error", timeout=12)

    # --- tail ------------------------------------------------------------

    def start_tail(self) -> None:
        """Tail the pane's query from the newest entry held, so no entry shows twice."""
        self.stop(quiet=True)
        self.state.mode = "tail"
        self.rows_from = "tail"
        self.pages = 0
        self.fetched = 0
        self.last_error = None
        self.show_message(None)
        self._worker = self.run_worker(
            self._tail(), group="load", exclusive=True, exit_on_error=False
        )

    def _remember_boundary(self) -> int | None:
        """Store the keys of the newest entries held; return their timestamp (ns) or None."""
        buffer = self.state.buffer
        self._boundary_keys = set()
        self._boundary_ns = None
        if len(buffer) == 0:
            return None
        last_ns = max(buffer.ts_ns(row) for row in range(max(len(buffer) - 1000, 0), len(buffer)))
        row = len(buffer) - 1
        while row >= 0 and len(buffer) - row <= 5000:
            if buffer.ts_ns(row) == last_ns:
                self._boundary_keys.add(buffer.entry(row).key)
            row -= 1
        self._boundary_ns = last_ns
        return last_ns

    def _drop_replayed(self, entries: list[Entry]) -> list[Entry]:
        """Drop entries already held at the boundary timestamp the tail started from."""
        if self._boundary_ns is None:
            return entries
        kept = []
        for entry in entries:
            if entry.ts_ns < self._boundary_ns:
                continue
            if entry.ts_ns == self._boundary_ns and entry.key in self._boundary_keys:
                continue
            kept.append(entry)
        return kept

    async def _tail(self) -> None:
        """Tail the query, appending entries; the client reconnects and resumes by itself."""
        query = self.state.query
        start_ns = self._remember_boundary()
        self._set_activity("tail connecting", "bold yellow")
        await self._list_indexed_labels()
        logger.info("tail %s from %s", query, start_ns)
        try:
            async with self.client.tail(
                query, start_ns=start_ns, limit=TAIL_REPLAY_LIMIT
            ) as events:
                async for event in events:
                    self._on_tail_event(event)
        except asyncio.CancelledError:
            if not self.activity.startswith("tail stopped"):
                self._set_activity("tail stopped", "yellow")
            raise
        except LokiError as error:
            self._fail(str(error), error)
            self._set_activity("tail stopped: " + error.detail, "bold red")
            return
        except Exception as error:
            logger.exception("tail failed: %s", query)
            self._fail(f"The tail failed: {error!r}. Details are in the log file.", error)
            return
        if self.activity.startswith("tail") and "stopped" not in self.activity:
            self._set_activity("tail stopped: the server ended it", "yellow")

    def _on_tail_event(self, event: object) -> None:
        if isinstance(event, TailEntries):
            entries = self._drop_replayed(list(event.entries))
            if entries:
                self.state.buffer.append(entries)
                self.fetched += len(entries)
                self._dirty = True
        elif isinstance(event, TailDropped):
            self.state.dropped += event.count
            logger.warning("tail of %s dropped %d entries", self.state.query, event.count)
        elif isinstance(event, TailState):
            self._on_tail_state(event)

    def _on_tail_state(self, event: TailState) -> None:
        if event.state == "live":
            self._set_activity("tail live", "bold green")
            self.show_message(None)
            self.post_message(ServerStatus(ok=True))
        elif event.state == "connecting":
            self._set_activity("tail connecting", "bold yellow")
        elif event.state == "reconnecting":
            text = tail_retry_text(event.attempt, event.reason, self.client.server)
            self._set_activity(text, "bold yellow")
            if not len(self.state.buffer):
                self.show_message(text)
            logger.warning(
                "tail of %s reconnecting (%d): %s", self.state.query, event.attempt, event.reason
            )
        else:
            reason = event.reason or "stopped"
            if event.error is not None:
                self._fail(str(event.error), event.error)
            else:
                logger.warning("tail of %s stopped: %s", self.state.query, reason)
                self.app.notify(escape(f"The tail stopped: {reason}"), severity="warning")
            self._set_activity(f"tail stopped: {reason}", "bold red")

    # --- commands --------------------------------------------------------

    def stop(self, *, quiet: bool = False) -> bool:
        """Cancel the running range query or tail; return whether one was running."""
        worker = self._worker
        if worker is None or not worker.is_running:
            return False
        worker.cancel()
        if not quiet:
            self.app.notify("Stopped.", timeout=2)
        return True

    def toggle_tail(self) -> None:
        """Start a live tail, or stop the running one and keep its rows."""
        if self.state.mode == "tail" and self.running:
            self.stop(quiet=True)
            self.state.mode = "range"
            self._set_activity("tail stopped by you", "yellow")
            return
        self.start_tail()

    def set_query(self, query: str) -> None:
        """Replace the pane's query and run it again in the current mode."""
        self._replace_query(query)
        self.query_bar.set_query(query)
        self.rerun()

    def _replace_query(self, query: str) -> None:
        """Store `query`; a title derived from the old query follows the new one.

        A context pane given another query becomes a range pane over its range.
        """
        leaves_context = self.state.context_ns is not None and query != self.state.query
        if leaves_context or self.state.title == title_for_query(self.state.query):
            self.rename(title_for_query(query))
        if leaves_context:
            self.state.context_ns = None
            self._select_row_id = None
        self.state.query = query

    def rerun(self) -> None:
        """Run the pane's query again: a new range query, or a new tail in tail mode."""
        if self.state.mode == "tail":
            self.state.buffer.clear()
            self._dirty = True
            self.start_tail()
        else:
            self.run_query()

    def set_range(self, range_from: str, range_to: str) -> None:
        """Change the range and run the range query."""
        self.state.range_from = range_from
        self.state.range_to = range_to
        self.state.mode = "range"
        self.run_query()

    def raise_limit(self) -> int:
        """Double the line limit (up to the buffer capacity), re-run, and return the new limit."""
        capacity = self.state.capacity or self.state.limit * 2
        self.state.limit = min(self.state.limit * 2, capacity)
        self.state.mode = "range"
        self.run_query()
        return self.state.limit

    def toggle_level(self, level: Level) -> None:
        """Show or hide entries at `level` (client-side, instant)."""
        levels = self.state.levels
        if level in levels:
            levels.discard(level)
        else:
            levels.add(level)
        self.log_view.set_levels(set(levels))
        self.level_bar.update_levels(levels, self.state.buffer.level_counts())

    def toggle_only_errors(self) -> bool:
        """Show only critical and error entries, or every level again; True when only errors."""
        only_errors = self.state.levels != ERROR_LEVELS
        self.state.levels = set(ERROR_LEVELS) if only_errors else set(Level)
        self.log_view.set_levels(set(self.state.levels))
        self.level_bar.update_levels(self.state.levels, self.state.buffer.level_counts())
        return only_errors

    def show_all_levels(self) -> None:
        """Show entries at every level."""
        self.state.levels = set(Level)
        self.log_view.set_levels(set(Level))
        self.level_bar.update_levels(self.state.levels, self.state.buffer.level_counts())

    def level_source(self) -> str | None:
        """Tell where the newest entries carry `level`: label, metadata, json, logfmt or None."""
        buffer = self.state.buffer
        for row in range(len(buffer) - 1, max(len(buffer) - 50, 0) - 1, -1):
            if "level" in buffer.labels(row):
                return "label"
            if "level" in buffer.metadata(row) or "level" in buffer.parsed(row):
                return "metadata"
            line = buffer.line(row).lstrip()
            if line.startswith("{") and '"level"' in line:
                return "json"
            if "level=" in line:
                return "logfmt"
        return None

    @on(QueryBar.Submitted)
    def _on_query_submitted(self, event: QueryBar.Submitted) -> None:
        event.stop()
        self._replace_query(event.query)
        self.rerun()
        self.focus_log()

    @on(QueryBar.LinkSubmitted)
    def _on_link_submitted(self, event: QueryBar.LinkSubmitted) -> None:
        """Take the query and range of a pasted Explore link and run them."""
        event.stop()
        link = event.link
        now_ns = self.clock()
        try:
            start_ns = resolve_time(link.time_from, now_ns)
            end_ns = resolve_time(link.time_to, now_ns, round_up=True)
        except ValueError as error:
            self.query_bar.show_error(f"Invalid range in the Explore link: {error}")
            return

        query = expand_variables(link.expr, start_ns, end_ns)
        self.query_bar.set_query(query)
        if not self.query_bar.check(query):
            return
        self._replace_query(query)
        self.state.range_from = link.time_from
        self.state.range_to = link.time_to
        self.state.mode = "range"
        self.run_query()
        self.focus_log()

    def rename(self, title: str) -> None:
        """Change the pane's title and its tab label."""
        self.state.title = title
        try:
            tabs = self.query_ancestor(TabbedContent)
        except NoMatches:
            return
        tabs.get_tab(self).label = title

    @on(LevelBar.Toggled)
    def _on_level_toggled(self, event: LevelBar.Toggled) -> None:
        event.stop()
        self.toggle_level(event.level)

    def action_escape(self) -> None:
        """Leave the query bar; elsewhere, cancel a running range query."""
        if self.query_bar.input.has_focus:
            self.query_bar.set_query(self.state.query)
            self.focus_log()
            return
        if self.state.mode == "range" and self.stop(quiet=True):
            self.app.notify(
                "Range query cancelled; the entries received so far are kept.", timeout=3
            )
