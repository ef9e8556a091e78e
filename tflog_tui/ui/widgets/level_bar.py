"""The level filter bar: one toggle per level with the number of entries at that level."""

from __future__ import annotations

from dataclasses import dataclass

from rich.text import Text
from textual import events
from textual.message import Message
from textual.widget import Widget

from tflog_tui.buffer.levels import LEVEL_COLOURS, Level

SHORT_NAMES: dict[Level, str] = {
    Level.CRITICAL: "crit",
    Level.ERROR: "err",
    Level.WARNING: "warn",
    Level.INFO: "info",
    Level.DEBUG: "debug",
    Level.TRACE: "trace",
    Level.UNKNOWN: "unknown",
}

LETTERS: dict[Level, str] = {level: name[0].upper() for level, name in SHORT_NAMES.items()}


def compact_count(value: int) -> str:
    """Format a count below a billion in at most five cells: `999`, `12.3k`, `1.2M`.

    Counts are rounded down, so `99,999` shows as `99.9k`, never `100k`.
    """
    if value < 1000:
        return str(value)
    if value < 100_000:
        return f"{value // 100 / 10:.1f}k".replace(".0k", "k")
    if value < 1_000_000:
        return f"{value // 1000}k"
    if value < 100_000_000:
        return f"{value // 100_000 / 10:.1f}M".replace(".0M", "M")
    return f"{value // 1_000_000}M"


class LevelBar(Widget):
    """Show the level toggles `1`–`7` and a live count for each level.

    The bar only displays state; the pane owns the selected levels and
    calls `update_levels`. A click on a toggle posts `LevelBar.Toggled`.
    """

    DEFAULT_CSS = """
    LevelBar {
        height: 1;
        width: 1fr;
    }
    """

    @dataclass
    class Toggled(Message):
        """Request to show or hide one level."""

        level: Level

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.enabled: set[Level] = set(Level)
        self.counts: dict[Level, int] = dict.fromkeys(Level, 0)
        self._spans: list[tuple[int, int, Level]] = []

    def update_levels(self, enabled: set[Level], counts: dict[Level, int]) -> None:
        """Show `enabled` levels as on and `counts` (entries per level) beside each."""
        if enabled == self.enabled and counts == self.counts:
            return
        self.enabled = set(enabled)
        self.counts = dict(counts)
        self.refresh()

    def render(self) -> Text:
        """Render the toggles, with one-letter names when the full names do not fit."""
        text = self._render_with(SHORT_NAMES)
        if text.cell_len > self.size.width:
            text = self._render_with(LETTERS)
        return text

    def _render_with(self, names: dict[Level, str]) -> Text:
        text = Text(no_wrap=True, overflow="ellipsis")
        spans: list[tuple[int, int, Level]] = []
        for level in Level:
            start = text.cell_len
            on = level in self.enabled
            key_style = "bold reverse" if on else "dim"
            text.append(f"{level.value}", style=key_style)
            name_style = f"bold {LEVEL_COLOURS[level]}" if on else "dim strike"
            text.append(f" {names[level]} ", style=name_style)
            text.append(compact_count(self.counts.get(level, 0)), style="" if on else "dim")
            spans.append((start, text.cell_len, level))
            text.append("  ")
        self._spans = spans
        text.rstrip()
        return text

    def on_click(self, event: events.Click) -> None:
        """Toggle the level under the pointer."""
        for start, end, level in self._spans:
            if start <= event.x < end:
                self.post_message(self.Toggled(level))
                return
