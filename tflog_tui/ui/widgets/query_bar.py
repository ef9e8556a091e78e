"""The query bar: the pane's LogQL, checked with the LogQL parser before it is sent."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Input, Label, Static

from tflog_tui.grafana import ExploreLink, is_explore_url, parse_explore_url
from tflog_tui.logql import LogQLSyntaxError, parse_log_query


def excerpt_with_caret(query: str, column: int, width: int) -> tuple[Text, Text]:
    """Cut `query` to `width` characters around the 1-based `column` and mark it.

    Returns the excerpt with the marked character highlighted, and a line
    with a caret under it. Both are plain text (no markup is interpreted).
    """
    flat = query.replace("\n", " ").replace("\t", " ")
    index = min(max(column - 1, 0), len(flat))
    width = max(width, 10)
    start = max(0, index - width // 2)
    end = min(len(flat), start + width)
    start = max(0, min(start, end - width))

    excerpt = Text(no_wrap=True)
    if start > 0:
        excerpt.append("…", style="dim")
    before = flat[start + (1 if start > 0 else 0) : index]
    excerpt.append(before)
    caret_column = excerpt.cell_len

    marked = flat[index : index + 1] or " "
    excerpt.append(marked, style="bold reverse red")
    excerpt.append(flat[index + 1 : end])

    caret = Text(" " * caret_column + "^", style="bold red", no_wrap=True)
    return excerpt, caret


class QueryBar(Widget):
    """Edit and run the pane's LogQL; a syntax error is shown with its column marked."""

    DEFAULT_CSS = """
    QueryBar {
        height: auto;
        width: 1fr;
    }
    QueryBar > Horizontal {
        height: 1;
    }
    QueryBar .query-bar--prompt {
        width: auto;
        padding: 0 1 0 0;
        color: $accent;
        text-style: bold;
    }
    QueryBar Input {
        border: none;
        height: 1;
        padding: 0;
        width: 1fr;
    }
    QueryBar Input:focus {
        border: none;
        background: $boost;
    }
    QueryBar .query-bar--error {
        display: none;
        height: auto;
        color: $error;
    }
    QueryBar.-error .query-bar--error {
        display: block;
    }
    """

    @dataclass
    class Submitted(Message):
        """A query that passed the LogQL parser and should be run."""

        query_bar: QueryBar
        query: str

    @dataclass
    class LinkSubmitted(Message):
        """A Grafana Explore link pasted in place of a query."""

        query_bar: QueryBar
        link: ExploreLink

    def __init__(self, query: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._query = query

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Label("LogQL›", classes="query-bar--prompt")
            yield Input(self._query, placeholder='{service_name="…"} |= "text"', compact=True)
        yield Static("", classes="query-bar--error", markup=False)

    @property
    def input(self) -> Input:
        """The text field holding the query."""
        return self.query_one(Input)

    @property
    def value(self) -> str:
        """The query as currently typed."""
        return self.input.value

    def set_query(self, query: str) -> None:
        """Replace the text with `query` and clear any error shown."""
        self._query = query
        self.input.value = query
        self.clear_error()

    def show_error(self, message: str, query: str | None = None, column: int | None = None) -> None:
        """Show `message` (plain text); with `column`, mark that column of `query`."""
        text = Text(no_wrap=False)
        if query is not None and column is not None:
            width = max(self.size.width - 2, 20)
            excerpt, caret = excerpt_with_caret(query, column, width)
            text.append_text(excerpt)
            text.append("\n")
            text.append_text(caret)
            text.append("\n")
        text.append(message)
        self.query_one(".query-bar--error", Static).update(text)
        self.add_class("-error")

    def clear_error(self) -> None:
        """Hide the error line."""
        self.remove_class("-error")
        self.query_one(".query-bar--error", Static).update("")

    def check(self, query: str) -> bool:
        """Parse `query` as a LogQL log query; show the error and return False when it fails."""
        try:
            parse_log_query(query)
        except LogQLSyntaxError as error:
            line = getattr(error, "line", 1) or 1
            column = getattr(error, "column", None)
            offset = _offset_of(query, line, column) if column else None
            self.show_error(str(error), query, offset)
            return False
        self.clear_error()
        return True

    def on_input_submitted(self, event: Input.Submitted) -> None:
        """Check the query and post `Submitted` when it parses, or `LinkSubmitted` for a link."""
        event.stop()
        query = event.value.strip()
        if is_explore_url(query):
            try:
                link = parse_explore_url(query)
            except ValueError as error:
                self.show_error(f"Invalid Grafana Explore link: {error}")
                return
            self.clear_error()
            self.post_message(self.LinkSubmitted(self, link))
            return

        if self.check(query):
            self.post_message(self.Submitted(self, query))


def _offset_of(query: str, line: int, column: int) -> int:
    """Convert a 1-based line and column into a 1-based column of the flattened query."""
    lines = query.split("\n")
    before = sum(len(text) + 1 for text in lines[: max(line - 1, 0)])
    return before + column
