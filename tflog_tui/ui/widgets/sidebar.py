"""The sidebar: services and their tasks (or hostnames and their services) from Loki's label API."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING, ClassVar, Literal

from rich.markup import escape
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Input, Label, Static, Tree
from textual.widgets.tree import TreeNode, UnknownNodeID

from tflog_tui.buffer.safe_text import display_text
from tflog_tui.logql.ast import (
    Grouping,
    LogQuery,
    LogRange,
    Matcher,
    RangeAggregation,
    VectorAggregation,
)
from tflog_tui.loki.errors import LokiError
from tflog_tui.ui.messages import OpenQuery, ServerStatus
from tflog_tui.ui.pane_query import selector_query
from tflog_tui.ui.widgets.status_line import fault_summary

if TYPE_CHECKING:
    from tflog_tui.loki import LokiClient

logger = logging.getLogger(__name__)

NS_PER_MINUTE = 60 * 1_000_000_000

MAX_TASK_WINDOW_NS = 721 * 3600 * 1_000_000_000
"""Longest window the task listing requests: Loki's default `max_query_length` (721h)."""

TASK_POINTS = 240
"""Steps of the metric query that finds when each task was last seen."""

ERROR_LEVEL_NAMES = ("critical", "crit", "fatal", "emerg", "alert", "panic", "error", "err")
"""Values of the `level` stream label counted as errors (the critical and error levels)."""

ERROR_LEVEL_REGEX = "|".join((*ERROR_LEVEL_NAMES, *(name.upper() for name in ERROR_LEVEL_NAMES)))
"""The `level` matcher's regular expression (anchored by Loki), in lower and upper case."""

ERROR_MARK = "✗"

TREE_INDENT_CELLS = 2
"""Cells before a node's label: the expander of a service, the guide of a task."""

GroupBy = Literal["service", "hostname"]
ItemKind = Literal["service", "task", "hostname", "host_service", "message"]


@dataclass
class SidebarItem:
    """The kind of a tree node and the labels that select its streams."""

    kind: ItemKind
    labels: dict[str, str]
    loaded: bool = False


@dataclass
class TaskInfo:
    """One `task_id` of a service and when it was last seen (ns since the epoch)."""

    task_id: str
    last_seen_ns: int
    errors: int = 0
    """Entries at an error or critical `level` in the range."""


def last_seen_query(service: str, step_ns: int) -> str:
    """Build `sum by (task_id) (count_over_time({service_name="…"}[step]))` via the AST."""
    selector = LogQuery((Matcher("service_name", "=", service),))
    counts = RangeAggregation("count_over_time", LogRange(selector, step_ns))
    return str(VectorAggregation("sum", counts, grouping=Grouping(("task_id",))))


def error_count_query(matchers: tuple[Matcher, ...], by: str, step_ns: int) -> str:
    """Build `sum by (by) (count_over_time({…, level=~"error|…"}[step]))` via the AST.

    Only streams whose `level` label names an error or critical level are
    counted, so the query reads no log lines and costs about as much as the
    last-seen query. Lines whose level is only inside the text are not counted.
    """
    selector = LogQuery((*matchers, Matcher("level", "=~", ERROR_LEVEL_REGEX)))
    counts = RangeAggregation("count_over_time", LogRange(selector, step_ns))
    return str(VectorAggregation("sum", counts, grouping=Grouping((by,))))


def format_count(count: int) -> str:
    """Format a count in at most four cells: `7`, `940`, `1.2k`, `15k`, `3.4M`."""
    if count < 1_000:
        return str(count)
    for divisor, suffix in ((1_000_000, "M"), (1_000, "k")):
        if count >= divisor:
            value = count / divisor
            return f"{value:.1f}{suffix}" if value < 10 else f"{int(value)}{suffix}"
    return str(count)


def error_mark(count: int) -> Text:
    """Build the red `✗ 3` mark shown beside a service or task with errors (empty for 0)."""
    if count <= 0:
        return Text()
    return Text(f"{ERROR_MARK} {format_count(count)}", style="bold red")


def with_mark(name: Text, errors: int, cells: int | None) -> Text:
    """Append the error mark to `name`, cutting the name with `…` so the mark fits in `cells`."""
    if errors <= 0:
        return name

    mark = error_mark(errors)
    if cells is not None and name.cell_len + 1 + mark.cell_len > cells:
        name.truncate(max(1, cells - 1 - mark.cell_len), overflow="ellipsis")
    name.append(" ")
    name.append_text(mark)
    return name


def task_label(task: TaskInfo, seen: str, cells: int | None) -> Text:
    """Build a task's label, `7f3a9c2e  14:03 ✗ 3`, fitted to `cells` when known.

    A narrow row first loses a space before the time. When the row is still
    too narrow, the error mark replaces the last-seen time, because the
    errors matter more to someone on call.
    """
    candidates = []
    for gap in ("  ", " "):
        label = Text(task.task_id)
        label.append(gap + seen, style="dim")
        candidates.append(with_mark(label, task.errors, None))
    if task.errors:
        candidates.append(with_mark(Text(task.task_id), task.errors, None))

    for label in candidates:
        if cells is None or label.cell_len <= cells:
            return label
    if task.errors:
        return with_mark(Text(task.task_id), task.errors, cells)
    return candidates[-1]


def format_seen(ts_ns: int, now_ns: int, *, utc: bool) -> str:
    """Format a last-seen time: `14:03` within a day of now, else `12-01 14:03`."""
    moment = datetime.fromtimestamp(ts_ns / 1e9, tz=UTC)
    if not utc:
        moment = moment.astimezone()
    if now_ns - ts_ns < 24 * 3600 * 1_000_000_000:
        return moment.strftime("%H:%M")
    return moment.strftime("%m-%d %H:%M")


class Sidebar(Vertical):
    """List services (expanding lazily to their tasks) or hostnames, with a filter box.

    `range_ns` returns the range (start, end) in nanoseconds to list labels
    for; the app passes the active pane's range.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("right,l", "expand", "Expand", show=False),
        Binding("left,h", "collapse", "Collapse", show=False),
        Binding("H", "toggle_grouping", "Group by host", show=False),
        Binding("j", "cursor_down", "Down", show=False),
        Binding("k", "cursor_up", "Up", show=False),
    ]

    def __init__(
        self,
        client: LokiClient,
        range_ns: Callable[[], tuple[int, int]],
        clock: Callable[[], int],
        *,
        utc: bool = False,
        range_label: Callable[[], str] | None = None,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.client = client
        self.range_ns = range_ns
        self.range_label = range_label
        """Describes the range the counts are for (`last 1h`); None shows no range."""
        self._listed_range = ""
        self.clock = clock
        self.utc = utc
        self.group_by: GroupBy = "service"
        self.values: list[str] = []
        self.children_of: dict[str, list[str]] = {}
        self.tasks_of: dict[str, list[TaskInfo]] = {}
        self.errors_of: dict[str, int] = {}
        """Entries at an error or critical level per service, in the range."""
        self.filter_text = ""
        self._built_cells: int | None = None

    def compose(self) -> ComposeResult:
        title = Label("Services", id="sidebar-title")
        title.styles.text_wrap = "nowrap"
        title.styles.text_overflow = "ellipsis"
        yield title
        yield Input(placeholder="filter", id="sidebar-filter", compact=True)
        failure = Static("", id="sidebar-message", markup=False)
        failure.display = False
        failure.styles.padding = (0, 1)
        yield failure
        tree: Tree[SidebarItem] = Tree("labels", id="sidebar-tree")
        tree.show_root = False
        tree.auto_expand = False
        tree.guide_depth = 2
        yield tree

    @property
    def service_tree(self) -> Tree[SidebarItem]:
        """The service (or hostname) tree."""
        return self.query_one("#sidebar-tree", Tree)

    # --- loading ---------------------------------------------------------

    def reload(self) -> None:
        """Fetch the services (or hostnames) for the current range again."""
        self.children_of.clear()
        self.tasks_of.clear()
        self.errors_of.clear()
        self._load_values()

    @work(group="sidebar-values", exclusive=True, exit_on_error=False)
    async def _load_values(self) -> None:
        name = "service_name" if self.group_by == "service" else "hostname"
        listed_range = self.range_label() if self.range_label is not None else ""
        try:
            start_ns, end_ns = self.range_ns()
            listing = self.client.label_values(name, start_ns=start_ns, end_ns=end_ns)
            if self.group_by == "service":
                services = (Matcher("service_name", "=~", ".+"),)
                counting = self._error_counts(services, "service_name")
                values, errors = await asyncio.gather(listing, counting)
                self.errors_of = errors
            else:
                values = await listing
        except LokiError as error:
            self._fail(str(error), error)
            self._show_failure(str(error))
            return
        except Exception as error:
            logger.exception("listing %s values failed", name)
            self._fail(f"Listing {name} values failed: {error!r}", error)
            self._show_failure(repr(error))
            return

        self.query_one("#sidebar-message", Static).display = False
        self.values = sorted(values)
        self._listed_range = listed_range
        self.post_message(ServerStatus(ok=True))
        self.rebuild()

    @work(group="sidebar-children", exit_on_error=False)
    async def _load_children(self, node: TreeNode[SidebarItem]) -> None:
        item = node.data
        if item is None:
            return
        try:
            if item.kind == "service":
                await self._load_tasks(item.labels["service_name"])
            elif item.kind == "hostname":
                await self._load_host_services(item.labels["hostname"])
        except LokiError as error:
            self._fail(str(error), error)
            return
        except Exception as error:
            logger.exception("expanding %s failed", item.labels)
            self._fail(f"Listing the children of {item.labels} failed: {error!r}", error)
            return

        item.loaded = True
        try:
            attached = self.service_tree.get_node_by_id(node.id) is node
        except UnknownNodeID:
            attached = False
        if attached:
            self._fill_node(node)
        else:
            self.rebuild()

    def _metric_window(self) -> tuple[int, int, int]:
        """Return the start, end and step of the sidebar's metric queries, in nanoseconds."""
        start_ns, end_ns = self.range_ns()
        start_ns = max(start_ns, end_ns - MAX_TASK_WINDOW_NS)
        step_ns = max((end_ns - start_ns) // TASK_POINTS, NS_PER_MINUTE)
        return start_ns, end_ns, step_ns

    async def _error_counts(self, matchers: tuple[Matcher, ...], by: str) -> dict[str, int]:
        """Count entries at an error or critical `level` per value of label `by`.

        The count is the sum of the query's steps, so it may include entries
        up to one step before the range start. A failed query only hides the
        marks: it is logged and yields no counts.
        """
        start_ns, end_ns, step_ns = self._metric_window()
        query = error_count_query(matchers, by, step_ns)
        try:
            series = await self.client.query_range_matrix(
                query, start_ns=start_ns, end_ns=end_ns, step_ns=step_ns
            )
        except LokiError as error:
            logger.warning("sidebar: counting errors failed, no marks shown: %s", error)
            return {}

        counts: dict[str, int] = {}
        for one in series:
            value = one.labels.get(by, "")
            total = int(sum(point for _ts, point in one.points))
            if value and total > 0:
                counts[value] = counts.get(value, 0) + total
        return counts

    async def _load_tasks(self, service: str) -> None:
        """Find the service's tasks, when each was last seen and its error count.

        Two metric queries run at once: one counts all entries per task and
        step, the other only entries at an error or critical `level`.

        NOTE: the last-seen time is the end of the last step that counted an
        entry, so it is up to one step (range / 240, at least 1 minute) after
        the task's newest entry, and tasks within one step may sort by id.
        """
        start_ns, end_ns, step_ns = self._metric_window()
        matchers = (Matcher("service_name", "=", service),)
        series, errors = await asyncio.gather(
            self.client.query_range_matrix(
                last_seen_query(service, step_ns),
                start_ns=start_ns,
                end_ns=end_ns,
                step_ns=step_ns,
            ),
            self._error_counts(matchers, "task_id"),
        )
        tasks: list[TaskInfo] = []
        for one in series:
            task_id = one.labels.get("task_id", "")
            if not task_id:
                continue
            seen = [ts for ts, value in one.points if value > 0]
            if seen:
                tasks.append(TaskInfo(task_id, max(seen), errors.get(task_id, 0)))
        tasks.sort(key=lambda task: (-task.last_seen_ns, task.task_id))
        self.tasks_of[service] = tasks

    async def _load_host_services(self, hostname: str) -> None:
        start_ns, end_ns = self.range_ns()
        query = selector_query({"hostname": hostname})
        values = await self.client.label_values(
            "service_name", query=query, start_ns=start_ns, end_ns=end_ns
        )
        self.children_of[hostname] = sorted(values)

    def _show_failure(self, reason: str) -> None:
        """Say above the tree that the services (or hostnames) could not be listed, and why."""
        what = "services" if self.group_by == "service" else "hostnames"
        text = f"Could not load {what}: {display_text(reason, max_chars=600)}\nctrl+r reloads."
        failure = self.query_one("#sidebar-message", Static)
        failure.update(Text(text, style="red"))
        failure.display = True

    def _fail(self, message: str, error: BaseException) -> None:
        """Log `message` and show it: Loki errors through the app, others as a notification."""
        logger.error("sidebar: %s", message)
        if isinstance(error, LokiError):
            self.post_message(ServerStatus(ok=False, text=message, short=fault_summary(error)))
        else:
            self.app.notify(escape(message), title="Sidebar failed", severity="error", timeout=12)

    # --- tree ------------------------------------------------------------

    def _matches(self, text: str) -> bool:
        return self.filter_text in text.lower()

    def rebuild(self) -> None:
        """Rebuild the tree from the loaded values, keeping only those matching the filter."""
        tree = self.service_tree
        cursor_line = tree.cursor_line
        expanded = {
            next(iter(node.data.labels.values()))
            for node in tree.root.children
            if node.is_expanded and node.data is not None and node.data.labels
        }
        tree.clear()
        title = "Services" if self.group_by == "service" else "Hostnames"
        header = f"{title} ({len(self.values)})"
        if self._listed_range:
            header += f" · {self._listed_range}"
        self.query_one("#sidebar-title", Label).update(header)

        for value in self.values:
            if self.group_by == "service":
                children = [task.task_id for task in self.tasks_of.get(value, [])]
                item = SidebarItem("service", {"service_name": value}, value in self.tasks_of)
            else:
                children = self.children_of.get(value, [])
                item = SidebarItem("hostname", {"hostname": value}, value in self.children_of)
            child_match = any(self._matches(child) for child in children)
            if self.filter_text and not (self._matches(value) or child_match):
                continue
            node = tree.root.add(self._service_label(value), data=item)
            if item.loaded:
                self._fill_node(node)
                if value in expanded or (self.filter_text and child_match):
                    node.expand()

        if not tree.root.children:
            message = "no match" if self.filter_text else "no values in this range"
            tree.root.add_leaf(Text(message, style="dim"), data=SidebarItem("message", {}))
        tree.cursor_line = max(cursor_line, 0)

    def _label_cells(self) -> int | None:
        """Return the cells a node label may use beside the expander, or None before layout."""
        tree = self.service_tree
        width = tree.scrollable_content_region.width
        if width <= 0:
            return None

        # Leave room for a scrollbar that appears once tasks are listed.
        if not tree.show_vertical_scrollbar:
            width -= tree.styles.scrollbar_size_vertical
        return max(1, width - TREE_INDENT_CELLS)

    def _service_label(self, value: str) -> Text:
        """Build a top-level node's label: the value, then its error mark if it has errors."""
        errors = self.errors_of.get(value, 0) if self.group_by == "service" else 0
        return with_mark(Text(value), errors, self._label_cells())

    def on_resize(self) -> None:
        """Rebuild the labels when the width changes, so error marks stay in view."""
        cells = self._label_cells()
        if cells != self._built_cells:
            self._built_cells = cells
            self.rebuild()

    def _fill_node(self, node: TreeNode[SidebarItem]) -> None:
        """Add the loaded children of `node`, filtered when the filter matches children only."""
        item = node.data
        if item is None:
            return
        node.remove_children()
        parent_value = next(iter(item.labels.values()))
        show_all = not self.filter_text or self._matches(parent_value)

        if item.kind == "service":
            tasks = self.tasks_of.get(parent_value, [])
            now_ns = self.clock()
            for task in tasks:
                if not show_all and not self._matches(task.task_id):
                    continue
                seen = format_seen(task.last_seen_ns, now_ns, utc=self.utc)
                label = task_label(task, seen, self._label_cells())
                labels = {"service_name": parent_value, "task_id": task.task_id}
                node.add_leaf(label, data=SidebarItem("task", labels))
            if not tasks:
                node.add_leaf(
                    Text("no task_id in this range", style="dim"), data=SidebarItem("message", {})
                )
        elif item.kind == "hostname":
            for service in self.children_of.get(parent_value, []):
                if not show_all and not self._matches(service):
                    continue
                labels = {"hostname": parent_value, "service_name": service}
                node.add_leaf(Text(service), data=SidebarItem("host_service", labels))

    @on(Tree.NodeExpanded)
    def _on_expanded(self, event: Tree.NodeExpanded[SidebarItem]) -> None:
        event.stop()
        item = event.node.data
        if item is not None and not item.loaded and item.kind in ("service", "hostname"):
            event.node.add_leaf(Text("loading…", style="dim"), data=SidebarItem("message", {}))
            self._load_children(event.node)

    @on(Tree.NodeSelected)
    def _on_selected(self, event: Tree.NodeSelected[SidebarItem]) -> None:
        event.stop()
        item = event.node.data
        if item is None or item.kind == "message":
            return
        labels = item.labels
        if item.kind == "task":
            title = f"{labels['service_name']}/{labels['task_id']}"
        elif item.kind == "host_service":
            title = f"{labels['service_name']}@{labels['hostname']}"
        else:
            title = next(iter(labels.values()))
        self.post_message(OpenQuery(selector_query(labels), title))

    @on(Input.Changed, "#sidebar-filter")
    def _on_filter_changed(self, event: Input.Changed) -> None:
        event.stop()
        self.filter_text = event.value.strip().lower()
        self.rebuild()

    @on(Input.Submitted, "#sidebar-filter")
    def _on_filter_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.service_tree.focus()

    # --- actions ---------------------------------------------------------

    def action_cursor_down(self) -> None:
        """Move the tree cursor down one node."""
        self.service_tree.action_cursor_down()

    def action_cursor_up(self) -> None:
        """Move the tree cursor up one node."""
        self.service_tree.action_cursor_up()

    def action_expand(self) -> None:
        """Expand the node under the cursor."""
        node = self.service_tree.cursor_node
        if node is not None and node.allow_expand and not node.is_expanded:
            node.expand()

    def action_collapse(self) -> None:
        """Collapse the node under the cursor, or move to its parent."""
        node = self.service_tree.cursor_node
        if node is None:
            return
        if node.is_expanded:
            node.collapse()
        elif node.parent is not None and node.parent is not self.service_tree.root:
            self.service_tree.move_cursor(node.parent)

    def action_toggle_grouping(self) -> None:
        """Switch between services with tasks and hostnames with services."""
        self.group_by = "hostname" if self.group_by == "service" else "service"
        self.values = []
        self.rebuild()
        self.reload()
