"""The tflog app: sidebar, panes in tabs (optionally split), status line and footer."""

from __future__ import annotations

import contextlib
import logging
import time
from collections.abc import Callable, Iterable
from functools import partial
from typing import TYPE_CHECKING, Any, ClassVar, cast

from rich.markup import escape
from textual import events, on
from textual.app import App, ComposeResult, SystemCommand
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.css.query import NoMatches
from textual.screen import Screen
from textual.widgets import Footer, Static, TabbedContent

from tflog_tui.buffer import PaneBuffer
from tflog_tui.buffer.levels import Level
from tflog_tui.logql import (
    JsonParser,
    LogfmtParser,
    LogQLSyntaxError,
    Stage,
)
from tflog_tui.loki import LokiClient
from tflog_tui.loki.errors import redact_url
from tflog_tui.loki.models import Entry
from tflog_tui.ui import query_actions
from tflog_tui.ui.clipboard import copy_text
from tflog_tui.ui.messages import OpenQuery, ServerStatus
from tflog_tui.ui.pane_query import (
    add_label_filter,
    add_level_filter,
    add_line_filter,
    add_stream_matcher,
    covering_range,
    field_source,
    label_name,
    line_parser_for,
    selector_query,
    title_for_query,
)
from tflog_tui.ui.screens.detail import DetailAction, DetailScreen
from tflog_tui.ui.screens.help import HelpScreen
from tflog_tui.ui.screens.range_picker import RangePicker
from tflog_tui.ui.stream_labels import context_labels, indexed_label_names
from tflog_tui.ui.widgets.log_view import LogView
from tflog_tui.ui.widgets.pane import Pane, PaneState, context_title, describe_range
from tflog_tui.ui.widgets.sidebar import Sidebar
from tflog_tui.ui.widgets.status_line import PaneStatus, StatusLine

if TYPE_CHECKING:
    from tflog_tui.settings import AppSettings

logger = logging.getLogger(__name__)

REFRESH_INTERVAL_S = 0.1
"""How often (seconds) panes redraw after entries arrived."""

REPEAT_QUIET_S = 5.0
"""An error message equal to one notified this many seconds ago is not notified again."""

WELCOME = (
    "Pick a service or task in the sidebar and press enter,\n"
    "or press : to type a LogQL query.\n\n"
    "? shows every key; ctrl+p lists every command."
)


class TflogApp(App[None]):
    """Explore a Loki server: one pane per service, task or query.

    `clock` returns the current time in nanoseconds since the epoch; tests
    and screenshots pass a fixed one so ranges and times are stable.
    """

    CSS_PATH = "tflog.tcss"
    TITLE = "tflog"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s,ctrl+b", "toggle_sidebar", "Sidebar", show=False),
        Binding("colon,q", "focus_query", "Query"),
        Binding("r", "pick_range", "Range"),
        Binding("t", "toggle_tail", "Tail"),
        Binding("slash", "search", "Search", show=False),
        Binding("1", "toggle_level(1)", "Levels", key_display="1-7", show=False),
        Binding("2", "toggle_level(2)", "Toggle error", show=False),
        Binding("3", "toggle_level(3)", "Toggle warning", show=False),
        Binding("4", "toggle_level(4)", "Toggle info", show=False),
        Binding("5", "toggle_level(5)", "Toggle debug", show=False),
        Binding("6", "toggle_level(6)", "Toggle trace", show=False),
        Binding("7", "toggle_level(7)", "Toggle unknown", show=False),
        Binding("0", "all_levels", "All levels", show=False),
        Binding("exclamation_mark", "only_errors", "Only errors", show=False),
        Binding("p", "prettify", "Prettify", show=False),
        Binding("L", "push_levels", "Levels into query", show=False),
        Binding("plus", "raise_limit", "More lines", show=False),
        Binding("R", "rerun", "Re-run", show=False),
        Binding("x,ctrl+w", "close_pane", "Close", show=False),
        Binding("vertical_line,ctrl+backslash", "toggle_split", "Split", show=False),
        Binding("o", "other_side", "Other side", show=False),
        Binding("right_square_bracket", "next_pane", "Next pane", show=False),
        Binding("left_square_bracket", "previous_pane", "Previous pane", show=False),
        Binding("ctrl+r", "reload_sidebar", "Reload sidebar", show=False),
        Binding("b", "open_builder", "Builder"),
        Binding("y,Y", "copy_explore_link", "Copy Explore link", show=False),
        Binding("O", "open_link", "Open link", show=False),
        Binding("question_mark,f1", "help", "Help"),
    ]

    def __init__(
        self,
        settings: AppSettings,
        *,
        clock: Callable[[], int] | None = None,
    ) -> None:
        super().__init__()
        self.settings = settings
        self.clock: Callable[[], int] = clock or time.time_ns
        self.client = LokiClient(settings.loki)
        self.utc = settings.utc
        self._exit_stack = contextlib.AsyncExitStack()
        self._pane_counter = 0
        self._active_side = "left"
        self._last_status: PaneStatus | None = None
        self._errors_shown: dict[str, float] = {}
        """When (monotonic seconds) each error message was last notified."""

    # --- layout ----------------------------------------------------------

    def server_names(self) -> tuple[str, str]:
        """Return the server's description for the status line, long and short."""
        embedded = self.settings.embedded_url
        if embedded:
            address = redact_url(embedded)
            short = address.split("://", 1)[-1]
            return f"embedded demo server at {address}", f"demo {short}"
        address = redact_url(self.settings.loki.addr)
        return f"Loki at {address}", address.split("://", 1)[-1]

    def compose(self) -> ComposeResult:
        with Horizontal(id="body"):
            yield Sidebar(
                self.client,
                self.sidebar_range,
                self.clock,
                utc=self.utc,
                range_label=self.sidebar_range_label,
                id="sidebar",
            )
            with Horizontal(id="panes"):
                yield TabbedContent(id="left")
                yield TabbedContent(id="right")
                yield Static(WELCOME, id="welcome", markup=False)
        server, short = self.server_names()
        yield StatusLine(server, short, id="status")
        yield Footer(compact=True)

    async def on_mount(self) -> None:
        """Open the client, load the sidebar and open the pane for the query given."""
        self.group("right").display = False
        await self._exit_stack.enter_async_context(self.client)
        self.set_interval(REFRESH_INTERVAL_S, self._tick)

        if self.settings.embedded_url:
            server, _ = self.server_names()
            if self.settings.demo:
                reason = "--demo was given"
            else:
                reason = "No Loki address is configured"
            self.notify(
                f"{reason}, so tflog shows the {server} with generated demo data. "
                "Set --addr or LOKI_ADDR (without --demo) for a real Loki.",
                title="Demo data",
                timeout=8,
                markup=False,
            )

        self.sidebar.reload()
        if self.settings.query:
            query = self.settings.query
            await self.open_query(query, title_for_query(query), tail=self.settings.tail)
        else:
            self.sidebar.service_tree.focus()
        self._update_welcome()

    def on_resize(self, event: events.Resize) -> None:
        """Give the sidebar a quarter of the width, between 20 and 32 columns."""
        width = max(20, min(32, event.size.width // 4))
        self.sidebar.styles.width = width

    async def on_unmount(self) -> None:
        """Close the client's connections."""
        await self._exit_stack.aclose()

    @property
    def main_screen(self) -> Screen[Any]:
        """The screen holding the sidebar and panes, under any modal screen."""
        return self.screen_stack[0] if self.screen_stack else self.screen

    @property
    def sidebar(self) -> Sidebar:
        """The service tree."""
        return self.main_screen.query_one(Sidebar)

    @property
    def status_line(self) -> StatusLine:
        """The status line at the bottom."""
        return self.main_screen.query_one(StatusLine)

    def group(self, side: str) -> TabbedContent:
        """Return the tab group on `side` (`left` or `right`)."""
        return self.main_screen.query_one(f"#{side}", TabbedContent)

    @property
    def split(self) -> bool:
        """Whether the right tab group is shown."""
        return bool(self.group("right").display)

    def panes(self) -> list[Pane]:
        """Return every pane, left group first."""
        return list(self.main_screen.query(Pane))

    def active_pane(self) -> Pane | None:
        """Return the pane shown in the active group, or None."""
        for side in (self._active_side, "left", "right"):
            group = self.group(side)
            if not group.display:
                continue
            pane = group.active_pane
            if isinstance(pane, Pane):
                return pane
        return None

    def sidebar_range_label(self) -> str:
        """Describe the range the sidebar lists labels for (`last 1h`)."""
        pane = self.active_pane()
        if pane is not None:
            return describe_range(pane.state.range_from, pane.state.range_to, utc=pane.view_utc)
        return describe_range(self.settings.time_from, self.settings.time_to, utc=self.utc)

    def sidebar_range(self) -> tuple[int, int]:
        """Return the range the sidebar lists labels for: the active pane's range."""
        pane = self.active_pane()
        if pane is not None:
            try:
                return pane.resolve_range()
            except ValueError:
                pass
        now_ns = self.clock()
        from tflog_tui.times import resolve_time

        return resolve_time(self.settings.time_from, now_ns), resolve_time(
            self.settings.time_to, now_ns, round_up=True
        )

    def _update_welcome(self) -> None:
        has_panes = bool(self.panes())
        self.main_screen.query_one("#welcome").display = not has_panes
        self.group("left").display = has_panes

    def _tick(self) -> None:
        """Refresh panes that received entries and the status line (about 10 Hz).

        A pane being closed loses its children before it leaves the DOM, so
        a pane whose widgets are gone is skipped.
        """
        if not self.is_running or not self.screen_stack:
            return
        for pane in self.panes():
            try:
                pane.tick()
            except NoMatches:
                continue
        active = self.active_pane()
        status = PaneStatus(activity="no pane open")
        if active is not None:
            try:
                status = active.status()
            except NoMatches:
                return
        if status != self._last_status:
            self._last_status = status
            self.status_line.set_pane(status)

    # --- panes -----------------------------------------------------------

    def _new_pane_id(self) -> str:
        self._pane_counter += 1
        return f"pane-{self._pane_counter}"

    def new_state(self, query: str, title: str, *, context_ns: int | None = None) -> PaneState:
        """Build the state of a new pane with the default range and limit."""
        return PaneState(
            query=query,
            title=title,
            range_from=self.settings.time_from,
            range_to=self.settings.time_to,
            limit=min(self.settings.limit, self.settings.capacity),
            buffer=PaneBuffer(capacity=self.settings.capacity),
            context_ns=context_ns,
        )

    async def add_pane(self, state: PaneState, side: str | None = None) -> Pane:
        """Mount a pane for `state` in the group on `side` (the active one by default)."""
        side = side or self._active_side
        if side == "right" and not self.split:
            side = "left"
        group = self.group(side)
        group.display = True
        pane = Pane(state, self.client, clock=self.clock, utc=self.utc, id=self._new_pane_id())
        await group.add_pane(pane)
        group.active = pane.id or ""
        self._active_side = side
        self._update_welcome()
        pane.focus_log()
        return pane

    async def open_query(
        self,
        query: str,
        title: str,
        *,
        context_ns: int | None = None,
        tail: bool = False,
        task_range: tuple[str, str] | None = None,
    ) -> Pane:
        """Focus the pane showing `query`, or open one for it.

        `task_range` (from, to) replaces the default range of a new pane, and
        an open pane is reused only when it has that range.
        """
        for pane in self.panes():
            same_range = task_range is None or task_range == (
                pane.state.range_from,
                pane.state.range_to,
            )
            if pane.state.query == query and pane.state.context_ns == context_ns and same_range:
                self.activate(pane)
                return pane
        state = self.new_state(query, title, context_ns=context_ns)
        if task_range is not None:
            state.range_from, state.range_to = task_range
        if tail:
            state.mode = "tail"
        return await self.add_pane(state)

    def activate(self, pane: Pane) -> None:
        """Show `pane` in its group and focus its log view."""
        for side in ("left", "right"):
            group = self.group(side)
            if pane in group.query(Pane):
                group.active = pane.id or ""
                self._active_side = side
        pane.focus_log()

    def side_of(self, pane: Pane) -> str:
        """Return the group (`left` or `right`) holding `pane`."""
        return "right" if pane in self.group("right").query(Pane) else "left"

    @on(OpenQuery)
    async def _on_open_query(self, message: OpenQuery) -> None:
        await self.open_query(message.query, message.title, context_ns=message.context_ns)

    @on(ServerStatus)
    def _on_server_status(self, message: ServerStatus) -> None:
        if message.ok:
            self.status_line.set_connection("connected", True)
            return

        self.status_line.set_connection(message.short, False)
        now = time.monotonic()
        shown_at = self._errors_shown.get(message.text)
        if shown_at is not None and now - shown_at < REPEAT_QUIET_S:
            return
        self._errors_shown[message.text] = now
        self.notify(escape(message.text), title="Loki request failed", severity="error", timeout=12)

    @on(TabbedContent.TabActivated)
    def _on_tab_activated(self, event: TabbedContent.TabActivated) -> None:
        side = event.tabbed_content.id or "left"
        self._active_side = side
        pane = event.tabbed_content.active_pane
        if isinstance(pane, Pane):
            pane.mark_dirty()

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        """Make the group holding the focused widget the active one."""
        if not self.screen_stack:
            # Focus events can still arrive while the app shuts down.
            return
        for side in ("left", "right"):
            if self.group(side) in event.widget.ancestors_with_self:
                self._active_side = side

    # --- detail screen ---------------------------------------------------

    @on(LogView.EntrySelected)
    async def _on_entry_selected(self, event: LogView.EntrySelected) -> None:
        try:
            pane = event.log_view.query_ancestor(Pane)
        except NoMatches:
            return
        entry = event.entry

        def handle(result: DetailAction | None) -> None:
            if result is not None:
                self.call_later(self.apply_detail_action, pane, entry, result)

        indexed = await self.indexed_names(pane)
        screen = DetailScreen(entry, level=event.level, utc=event.log_view.utc, indexed=indexed)
        self.push_screen(screen, handle)

    async def apply_detail_action(self, pane: Pane, entry: Entry, action: DetailAction) -> None:
        """Carry out what the detail screen returned: filter, open the task or context.

        The screen copies by itself and stays open; a `copy` action is still
        carried out for callers that build one.
        """
        kind = action.kind
        field = action.field or ""
        value = "" if action.value is None else action.value

        try:
            if kind in ("include", "exclude"):
                query = self.filter_query(
                    pane.state.query,
                    entry,
                    field,
                    value,
                    negate=kind == "exclude",
                    source=action.source,
                )
                pane.set_query(query)
            elif kind == "open_task":
                await self.open_task(entry, value, pane)
            elif kind == "context":
                await self.open_context(entry, pane)
            elif kind == "copy":
                copied = f"the value of {field}" if field else "the line"
                outcome = copy_text(cast("App[object]", self), value, copied)
                self.notify(escape(outcome), timeout=4)
        except (LogQLSyntaxError, ValueError) as error:
            logger.error("detail action %s on %s failed: %s", kind, field, error)
            self.notify(escape(f"Cannot {kind} {field or 'line'}: {error}"), severity="error")

    def filter_query(
        self,
        query: str,
        entry: Entry,
        field: str,
        value: str,
        *,
        negate: bool,
        source: str | None = None,
    ) -> str:
        """Return `query` with a filter on `field` = `value` taken from `entry`.

        `source` names where the field was found. The line gives a line
        filter and a stream label gives a stream matcher. Structured metadata
        or an already parsed label gives a label filter. A JSON or logfmt
        field gives a label filter after the parser stage that extracts it.
        Without a source, the entry decides.
        """
        if source is None:
            source = field_source(entry, field)
        if source == "line" or not field:
            return add_line_filter(query, value, negate=negate)
        if source == "label":
            return add_stream_matcher(query, field, value, negate=negate)
        name = label_name(field)
        if source in ("metadata", "parsed"):
            return add_label_filter(query, name, value, negate=negate)
        parser: Stage | None = None
        if source == "json":
            parser = JsonParser()
        elif source == "logfmt":
            parser = LogfmtParser()
        else:
            parser = line_parser_for(entry.line, field)
        return add_label_filter(query, name, value, negate=negate, parser=parser)

    async def open_task(self, entry: Entry, task_id: str, source: Pane | None = None) -> None:
        """Open the pane of task `task_id` of the entry's service.

        When `task_id` is a stream label the selector matches it. When the id
        was found only in the line (JSON or logfmt), a line filter on the id
        narrows the service's streams instead. The pane takes the range of
        `source` (the default range without one), widened to contain the entry.
        """
        task_id = task_id or entry.labels.get("task_id", "")
        if not task_id:
            self.notify("This entry has no task_id.", severity="warning")
            return

        service = entry.labels.get("service_name")
        is_label = entry.labels.get("task_id") == task_id
        if service and not is_label:
            service_query = selector_query({"service_name": service})
            query = add_line_filter(service_query, task_id, negate=False)
            title = f"{service}/{task_id}"
        else:
            labels = {"task_id": task_id}
            if service:
                labels = {"service_name": service, "task_id": task_id}
            query = selector_query(labels)
            title = title_for_query(query)

        if source is not None:
            range_from, range_to = source.state.range_from, source.state.range_to
        else:
            range_from, range_to = self.settings.time_from, self.settings.time_to
        task_range = covering_range(range_from, range_to, entry.ts_ns, self.clock())
        await self.open_query(query, title, task_range=task_range)

    async def indexed_names(self, pane: Pane | None) -> frozenset[str] | None:
        """Return the label names Loki indexes in `pane`'s range (the default range without one).

        None means every label of an entry is a stream label (categorized
        labels) or the names could not be listed.
        """
        if pane is not None:
            range_key = (pane.state.range_from, pane.state.range_to)
        else:
            range_key = (self.settings.time_from, self.settings.time_to)
        try:
            start_ns, end_ns = pane.resolve_range() if pane is not None else self.sidebar_range()
        except ValueError:
            start_ns, end_ns = self.sidebar_range()
        return await indexed_label_names(self.client, range_key, start_ns, end_ns)

    async def open_context(self, entry: Entry, pane: Pane | None = None) -> None:
        """Open a pane with the entries just before and after `entry` from the same source.

        The selector holds the entry's indexed stream labels only: labels a
        parser stage extracted, level labels and `__error__` would narrow the
        context to entries like this one.
        """
        labels = context_labels(entry.labels, await self.indexed_names(pane))
        if not labels:
            self.notify(
                "This entry has no stream labels to find its context by.",
                severity="warning",
            )
            return
        query = selector_query(labels)
        title = context_title(entry.ts_ns, self.clock(), utc=self.utc)
        await self.open_query(query, title, context_ns=entry.ts_ns)

    # --- actions ---------------------------------------------------------

    def _pane_or_hint(self) -> Pane | None:
        pane = self.active_pane()
        if pane is None:
            self.notify("No pane is open: pick a service in the sidebar first.", severity="warning")
        return pane

    def action_toggle_sidebar(self) -> None:
        """Show or hide the sidebar."""
        sidebar = self.sidebar
        sidebar.display = not sidebar.display
        if sidebar.display:
            sidebar.service_tree.focus()
        else:
            pane = self.active_pane()
            if pane is not None:
                pane.focus_log()

    async def action_focus_query(self) -> None:
        """Focus the active pane's query bar; with no pane, open one for a new query."""
        pane = self.active_pane()
        if pane is None:
            state = self.new_state("", "query")
            state.loaded = True
            pane = await self.add_pane(state)
        pane.query_bar.input.focus()

    def action_pick_range(self) -> None:
        """Open the range picker for the active pane."""
        pane = self._pane_or_hint()
        if pane is None:
            return

        def apply(result: tuple[str, str] | None) -> None:
            if result is not None:
                pane.set_range(*result)
                self.sidebar.reload()

        self.push_screen(RangePicker(pane.state.range_from, pane.state.range_to, self.clock), apply)

    def action_toggle_tail(self) -> None:
        """Start or stop a live tail of the active pane's query."""
        pane = self._pane_or_hint()
        if pane is not None:
            pane.toggle_tail()

    def action_search(self) -> None:
        """Open the search field of the active pane."""
        pane = self._pane_or_hint()
        if pane is not None:
            pane.log_view.action_search()

    def action_toggle_level(self, value: int) -> None:
        """Show or hide one level in the active pane (keys 1–7)."""
        pane = self._pane_or_hint()
        if pane is not None:
            pane.toggle_level(Level(value))

    def action_only_errors(self) -> None:
        """Show only critical and error entries in the active pane, or every level again."""
        pane = self._pane_or_hint()
        if pane is None:
            return
        if pane.toggle_only_errors():
            self.notify("Only critical and error entries are shown; ! shows all.", timeout=3)
        else:
            self.notify("Every level is shown.", timeout=2)

    def action_prettify(self) -> None:
        """Show JSON and logfmt lines of the active pane message first, or as they are."""
        pane = self._pane_or_hint()
        if pane is None:
            return
        view = pane.log_view
        view.toggle_prettify()
        self.notify(
            "Lines show their message first." if view.prettify else "Lines show as they are.",
            timeout=2,
        )

    def action_all_levels(self) -> None:
        """Show every level in the active pane."""
        pane = self._pane_or_hint()
        if pane is not None:
            pane.show_all_levels()

    def action_push_levels(self) -> None:
        """Add the levels shown to the query (`| level=~…` or a stream matcher) and re-run."""
        pane = self._pane_or_hint()
        if pane is None:
            return
        if pane.state.levels == set(Level):
            self.notify("Every level is shown: turn some off with 1–7 first.", severity="warning")
            return
        source = pane.level_source()
        parser: Stage | None = None
        if source == "json":
            parser = JsonParser()
        elif source == "logfmt":
            parser = LogfmtParser()
        try:
            query = add_level_filter(
                pane.state.query,
                pane.state.levels,
                stream_label=source == "label",
                parser=parser,
            )
        except (LogQLSyntaxError, ValueError) as error:
            self.notify(escape(f"Cannot add the level filter: {error}"), severity="error")
            return
        pane.set_query(query)

    def action_raise_limit(self) -> None:
        """Double the active pane's line limit (up to its capacity) and re-run."""
        pane = self._pane_or_hint()
        if pane is not None:
            limit = pane.raise_limit()
            self.notify(f"Line limit is now {limit:,}.", timeout=3)

    def action_rerun(self) -> None:
        """Run the active pane's query again."""
        pane = self._pane_or_hint()
        if pane is not None:
            pane.rerun()

    async def action_close_pane(self) -> None:
        """Close the active pane, stopping its query or tail."""
        pane = self.active_pane()
        if pane is None:
            return
        side = self.side_of(pane)
        pane.stop(quiet=True)
        group = self.group(side)
        await group.remove_pane(pane.id or "")

        remaining = [other for other in group.query(Pane) if other is not pane]
        if not remaining and self.split:
            if side == "right":
                self.group("right").display = False
                self._active_side = "left"
            else:
                await self._merge_right()
        self._update_welcome()

        following = self.active_pane()
        if following is not None and following is not pane:
            following.focus_log()
        else:
            self.sidebar.display = True
            self.sidebar.service_tree.focus()

    async def action_toggle_split(self) -> None:
        """Show two groups of panes side by side, or merge them back into one."""
        right = self.group("right")
        if right.display:
            await self._merge_right()
            return

        pane = self._pane_or_hint()
        if pane is None:
            return
        right.display = True
        state = self.new_state(pane.state.query, pane.state.title)
        state.range_from = pane.state.range_from
        state.range_to = pane.state.range_to
        await self.add_pane(state, "right")

    async def _merge_right(self) -> None:
        """Move the right group's panes to the left group and hide the right group.

        New widgets are built over each pane's state, so the entries held
        stay, and a tail resumes from the newest entry held.
        """
        right = self.group("right")
        panes = list(right.query(Pane))
        for pane in panes:
            pane.stop(quiet=True)
        await right.clear_panes()
        right.display = False
        self._active_side = "left"
        for pane in panes:
            await self.add_pane(pane.state, "left")

    def action_other_side(self) -> None:
        """Move the focus to the other group of the split."""
        if not self.split:
            return
        side = "left" if self._active_side == "right" else "right"
        pane = self.group(side).active_pane
        if isinstance(pane, Pane):
            self._active_side = side
            pane.focus_log()

    def _cycle(self, step: int) -> None:
        group = self.group(self._active_side)
        panes = list(group.query(Pane))
        if not panes:
            return
        current = group.active_pane
        index = panes.index(current) if isinstance(current, Pane) and current in panes else 0
        target = panes[(index + step) % len(panes)]
        group.active = target.id or ""
        target.focus_log()

    def action_next_pane(self) -> None:
        """Show the next pane of the active group."""
        self._cycle(1)

    def action_previous_pane(self) -> None:
        """Show the previous pane of the active group."""
        self._cycle(-1)

    def action_toggle_utc(self) -> None:
        """Switch timestamps between UTC and local time in every pane."""
        self.utc = not self.utc
        for pane in self.panes():
            pane.log_view.toggle_utc()
        self.notify("Times in UTC." if self.utc else "Times in local time.", timeout=2)

    def action_reload_sidebar(self) -> None:
        """List services (or hostnames) again for the active pane's range."""
        self.sidebar.reload()

    def action_copy_explore_link(self) -> None:
        """Copy a Grafana Explore link for the active pane's query and range."""
        query_actions.copy_explore_link(self)

    def action_open_builder(self) -> None:
        """Open the query builder on the active pane's query."""
        query_actions.open_builder(self)

    def action_open_link(self) -> None:
        """Open a Grafana Explore link or a LogQL query in a new pane."""
        query_actions.open_link(self)

    def _run_log_view_action(self, action: str) -> None:
        """Run `action` (a LogView action name without `action_`) in the active pane."""
        pane = self._pane_or_hint()
        if pane is not None:
            pane.focus_log()
            getattr(pane.log_view, f"action_{action}")()

    def action_help(self) -> None:
        """Show every key and command."""
        self.push_screen(HelpScreen())

    # --- command palette -------------------------------------------------

    def get_system_commands(self, screen: Screen[Any]) -> Iterable[SystemCommand]:
        """List every tflog action for the command palette, after Textual's own."""
        yield from super().get_system_commands(screen)
        commands: list[tuple[str, str, Callable[[], Any]]] = [
            (
                "Toggle sidebar",
                "Show or hide the service tree (s, ctrl+b)",
                self.action_toggle_sidebar,
            ),
            ("Edit query", "Focus the query bar (: or q)", self.action_focus_query),
            ("Pick range", "Choose a preset or a custom range (r)", self.action_pick_range),
            ("Start or stop live tail", "Tail the pane's query (t)", self.action_toggle_tail),
            ("Search", "Search the pane's lines (/)", self.action_search),
            ("Show all levels", "Turn every level filter on (0)", self.action_all_levels),
            (
                "Prettify lines",
                "Show JSON and logfmt lines message first, or as they are (p)",
                self.action_prettify,
            ),
            (
                "Only errors",
                "Show only critical and error entries, or all again (!)",
                self.action_only_errors,
            ),
            (
                "Push level filter into query",
                "Add the levels shown to the LogQL (L)",
                self.action_push_levels,
            ),
            (
                "Raise line limit",
                "Double the pane's line limit and re-run (+)",
                self.action_raise_limit,
            ),
            ("Re-run query", "Run the pane's query again (R)", self.action_rerun),
            ("Close pane", "Close the active pane (x, ctrl+w)", self.action_close_pane),
            ("Toggle split", "Show two panes side by side (|, ctrl+\\)", self.action_toggle_split),
            ("Other side of split", "Move the focus across the split (o)", self.action_other_side),
            ("Next pane", "Show the next tab (])", self.action_next_pane),
            ("Previous pane", "Show the previous tab ([)", self.action_previous_pane),
            (
                "Toggle UTC",
                "Show times in UTC or local time (u in the log)",
                self.action_toggle_utc,
            ),
            ("Reload sidebar", "List services again (ctrl+r)", self.action_reload_sidebar),
            (
                "Copy Grafana Explore link",
                "Copy a link that opens the pane's query in Grafana (y, Y)",
                self.action_copy_explore_link,
            ),
            (
                "Open Explore link or query",
                "Open a Grafana Explore link or LogQL in a new pane (O)",
                self.action_open_link,
            ),
            (
                "Query builder",
                "Compose the pane's query from label pickers and filters (b)",
                self.action_open_builder,
            ),
            (
                "Group sidebar by hostname",
                "Switch services/hostnames (H in the sidebar)",
                self.sidebar.action_toggle_grouping,
            ),
            ("Help", "Show every key (?)", self.action_help),
        ]
        log_view_commands = [
            ("First entry", "Move to the oldest entry (g)", "first"),
            ("Last entry and follow", "Move to the newest entry and follow (G)", "last"),
            ("Toggle follow", "Keep the newest entry in view (f)", "toggle_follow"),
            ("Next error", "Move to the next error (e)", "next_error"),
            ("Previous error", "Move to the previous error (E)", "previous_error"),
            ("Next warning", "Move to the next warning (w)", "next_warning"),
            ("Previous warning", "Move to the previous warning (W)", "previous_warning"),
            ("Next match", "Move to the next search match (n)", "next_match"),
            ("Previous match", "Move to the previous search match (N)", "previous_match"),
            ("Entry detail", "Open the entry under the cursor (enter)", "select_entry"),
            ("Toggle wrap", "Wrap long lines (z)", "toggle_wrap"),
        ]
        for title, help_text, action in log_view_commands:
            commands.append((title, help_text, partial(self._run_log_view_action, action)))
        for level in Level:
            commands.append(
                (
                    f"Toggle level {level.label}",
                    f"Show or hide {level.label} entries ({level.value})",
                    partial(self.action_toggle_level, level.value),
                )
            )
        for title, help_text, callback in commands:
            yield SystemCommand(title, help_text, callback)
