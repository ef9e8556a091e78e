"""The detail screen: one entry in full, with its fields, and actions on them."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from typing import ClassVar, Literal, cast

from rich.markup import escape
from rich.text import Text
from textual.app import App, ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import DataTable, Footer, Static

from tflog_tui.buffer.levels import Level, detect_level
from tflog_tui.buffer.safe_text import TAB_SIZE, display_text, plain_text
from tflog_tui.loki.models import Entry, Labels
from tflog_tui.ui.clipboard import copy_text
from tflog_tui.ui.stream_labels import parsed_labels, stream_labels
from tflog_tui.ui.widgets.entry_fields import (
    Decoded,
    EntryField,
    entry_fields,
    find_task_id,
    line_format,
    pretty_json_lines,
)
from tflog_tui.ui.widgets.entry_text import EntryText, TextLine
from tflog_tui.ui.widgets.level_badge import badge
from tflog_tui.ui.widgets.log_time import format_rfc3339_ns

DetailActionKind = Literal["include", "exclude", "open_task", "context", "copy"]
DetailSource = Literal["label", "metadata", "parsed", "json", "logfmt", "line"]

TABLE_VALUE_CHARS = 300
"""Maximum characters of a value shown in the field table; the action carries the full value."""


@dataclass(frozen=True, slots=True)
class DetailAction:
    """The action chosen in the detail screen.

    `include` / `exclude`: add `field = value` (or `!=`) as a filter. `source`
    is where the field was found, so the caller can tell whether a parser
    stage (`| json`, `| logfmt`) is needed. `open_task`: open the pane of task
    `value` (`field` is `task_id`). `context`: show the entries around this
    one. `copy`: copy `value` to the clipboard (the whole line when
    `source` is `line`, else the selected field's value).
    """

    kind: DetailActionKind
    field: str | None = None
    value: str | None = None
    source: DetailSource | None = None


def display_safe(text: str, max_chars: int | None = None) -> str:
    """Return `text` as display-safe text, cut at `max_chars` (whole text when None)."""
    return display_text(text, max_chars=len(text) + 1 if max_chars is None else max_chars)


def body_lines(line: str, decoded_line: Decoded | None = None) -> tuple[str, list[TextLine]]:
    """Lay out the whole line for reading: pretty JSON, a logfmt key/value table, or text.

    Return the format name shown in the summary and the display-safe lines.
    """
    kind, decoded = line_format(line) if decoded_line is None else decoded_line
    if kind == "json" and isinstance(decoded, dict):
        return "JSON", [TextLine(display_safe(part)) for part in pretty_json_lines(decoded)]

    if kind == "logfmt" and isinstance(decoded, list):
        return "logfmt", [
            TextLine(display_safe(value), key=display_safe(key, 200)) for key, value in decoded
        ]

    text = plain_text(line).rstrip("\n")
    return "text", [TextLine(part.expandtabs(TAB_SIZE)) for part in text.split("\n")]


def labels_text(labels: dict[str, str]) -> str:
    """Format labels as LogQL shows a stream: `{a="1", b="2"}`."""
    return str(Labels(labels))


class DetailScreen(ModalScreen[DetailAction | None]):
    """Show one entry in full: timestamps, labels, metadata, parsed fields and the whole line."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "close", "Close"),
        Binding("j", "move(1)", "Next field", show=False),
        Binding("k", "move(-1)", "Previous field", show=False),
        Binding("c", "copy_line", "Copy line"),
        Binding("y", "copy_value", "Copy value"),
        Binding("i", "include", "Include field"),
        Binding("x", "exclude", "Exclude field"),
        Binding("t", "open_task", "Open task"),
        Binding("C", "context", "Context", key_display="C"),
    ]

    DEFAULT_CSS = """
    DetailScreen {
        align: center middle;
    }
    DetailScreen > #detail-box {
        width: 96%;
        height: 94%;
        border: round $accent;
        border-title-color: $text;
        background: $surface;
        padding: 0 1;
    }
    DetailScreen #detail-summary {
        height: auto;
        margin-bottom: 1;
    }
    DetailScreen #detail-fields {
        height: auto;
        max-height: 40%;
        margin-bottom: 1;
    }
    DetailScreen #detail-line {
        height: 1fr;
        min-height: 3;
        border-top: solid $primary-muted;
    }
    """

    def __init__(
        self,
        entry: Entry,
        *,
        level: Level | None = None,
        utc: bool = False,
        indexed: Collection[str] | None = None,
    ) -> None:
        """Show `entry`; `indexed` names the labels Loki indexes (None: every label is one)."""
        super().__init__()
        self.entry = entry
        self.indexed = indexed
        self.level = (
            detect_level(entry.line, entry.labels, entry.metadata, entry.parsed)
            if level is None
            else level
        )
        self.utc = utc
        decoded = line_format(entry.line)
        self.fields: list[EntryField] = entry_fields(entry, decoded, indexed=indexed)
        self.format_name, self._lines = body_lines(entry.line, decoded)

    def compose(self) -> ComposeResult:
        with Vertical(id="detail-box") as box:
            box.border_title = "Entry"
            yield Static(self._summary(), id="detail-summary")
            yield DataTable[Text](
                id="detail-fields", cursor_type="row", zebra_stripes=True
            )
            yield EntryText(self._lines, id="detail-line")
        yield Footer()

    def on_mount(self) -> None:
        table: DataTable[Text] = self.query_one("#detail-fields", DataTable)
        table.add_columns("source", "field", "value")
        for index, field in enumerate(self.fields):
            table.add_row(
                Text(field.source, style="dim"),
                Text(display_safe(field.name, 200)),
                Text(display_safe(field.value, TABLE_VALUE_CHARS)),
                key=str(index),
            )

        if self.fields:
            table.focus()
        else:
            table.display = False
            self.query_one(EntryText).focus()

    def _summary(self) -> Text:
        entry = self.entry
        size = len(entry.line.encode("utf-8", errors="surrogatepass"))
        summary = Text()
        summary.append_text(badge(self.level))

        # The zone the log view shows comes first.
        zones = [(True, "UTC"), (False, "local")]
        if not self.utc:
            zones.reverse()
        for number, (utc, name) in enumerate(zones):
            indent = "  " if number == 0 else "\n       "
            summary.append(f"{indent}{format_rfc3339_ns(entry.ts_ns, utc=utc)}")
            summary.append(f"  {name}", style="dim")

        summary.append(f"\n       {entry.ts_ns}")
        summary.append("  ns since the epoch", style="dim")
        summary.append("\nstream ", style="dim")
        summary.append(display_safe(labels_text(stream_labels(entry.labels, self.indexed)), 2000))
        extracted = parsed_labels(entry.labels, self.indexed)
        if extracted:
            summary.append("\nparsed ", style="dim")
            summary.append(display_safe(labels_text(extracted), 2000))
        summary.append("\nline   ", style="dim")
        summary.append(f"{self.format_name}, {size:,} bytes")
        if self.format_name == "text" and len(self._lines) > 1:
            summary.append(f", {len(self._lines):,} lines")
        return summary

    def selected_field(self) -> EntryField | None:
        """Return the field under the table cursor, or None when there are none."""
        if not self.fields:
            return None

        table: DataTable[Text] = self.query_one("#detail-fields", DataTable)
        row = table.cursor_row
        if 0 <= row < len(self.fields):
            return self.fields[row]
        return None

    def action_close(self) -> None:
        """Close the screen without an action."""
        self.dismiss(None)

    def action_move(self, delta: int) -> None:
        """Move the field table's cursor by `delta` rows; scroll the line view when it has focus."""
        table: DataTable[Text] = self.query_one("#detail-fields", DataTable)
        if table.display and not self.query_one(EntryText).has_focus:
            table.move_cursor(row=max(table.cursor_row + delta, 0))
            return
        text = self.query_one(EntryText)
        text.scroll_relative(y=delta, animate=False)

    def _copy(self, text: str, what: str) -> None:
        """Copy `text` to the clipboard and say how; the screen stays open."""
        outcome = copy_text(cast("App[object]", self.app), text, what)
        self.notify(escape(outcome), timeout=4)

    def action_copy_line(self) -> None:
        """Copy the whole line to the clipboard."""
        self._copy(self.entry.line, "the line")

    def action_copy_value(self) -> None:
        """Copy the selected field's value to the clipboard."""
        field = self.selected_field()
        if field is None:
            self.notify("This entry has no fields to copy.", severity="warning")
            return
        self._copy(field.value, f"the value of {field.name}")

    def _filter(self, kind: DetailActionKind) -> None:
        field = self.selected_field()
        if field is None:
            self.notify("This entry has no fields to filter on.", severity="warning")
            return
        self.dismiss(DetailAction(kind, field.name, field.value, field.source))

    def action_include(self) -> None:
        """Close and ask for the selected field as an include filter (`field = value`)."""
        self._filter("include")

    def action_exclude(self) -> None:
        """Close and ask for the selected field as an exclude filter (`field != value`)."""
        self._filter("exclude")

    def action_open_task(self) -> None:
        """Close and ask for the pane of the entry's task (`task_id`)."""
        task_id = find_task_id(self.fields)
        if task_id is None:
            self.notify(
                "No task_id in the labels, metadata or line of this entry.", severity="warning"
            )
            return

        source = next(f.source for f in self.fields if f.name == "task_id" and f.value)
        self.dismiss(DetailAction("open_task", "task_id", task_id, source))

    def action_context(self) -> None:
        """Close and ask for the entries around this one."""
        self.dismiss(DetailAction("context"))
