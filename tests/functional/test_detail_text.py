"""Wrapping in the detail view's text: rows never exceed the width and split no character."""

from __future__ import annotations

import pytest
from rich.cells import cell_len

from tflog_tui.ui.widgets.entry_text import _split_by_cells, _split_graphemes

TEXTS = {
    "ascii": "x" * 250,
    "cjk": "错误: 任务失败 " * 40,
    "mixed": "ab错c" * 30,
    "combining": "é́́ zalgo " * 20,
    "emoji-sequence": "👩‍💻 dev ☺️ " * 20,
    "single-wide": "错",
}


@pytest.mark.parametrize("name", list(TEXTS))
@pytest.mark.parametrize("width", [1, 9, 96])
def test_rows_fit_width(name: str, width: int) -> None:
    text = TEXTS[name]

    starts = _split_by_cells(text, width)
    rows = [text[start:end] for start, end in zip(starts, [*starts[1:], len(text)], strict=True)]

    assert "".join(rows) == text
    assert all(row for row in rows)
    if width > 1:
        assert all(cell_len(row) <= width for row in rows)


@pytest.mark.parametrize("name", ["cjk", "mixed", "combining", "single-wide"])
def test_fast_split_matches_graphemes(name: str) -> None:
    text = TEXTS[name]

    assert _split_by_cells(text, 9) == _split_graphemes(text, 9)
