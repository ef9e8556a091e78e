"""Edit the label filters after the parser stage: string, number, duration and bytes tests."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.suggester import SuggestFromList
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, Select, Static

from tflog_tui.logql import escape_string
from tflog_tui.logql.builder import NUMBER_OPS, STRING_OPS, LabelFilterKind, LabelFilterSpec
from tflog_tui.logql.escape import escape_regex
from tflog_tui.ui.widgets.spec_list import SpecList

KINDS: Final[tuple[LabelFilterKind, ...]] = ("string", "number", "duration", "bytes")
MAX_FIELDS_LISTED: Final = 30
"""Field names shown in the hint line; the suggester offers all of them."""


def describe_label_filter(item: LabelFilterSpec) -> str:
    """Print a label filter roughly as LogQL, e.g. `status >= 500` or `msg =~ "a\\.b"`."""
    if item.kind != "string":
        return f"{item.name} {item.op} {item.value}  ({item.kind})"

    value = item.value
    if item.literal and item.op in ("=~", "!~"):
        value = escape_regex(value)
    return f"{item.name} {item.op} {escape_string(value)}"


class LabelFilterList(Widget):
    """Add, edit and remove label filters; `set_fields` offers field names seen in the pane."""

    DEFAULT_CSS = """
    LabelFilterList {
        height: auto;
    }
    LabelFilterList > Horizontal {
        height: auto;
    }
    LabelFilterList Button {
        width: auto;
        min-width: 5;
    }
    LabelFilterList #label-filter-name {
        width: 16;
    }
    LabelFilterList #label-filter-kind {
        width: 12;
    }
    LabelFilterList #label-filter-op {
        width: 7;
    }
    LabelFilterList #label-filter-value {
        width: 1fr;
        min-width: 12;
        margin: 0 1;
    }
    LabelFilterList .label-filter-list--fields {
        color: $text-muted;
        height: auto;
    }
    """

    @dataclass
    class Changed(Message):
        """The label filters changed."""

        label_filter_list: LabelFilterList

        @property
        def control(self) -> LabelFilterList:
            """The list that changed."""
            return self.label_filter_list

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.fields: list[str] = []

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Input(placeholder="field", id="label-filter-name", compact=True)
            yield Select[str](
                [(kind, kind) for kind in KINDS],
                value="string",
                allow_blank=False,
                id="label-filter-kind",
                compact=True,
            )
            yield Select[str](
                [(op, op) for op in STRING_OPS],
                value="=",
                allow_blank=False,
                id="label-filter-op",
                compact=True,
            )
            yield Input(placeholder="text, 500, 250ms, 20MB", id="label-filter-value", compact=True)
            yield Checkbox("regex", id="label-filter-regex", compact=True)
            yield Button("Add", id="label-filter-add", compact=True)
        yield Static("", classes="label-filter-list--fields")
        yield SpecList(describe_label_filter, empty_text="no label filters", id="label-filters")

    @property
    def filters(self) -> list[LabelFilterSpec]:
        """The label filters, in query order."""
        return list(self.query_one("#label-filters", SpecList).specs)

    def set_filters(self, filters: list[LabelFilterSpec]) -> None:
        """Replace the label filters."""
        self.query_one("#label-filters", SpecList).set_specs(filters)

    def set_fields(self, fields: list[str], source: str) -> None:
        """Offer `fields` (seen in the pane's lines by `source`) as names to filter on."""
        self.fields = list(fields)
        self.query_one("#label-filter-name", Input).suggester = SuggestFromList(
            self.fields, case_sensitive=False
        )
        hint = Text(style="dim")
        if self.fields:
            listed = ", ".join(self.fields[:MAX_FIELDS_LISTED])
            more = len(self.fields) - MAX_FIELDS_LISTED
            hint.append(f"fields seen by {source}: {listed}")
            if more > 0:
                hint.append(f" and {more} more")
        else:
            hint.append(f"no fields seen by {source} in the pane's lines")
        self.query_one(".label-filter-list--fields", Static).update(hint)

    def fill(self, item: LabelFilterSpec) -> None:
        """Load `item` into the editor fields without adding it."""
        self.query_one("#label-filter-name", Input).value = item.name
        self.query_one("#label-filter-kind", Select).value = item.kind
        self._set_ops(item.kind)
        self.query_one("#label-filter-op", Select).value = item.op
        self.query_one("#label-filter-value", Input).value = item.value
        self.query_one("#label-filter-regex", Checkbox).value = not item.literal

    def add_current(self) -> bool:
        """Add the filter in the editor fields; return False when the field name is empty."""
        name_input = self.query_one("#label-filter-name", Input)
        value_input = self.query_one("#label-filter-value", Input)
        name = name_input.value.strip()
        if not name:
            return False

        item = LabelFilterSpec(
            name=name,
            op=str(self.query_one("#label-filter-op", Select).value),
            value=value_input.value,
            kind=str(self.query_one("#label-filter-kind", Select).value),  # type: ignore[arg-type]
            literal=not self.query_one("#label-filter-regex", Checkbox).value,
        )
        self.query_one("#label-filters", SpecList).add_spec(item)
        name_input.value = ""
        value_input.value = ""
        return True

    def _set_ops(self, kind: str) -> None:
        op_select = self.query_one("#label-filter-op", Select)
        ops = STRING_OPS if kind == "string" else NUMBER_OPS
        current = op_select.value
        op_select.set_options((op, op) for op in ops)
        op_select.value = current if current in ops else ops[0]
        self.query_one("#label-filter-regex", Checkbox).display = kind == "string"

    @on(Select.Changed, "#label-filter-kind")
    def _on_kind_changed(self, event: Select.Changed) -> None:
        event.stop()
        self._set_ops(str(event.value))

    @on(Input.Submitted, "#label-filter-value")
    def _on_submitted(self, event: Input.Submitted) -> None:
        event.stop()
        self.add_current()

    @on(Button.Pressed, "#label-filter-add")
    def _on_add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.add_current()

    @on(SpecList.EditRequested, "#label-filters")
    def _on_edit(self, event: SpecList.EditRequested) -> None:
        event.stop()
        self.fill(event.spec)
        self.query_one("#label-filter-value", Input).focus()

    @on(SpecList.Changed, "#label-filters")
    def _on_changed(self, event: SpecList.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self))
