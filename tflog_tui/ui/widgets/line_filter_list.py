"""Edit a query's line filters: contains, does not contain, regex, not regex, pattern."""

from __future__ import annotations

from dataclasses import dataclass

from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Input, Select

from tflog_tui.logql import escape_string
from tflog_tui.logql.builder import LINE_FILTER_NAMES, LineFilterSpec
from tflog_tui.ui.widgets.spec_list import SpecList


def describe_line_filter(line_filter: LineFilterSpec) -> str:
    """Print a line filter as LogQL, e.g. `|= "timeout"`."""
    return f"{line_filter.op} {escape_string(line_filter.value)}"


class LineFilterList(Widget):
    """Add, edit (enter on a row) and remove (delete on a row) line filters, in query order."""

    DEFAULT_CSS = """
    LineFilterList {
        height: auto;
    }
    LineFilterList > Horizontal {
        height: auto;
    }
    LineFilterList Button {
        width: auto;
        min-width: 5;
    }
    LineFilterList #line-filter-op {
        width: 20;
    }
    LineFilterList #line-filter-value {
        width: 1fr;
        min-width: 16;
        margin: 0 1;
    }
    """

    @dataclass
    class Changed(Message):
        """The line filters changed."""

        line_filter_list: LineFilterList

        @property
        def control(self) -> LineFilterList:
            """The list that changed."""
            return self.line_filter_list

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Select[str](
                [(f"{op} {name}", op) for op, name in LINE_FILTER_NAMES.items()],
                value="|=",
                allow_blank=False,
                id="line-filter-op",
                compact=True,
            )
            yield Input(placeholder="text, regex or pattern", id="line-filter-value", compact=True)
            yield Button("Add", id="line-filter-add", compact=True)
        yield SpecList(describe_line_filter, empty_text="no line filters", id="line-filters")

    @property
    def filters(self) -> list[LineFilterSpec]:
        """The line filters, in query order."""
        return list(self.query_one("#line-filters", SpecList).specs)

    def set_filters(self, filters: list[LineFilterSpec]) -> None:
        """Replace the line filters."""
        self.query_one("#line-filters", SpecList).set_specs(filters)

    def add_current(self) -> bool:
        """Add the filter in the editor fields; return False when its text is empty."""
        value_input = self.query_one("#line-filter-value", Input)
        if value_input.value == "":
            return False

        op = str(self.query_one("#line-filter-op", Select).value)
        if op not in LINE_FILTER_NAMES:
            op = "|="
        line_filter = LineFilterSpec(op=op, value=value_input.value)  # type: ignore[arg-type]
        self.query_one("#line-filters", SpecList).add_spec(line_filter)
        value_input.value = ""
        return True

    @on(Input.Submitted, "#line-filter-value")
    def _on_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.add_current()

    @on(Button.Pressed, "#line-filter-add")
    def _on_add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.add_current()

    @on(SpecList.EditRequested, "#line-filters")
    def _on_edit(self, event: SpecList.EditRequested) -> None:
        event.stop()
        line_filter: LineFilterSpec = event.spec
        self.query_one("#line-filter-op", Select).value = line_filter.op
        value_input = self.query_one("#line-filter-value", Input)
        value_input.value = line_filter.value
        value_input.focus()

    @on(SpecList.Changed, "#line-filters")
    def _on_changed(self, event: SpecList.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self))
