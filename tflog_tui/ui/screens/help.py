"""The help screen: every key of the app, read from the live bindings so it stays true."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingsMap, BindingType
from textual.containers import VerticalScroll
from textual.dom import DOMNode
from textual.screen import ModalScreen, Screen
from textual.widgets import Footer, Static

INTRO = (
    "tflog explores Grafana Loki: open a service or task from the sidebar, type a "
    "LogQL query in the query bar, or tail a stream live. Keys follow less and vim: "
    "j/k move, g/G jump to the first and last entry, / searches, n/N repeat the "
    "search, e/E jump between errors. Every key below is also a command in the "
    "command palette."
)

KEY_CELLS = 16
"""Width of the key column, in cells."""


@dataclass(frozen=True, slots=True)
class KeyHelp:
    """One action and the keys bound to it."""

    keys: tuple[str, ...]
    description: str


@dataclass(frozen=True, slots=True)
class KeyGroup:
    """The keys of one part of the app, under a title."""

    title: str
    keys: tuple[KeyHelp, ...]


def _title_of(node_type: type[DOMNode]) -> str:
    """Turn a class name (`LogView`, `TflogApp`) into a group title (`Log view`)."""
    if issubclass(node_type, App):
        return "Application"
    if node_type is Screen:
        return "Every screen"

    words = re.findall(r"[A-Z][a-z0-9]*|[a-z0-9]+", node_type.__name__)
    if not words:
        return node_type.__name__
    title = " ".join(word.lower() for word in words)
    return title[0].upper() + title[1:]


def describe_bindings(
    app: App[object], bindings: BindingsMap, listed: set[tuple[str, str]] | None = None
) -> tuple[KeyHelp, ...]:
    """Merge the keys of each action into one `KeyHelp`, in declaration order.

    `listed` contains the (key, action) pairs of earlier groups. Those are
    skipped, and the pairs of this group are added to it.
    """
    seen = set() if listed is None else listed
    by_action: dict[tuple[str, str], list[str]] = {}
    for key, binding in bindings:
        if binding.system and not binding.description:
            continue
        if (key, binding.action) in seen:
            continue
        seen.add((key, binding.action))

        description = binding.description or binding.action.replace("_", " ")
        description = description[:1].upper() + description[1:]
        keys = by_action.setdefault((binding.action, description), [])
        display = app.get_key_display(binding)
        if display not in keys:
            keys.append(display)

    return tuple(
        KeyHelp(tuple(keys), description) for (_action, description), keys in by_action.items()
    )


def _class_bindings(node_type: type[DOMNode]) -> BindingsMap:
    merged = node_type._merged_bindings
    return merged if merged is not None else BindingsMap()


def collect_key_groups(
    app: App[object], extra: Iterable[type[DOMNode]] = (), skip: Iterable[DOMNode] = ()
) -> list[KeyGroup]:
    """Collect the keys of the app, of every screen below the help and the widgets on them
    that tflog defines, plus the classes in `extra` (screens not open right now)."""
    skipped = set(map(id, skip))
    seen: set[type[DOMNode]] = set()
    listed: set[tuple[str, str]] = set()
    groups: list[KeyGroup] = []

    def add(node_type: type[DOMNode], bindings: BindingsMap) -> None:
        if node_type in seen:
            return
        seen.add(node_type)
        keys = describe_bindings(app, bindings, listed)
        if keys:
            groups.append(KeyGroup(_title_of(node_type), keys))

    add(type(app), app._bindings)
    for screen in app.screen_stack:
        if id(screen) in skipped:
            continue
        add(type(screen), screen._bindings)
        for widget in screen.walk_children(with_self=False):
            if type(widget).__module__.startswith("tflog_tui."):
                add(type(widget), widget._bindings)

    for node_type in extra:
        add(node_type, _class_bindings(node_type))
    return groups


def render_groups(groups: list[KeyGroup]) -> Text:
    """Lay out the key groups as two columns: keys and what they do."""
    text = Text()
    for number, group in enumerate(groups):
        if number:
            text.append("\n")
        text.append(group.title, style="bold underline")
        text.append("\n")
        for item in group.keys:
            keys = " / ".join(item.keys)
            text.append(f"  {keys.ljust(KEY_CELLS)}", style="bold")
            text.append(f"  {item.description}\n")
    return text


class HelpScreen(ModalScreen[None]):
    """List every key of the app in groups, with a short introduction."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q,question_mark,f1", "close", "Close"),
    ]

    DEFAULT_CSS = """
    HelpScreen {
        align: center middle;
    }
    HelpScreen > #help-box {
        width: 90%;
        max-width: 110;
        height: 90%;
        border: round $accent;
        background: $surface;
        padding: 0 1;
    }
    HelpScreen #help-intro {
        margin-bottom: 1;
    }
    """

    def compose(self) -> ComposeResult:
        from tflog_tui.ui.screens.detail import DetailScreen
        from tflog_tui.ui.screens.search import SearchScreen
        from tflog_tui.ui.widgets.log_view import LogView

        extra = (LogView, DetailScreen, SearchScreen)
        groups = collect_key_groups(self.app, extra=extra, skip=(self,))
        with VerticalScroll(id="help-box") as box:
            box.border_title = "Keys"
            yield Static(Text(INTRO), id="help-intro")
            yield Static(render_groups(groups), id="help-keys")
        yield Footer()

    def action_close(self) -> None:
        """Close the help screen."""
        self.dismiss(None)
