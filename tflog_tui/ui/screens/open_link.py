"""Open a Grafana Explore link (current or legacy form) or a LogQL query in a new pane."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Button, Input, Label, Static

from tflog_tui.grafana import ExploreLink, expand_variables, is_explore_url, parse_explore_url
from tflog_tui.logql import LogQLSyntaxError, LogQuery, parse
from tflog_tui.times import resolve_time
from tflog_tui.ui.pane_query import first_log_query


@dataclass(frozen=True)
class OpenLinkResult:
    """A query to open in a new pane.

    `time_from` and `time_to` are the link's range as Grafana wrote it (`now-6h` or
    epoch milliseconds), or None for plain LogQL, which keeps the default range.
    `link` is the parsed Explore link, or None for plain LogQL. `note` describes what was
    changed on the way in (a metric query opened as its log query), or is empty.
    """

    query: str
    time_from: str | None = None
    time_to: str | None = None
    link: ExploreLink | None = None
    note: str = ""


def read_link_or_query(text: str, now_ns: int) -> OpenLinkResult:
    """Read an Explore link or a LogQL query; raise ValueError with a message for the user.

    A metric query (an alert's `count_over_time(...) > 0`) opens its first log query,
    because a pane shows entries. Grafana variables such as `$__auto` are expanded for
    the link's range, resolved at `now_ns` (nanoseconds since the epoch).
    """
    text = text.strip()
    if not text:
        raise ValueError("Paste a Grafana Explore link or type a LogQL query.")

    link: ExploreLink | None = None
    time_from: str | None = None
    time_to: str | None = None
    expr_text = text

    if is_explore_url(text) or text.lower().startswith(("http://", "https://")):
        link = parse_explore_url(text)
        time_from, time_to = link.time_from, link.time_to
        try:
            start_ns = resolve_time(time_from, now_ns)
            end_ns = resolve_time(time_to, now_ns, round_up=True)
        except ValueError as error:
            raise ValueError(f"the link's range cannot be read: {error}") from None

        # Dashboards and alerts write `[$__auto]` or `[$__interval]` in metric queries.
        expr_text = expand_variables(link.expr, start_ns, end_ns)

    try:
        expr = parse(expr_text)
    except LogQLSyntaxError as error:
        where = "the link's query" if link is not None else "the query"
        raise ValueError(f"{where} is not valid LogQL: {error}") from None

    note = ""
    if not isinstance(expr, LogQuery):
        log_query = first_log_query(expr)
        if log_query is None:
            raise ValueError(
                "the query has no log query inside it, so there are no entries to show"
            )
        note = "The metric query was opened as its log query, because a pane shows entries."
        expr_text = str(log_query)

    return OpenLinkResult(
        query=expr_text, time_from=time_from, time_to=time_to, link=link, note=note
    )


class OpenLinkScreen(ModalScreen[OpenLinkResult | None]):
    """Ask for a Grafana Explore link or LogQL; invalid input shows why and keeps the dialog open.

    `now_ns` returns the current time in nanoseconds since the epoch.
    """

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    DEFAULT_CSS = """
    OpenLinkScreen {
        align: center middle;
    }
    OpenLinkScreen > Vertical {
        width: 100;
        max-width: 100%;
        height: auto;
        border: round $accent;
        background: $panel;
        padding: 0 1;
    }
    OpenLinkScreen #open-link-error {
        color: $error;
        height: auto;
    }
    OpenLinkScreen Horizontal {
        height: auto;
        align-horizontal: right;
    }
    OpenLinkScreen Button {
        margin-left: 1;
    }
    """

    def __init__(self, now_ns: int, initial: str = "") -> None:
        super().__init__()
        self.now_ns = now_ns
        self.initial = initial
        self.error = ""

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Open a Grafana Explore link or a LogQL query in a new pane")
            yield Input(
                self.initial,
                placeholder='https://grafana…/explore?… or {service_name="…"}',
                id="open-link-input",
            )
            yield Static("", id="open-link-error", markup=False)
            with Horizontal():
                yield Button("Open (enter)", id="open-link-open", variant="primary")
                yield Button("Cancel (esc)", id="open-link-cancel")

    def on_mount(self) -> None:
        """Focus the text field."""
        self.query_one("#open-link-input", Input).focus()

    def submit(self) -> None:
        """Open the input when it reads; otherwise show why it does not."""
        text = self.query_one("#open-link-input", Input).value
        try:
            result = read_link_or_query(text, self.now_ns)
        except ValueError as error:
            self.error = f"Not opened: {error}"
            self.query_one("#open-link-error", Static).update(self.error)
            return
        self.dismiss(result)

    @on(Input.Submitted, "#open-link-input")
    def _on_submitted(self) -> None:
        self.submit()

    @on(Input.Changed, "#open-link-input")
    def _on_changed(self) -> None:
        if self.error:
            self.error = ""
            self.query_one("#open-link-error", Static).update("")

    @on(Button.Pressed, "#open-link-open")
    def _on_open_pressed(self) -> None:
        self.submit()

    @on(Button.Pressed, "#open-link-cancel")
    def _on_cancel_pressed(self) -> None:
        self.action_cancel()

    def action_cancel(self) -> None:
        """Close the dialog without opening anything."""
        self.dismiss(None)
