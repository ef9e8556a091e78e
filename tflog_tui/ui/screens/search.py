"""The search input of the log view: text or regular expression, with a case toggle."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Checkbox, Input, Label


@dataclass(frozen=True, slots=True)
class SearchRequest:
    """A search typed by the user; an empty pattern clears the search."""

    pattern: str
    regex: bool = False
    case_sensitive: bool = False


class SearchScreen(ModalScreen[SearchRequest | None]):
    """Ask for a search pattern, in a small box at the bottom of the screen."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "cancel", "Cancel"),
        Binding("ctrl+r", "toggle_regex", "Regex"),
        Binding("ctrl+t", "toggle_case", "Match case"),
    ]

    DEFAULT_CSS = """
    SearchScreen {
        align: center bottom;
        background: transparent;
    }
    SearchScreen > #search-box {
        height: auto;
        width: 100%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    SearchScreen #search-options {
        height: auto;
    }
    SearchScreen Checkbox {
        border: none;
        padding: 0 1;
    }
    SearchScreen Label {
        padding: 1 1 0 1;
        color: $text-muted;
    }
    """

    def __init__(self, pattern: str = "", *, regex: bool = False, case_sensitive: bool = False):
        super().__init__()
        self._initial = SearchRequest(pattern, regex, case_sensitive)

    def compose(self) -> ComposeResult:
        with Vertical(id="search-box") as box:
            box.border_title = "Search"
            yield Input(
                self._initial.pattern, placeholder="text to find (enter: search, escape: cancel)",
                id="search-input",
            )
            with Horizontal(id="search-options"):
                yield Checkbox("Regex (ctrl+r)", self._initial.regex, id="search-regex")
                yield Checkbox(
                    "Match case (ctrl+t)", self._initial.case_sensitive, id="search-case"
                )
                yield Label("n / N: next / previous match")

    def on_mount(self) -> None:
        self.query_one(Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.dismiss(
            SearchRequest(
                event.value,
                regex=self.query_one("#search-regex", Checkbox).value,
                case_sensitive=self.query_one("#search-case", Checkbox).value,
            )
        )

    def action_cancel(self) -> None:
        """Close without changing the search."""
        self.dismiss(None)

    def action_toggle_regex(self) -> None:
        """Treat the pattern as a regular expression, or as plain text."""
        self.query_one("#search-regex", Checkbox).toggle()

    def action_toggle_case(self) -> None:
        """Match upper and lower case exactly, or ignore case."""
        self.query_one("#search-case", Checkbox).toggle()
