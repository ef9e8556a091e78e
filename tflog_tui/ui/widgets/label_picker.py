"""Pick stream selector matchers from the label names and values Loki has for a range."""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from rich.text import Text
from textual import events, on
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.message import Message
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Input, OptionList, Select, Static
from textual.widgets.option_list import Option

from tflog_tui.logql import escape_string
from tflog_tui.logql.builder import STRING_OPS, MatcherSpec, QueryModel
from tflog_tui.loki.errors import LokiError
from tflog_tui.ui.widgets.spec_list import SpecList

if TYPE_CHECKING:
    from tflog_tui.loki import LokiClient

logger = logging.getLogger(__name__)

MAX_VALUES_SHOWN: Final = 200
"""Values listed under the value field at once; typing narrows the list."""

MAX_VALUES_COUNTED: Final = 500
"""Above this many values, streams are not counted per value: `/series` would list every
stream of the label, and for a per-run label such as `task_id` each count is 1 anyway."""


def describe_matcher(matcher: MatcherSpec) -> str:
    """Print a matcher as it appears in the selector, with regex-escaping applied."""
    printed = QueryModel(matchers=[matcher]).to_ast()
    text = str(printed)
    return text[1:-1] if text.startswith("{") and text.endswith("}") else text


class LabelPicker(Widget):
    """Edit the stream selector: label names and values come from Loki for `time_range()`.

    Values of `=~` and `!~` matchers are plain text that is regex-escaped, unless the
    "regex" box is ticked. Stream counts next to values come from `/series` and are
    left out when that request fails or the label has more than `MAX_VALUES_COUNTED`
    values.
    """

    DEFAULT_CSS = """
    LabelPicker {
        height: auto;
    }
    LabelPicker > Horizontal {
        height: auto;
    }
    LabelPicker Button {
        width: auto;
        min-width: 5;
    }
    LabelPicker #label-name {
        width: 20;
    }
    LabelPicker #label-op {
        width: 7;
    }
    LabelPicker #label-value {
        width: 1fr;
        min-width: 16;
        margin: 0 1;
    }
    LabelPicker #label-values {
        height: auto;
        max-height: 6;
    }
    LabelPicker .label-picker--status {
        color: $text-muted;
        height: auto;
    }
    """

    @dataclass
    class Changed(Message):
        """The matchers changed."""

        picker: LabelPicker

        @property
        def control(self) -> LabelPicker:
            """The picker that changed."""
            return self.picker

    def __init__(
        self,
        client: LokiClient,
        time_range: Callable[[], tuple[int, int]],
        *,
        id: str | None = None,
    ) -> None:
        super().__init__(id=id)
        self.client = client
        self.time_range = time_range
        self.values: list[str] = []
        self.stream_counts: dict[str, int] = {}
        self._label_names: list[str] = []
        self._shown: list[str] = []
        self._values_of = ""
        """The label whose values `values` holds."""
        self.unseen: set[tuple[str, str]] = set()
        """(label, value) pairs added from typed text that Loki did not list for the range."""

    def compose(self) -> ComposeResult:
        with Horizontal():
            yield Select[str]([], prompt="label", id="label-name", compact=True)
            yield Select[str](
                [(op, op) for op in STRING_OPS],
                value="=",
                allow_blank=False,
                id="label-op",
                compact=True,
            )
            yield Input(placeholder="value (type to filter)", id="label-value", compact=True)
            yield Checkbox("regex", id="label-regex", compact=True)
            yield Button("Add", id="label-add", compact=True)
        yield OptionList(id="label-values", compact=True)
        yield Static("", classes="label-picker--status", markup=False)
        yield SpecList(describe_matcher, empty_text="no matchers yet", id="matchers")

    def on_mount(self) -> None:
        """Load the label names."""
        self._set_status("")
        self._show_values()
        self.run_worker(self._load_names(), group="label-names", exit_on_error=False)

    # --- public ----------------------------------------------------------

    @property
    def matchers(self) -> list[MatcherSpec]:
        """The matchers added so far."""
        return list(self.query_one("#matchers", SpecList).specs)

    def set_matchers(self, matchers: list[MatcherSpec]) -> None:
        """Replace the matchers."""
        self.query_one("#matchers", SpecList).set_specs(matchers)

    @property
    def label_names(self) -> list[str]:
        """The label names Loki listed for the range."""
        return list(self._label_names)

    def pick(self, name: str, op: str, value: str, *, regex: bool = False) -> None:
        """Fill the editor fields, as a user would, without adding the matcher."""
        if name not in self._label_names:
            self._set_names([*self._label_names, name])
        self.query_one("#label-name", Select).value = name
        self.query_one("#label-op", Select).value = op
        self.query_one("#label-value", Input).value = value
        self.query_one("#label-regex", Checkbox).value = regex

    def add_current(self) -> bool:
        """Add the matcher in the editor fields; return False and show why when it is incomplete."""
        name_select = self.query_one("#label-name", Select)
        value_input = self.query_one("#label-value", Input)
        if name_select.is_blank():
            self._set_status("Pick a label first.")
            return False

        op = str(self.query_one("#label-op", Select).value)
        if op not in STRING_OPS:
            op = "="
        regex = self.query_one("#label-regex", Checkbox).value
        matcher = MatcherSpec(
            name=str(name_select.value),
            op=op,  # type: ignore[arg-type]
            value=value_input.value,
            literal=not regex,
        )
        listed = self._values_of == matcher.name and bool(self.values)
        if listed and not regex and op in ("=", "=~") and matcher.value not in self.values:
            self.unseen.add((matcher.name, matcher.value))
        self.query_one("#matchers", SpecList).add_spec(matcher)
        value_input.value = ""
        self._set_status("")
        return True

    def unseen_warnings(self) -> list[str]:
        """Name each matcher whose value was typed but not listed by Loki for the range."""
        warnings = []
        for matcher in self.matchers:
            if (matcher.name, matcher.value) in self.unseen:
                shown = describe_matcher(matcher)
                warnings.append(f"{shown}: no such value was seen in this range")
        return warnings

    # --- loading -----------------------------------------------------------

    def _set_status(self, text: str) -> None:
        status = self.query_one(".label-picker--status", Static)
        status.update(text)
        status.display = bool(text)

    async def _load_names(self) -> None:
        start_ns, end_ns = self.time_range()
        try:
            names = await self.client.labels(start_ns, end_ns)
        except LokiError as error:
            logger.warning("listing label names failed: %s", error)
            self._set_status(f"Cannot list labels: {error}")
            return

        self._set_names(names)
        if not self._label_names:
            self._set_status("Loki has no labels in this range.")

    def _set_names(self, names: list[str]) -> None:
        select = self.query_one("#label-name", Select)
        current = select.value
        self._label_names = sorted(set(names))
        select.set_options((name, name) for name in self._label_names)
        if current is not Select.NULL and current in self._label_names:
            select.value = current

    def _selector_for_others(self, name: str) -> str | None:
        """Return the selector of the matchers on other labels, to narrow the values listed."""
        others = [matcher for matcher in self.matchers if matcher.name != name]
        if not others:
            return None
        model = QueryModel(matchers=others)
        if model.validate():
            return None
        return model.to_logql()

    async def _load_values(self, name: str) -> None:
        start_ns, end_ns = self.time_range()
        query = self._selector_for_others(name)
        self._set_status(f"Loading values of {name}…")
        try:
            values = await self.client.label_values(
                name, query=query, start_ns=start_ns, end_ns=end_ns
            )
        except LokiError as error:
            logger.warning("listing values of label %s failed: %s", name, error)
            self._set_status(f"Cannot list the values of {name}: {error}")
            return

        self.values = sorted(values)
        self._values_of = name
        self.stream_counts = {}
        self._set_status(f"{len(self.values):,} values of {name}")
        self._show_values()
        if len(self.values) > MAX_VALUES_COUNTED:
            return

        selector = query[:-1] + ", " if query else "{"
        match = f"{selector}{name}=~{escape_string('.+')}}}"
        try:
            streams = await self.client.series([match], start_ns=start_ns, end_ns=end_ns)
        except LokiError as error:
            logger.info("counting streams per value of %s failed: %s", name, error)
            return

        counts = Counter(labels.get(name, "") for labels in streams)
        self.stream_counts = dict(counts)
        self._show_values()

    def _show_values(self) -> None:
        typed = self.query_one("#label-value", Input).value.lower()
        shown = [value for value in self.values if typed in value.lower()]
        options: list[Option] = []
        for value in shown[:MAX_VALUES_SHOWN]:
            text = Text(value)
            count = self.stream_counts.get(value)
            if count is not None:
                text.append(f"  {count:,} stream{'s' if count != 1 else ''}", style="dim")
            options.append(Option(text, id=None))
        if len(shown) > MAX_VALUES_SHOWN:
            more = len(shown) - MAX_VALUES_SHOWN
            options.append(
                Option(Text(f"… {more:,} more; type to narrow", style="dim"), disabled=True)
            )
        value_list = self.query_one("#label-values", OptionList)
        value_list.clear_options()
        value_list.add_options(options)
        value_list.display = bool(options)
        self._shown = shown[:MAX_VALUES_SHOWN]
        if self._shown:
            value_list.highlighted = 0

    # --- events ------------------------------------------------------------

    @on(Select.Changed, "#label-name")
    def _on_name_changed(self, event: Select.Changed) -> None:
        event.stop()
        self.values = []
        self._show_values()
        if event.value is Select.NULL:
            return
        self.run_worker(
            self._load_values(str(event.value)),
            group="label-values",
            exclusive=True,
            exit_on_error=False,
        )

    @on(Input.Changed, "#label-value")
    def _on_value_typed(self, event: Input.Changed) -> None:
        event.stop()
        self._show_values()

    def on_key(self, event: events.Key) -> None:
        """Move from the value field down into the list of values with `down`."""
        value_input = self.query_one("#label-value", Input)
        if event.key == "down" and value_input.has_focus and self._shown:
            event.stop()
            self.query_one("#label-values", OptionList).focus()

    @on(Input.Submitted, "#label-value")
    def _on_value_submitted(self, event: Input.Submitted) -> None:
        """Add the typed value when Loki lists it, else the highlighted value that matches it.

        Only when no listed value matches is the typed text added as it is.
        """
        event.stop()
        value_input = self.query_one("#label-value", Input)
        typed = value_input.value
        regex = self.query_one("#label-regex", Checkbox).value
        if not regex and typed not in self.values and self._shown:
            highlighted = self.query_one("#label-values", OptionList).highlighted
            index = highlighted if highlighted is not None else 0
            if index < len(self._shown):
                value_input.value = self._shown[index]
        self.add_current()

    @on(Button.Pressed, "#label-add")
    def _on_add_pressed(self, event: Button.Pressed) -> None:
        event.stop()
        self.add_current()

    @on(OptionList.OptionSelected, "#label-values")
    def _on_value_chosen(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option_index >= len(self._shown):
            return
        self.query_one("#label-value", Input).value = self._shown[event.option_index]
        self.add_current()

    @on(SpecList.EditRequested, "#matchers")
    def _on_edit(self, event: SpecList.EditRequested) -> None:
        event.stop()
        matcher: MatcherSpec = event.spec
        self.pick(matcher.name, matcher.op, matcher.value, regex=not matcher.literal)
        self.query_one("#label-value", Input).focus()

    @on(SpecList.Changed, "#matchers")
    def _on_matchers_changed(self, event: SpecList.Changed) -> None:
        event.stop()
        self.post_message(self.Changed(self))
