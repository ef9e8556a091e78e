"""The range picker: a preset (last 5m … last 90d) or a custom from/to."""

from __future__ import annotations

from collections.abc import Callable
from typing import ClassVar

from rich.text import Text
from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Label, OptionList, Static
from textual.widgets.option_list import Option

from tflog_tui.times import resolve_time

PRESETS: tuple[str, ...] = ("5m", "15m", "1h", "6h", "24h", "7d", "30d", "90d")
"""Preset ranges ending now, as durations."""


class RangePicker(ModalScreen[tuple[str, str] | None]):
    """Pick a range; the result is (from, to) as `now-1h`/`now` or RFC3339 text, or None."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "dismiss(None)", "Cancel")]

    DEFAULT_CSS = """
    RangePicker {
        align: center middle;
    }
    RangePicker > Vertical {
        width: 60;
        max-width: 100%;
        height: auto;
        max-height: 100%;
        border: round $accent;
        background: $panel;
        padding: 0 1;
    }
    RangePicker OptionList {
        height: auto;
        max-height: 10;
    }
    RangePicker Horizontal {
        height: 1;
        margin-top: 1;
    }
    RangePicker Horizontal Label {
        width: 6;
    }
    RangePicker Input {
        width: 1fr;
    }
    RangePicker #range-error {
        color: $error;
        height: auto;
    }
    """

    def __init__(self, range_from: str, range_to: str, clock: Callable[[], int]) -> None:
        super().__init__()
        self.range_from = range_from
        self.range_to = range_to
        self.clock = clock

    def compose(self) -> ComposeResult:
        with Vertical():
            yield Label("Range: pick a preset, or type from/to and press enter")
            options = [Option(f"last {preset}", id=f"now-{preset}") for preset in PRESETS]
            yield OptionList(*options, id="range-presets")
            with Horizontal():
                yield Label("from")
                yield Input(self.range_from, id="range-from", compact=True)
            with Horizontal():
                yield Label("to")
                yield Input(self.range_to, id="range-to", compact=True)
            yield Static(
                Text("RFC3339 (2026-12-04T10:00:00Z) or relative (now-2h, now)", style="dim"),
                id="range-help",
            )
            yield Static("", id="range-error", markup=False)

    def on_mount(self) -> None:
        """Put the cursor on the current preset, if the range is one."""
        option_list = self.query_one(OptionList)
        if self.range_to == "now":
            for index, preset in enumerate(PRESETS):
                if self.range_from == f"now-{preset}":
                    option_list.highlighted = index
        option_list.focus()

    @on(OptionList.OptionSelected)
    def _on_preset(self, event: OptionList.OptionSelected) -> None:
        event.stop()
        if event.option.id is not None:
            self.dismiss((event.option.id, "now"))

    @on(Input.Submitted)
    def _on_custom(self, event: Input.Submitted) -> None:
        event.stop()
        range_from = self.query_one("#range-from", Input).value.strip()
        range_to = self.query_one("#range-to", Input).value.strip() or "now"
        error = self.validate(range_from, range_to)
        if error:
            self.query_one("#range-error", Static).update(error)
            return
        self.dismiss((range_from, range_to))

    def validate(self, range_from: str, range_to: str) -> str:
        """Return an error message for an invalid range, or an empty string."""
        now_ns = self.clock()
        try:
            start_ns = resolve_time(range_from, now_ns)
        except ValueError as error:
            return f"Invalid 'from' {range_from!r}: {error}"
        try:
            end_ns = resolve_time(range_to, now_ns, round_up=True)
        except ValueError as error:
            return f"Invalid 'to' {range_to!r}: {error}"
        if start_ns >= end_ns:
            return f"'from' ({range_from}) must be before 'to' ({range_to})."
        return ""
