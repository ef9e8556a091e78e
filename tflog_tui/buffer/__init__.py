"""Pane buffers: bounded columnar storage, level detection, views, search and safe text.

Nothing here imports Textual or Rich.
"""

from tflog_tui.buffer.levels import (
    ALL_LEVELS,
    LEVEL_COLOURS,
    Level,
    detect_level,
    detect_line_level,
    level_from_labels,
    normalize_level,
)
from tflog_tui.buffer.pane_buffer import DEFAULT_CAPACITY, PaneBuffer
from tflog_tui.buffer.safe_text import (
    DEFAULT_MAX_CHARS,
    PLAIN_STYLE,
    SgrStyle,
    cell_width,
    display_text,
    plain_text,
    sgr_spans,
)
from tflog_tui.buffer.search import LineMatcher, SearchPatternError
from tflog_tui.buffer.views import DEFAULT_CHUNK_ROWS, RowView

__all__ = [
    "ALL_LEVELS",
    "DEFAULT_CAPACITY",
    "DEFAULT_CHUNK_ROWS",
    "DEFAULT_MAX_CHARS",
    "LEVEL_COLOURS",
    "PLAIN_STYLE",
    "Level",
    "LineMatcher",
    "PaneBuffer",
    "RowView",
    "SearchPatternError",
    "SgrStyle",
    "cell_width",
    "detect_level",
    "detect_line_level",
    "display_text",
    "level_from_labels",
    "normalize_level",
    "plain_text",
    "sgr_spans",
]
