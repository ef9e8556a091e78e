"""The level badge shown before each log row and in the detail screen, in Grafana's colours."""

from __future__ import annotations

from functools import cache

from rich.style import Style
from rich.text import Text

from tflog_tui.buffer.levels import LEVEL_COLOURS, Level

BADGE_CELLS = 5
"""Width of every badge, in cells, so rows stay aligned."""

LEVEL_BADGES: dict[Level, str] = {
    Level.CRITICAL: "CRIT",
    Level.ERROR: "ERROR",
    Level.WARNING: "WARN",
    Level.INFO: "INFO",
    Level.DEBUG: "DEBUG",
    Level.TRACE: "TRACE",
    Level.UNKNOWN: "-",
}


@cache
def badge_style(level: Level) -> Style:
    """Return the style of the badge of `level`: bold, in the level's colour."""
    return Style(color=LEVEL_COLOURS[level], bold=level <= Level.WARNING)


def badge_text(level: Level) -> str:
    """Return the badge of `level`, padded to `BADGE_CELLS`."""
    return LEVEL_BADGES[level].ljust(BADGE_CELLS)


def badge(level: Level) -> Text:
    """Return the styled badge of `level`."""
    return Text(badge_text(level), style=badge_style(level))
