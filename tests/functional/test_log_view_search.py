"""Search over many rows: chunked literal search, regular expressions, both directions."""

from __future__ import annotations

import re

import pytest
from log_view_app import LogViewApp, entries

from tflog_tui.buffer import Level, PaneBuffer
from tflog_tui.ui.widgets.log_search import SEARCH_CHUNK, find_match

LINES = [f"row {n} ok" for n in range(10_000)]


def lines_at(start: int, stop: int) -> list[str]:
    return LINES[start:stop]


@pytest.mark.parametrize("literal", [True, False], ids=["literal", "regex"])
def test_find_match_forward_and_back(literal: bool) -> None:
    pattern = re.compile(re.escape("row 9000 ") if literal else r"^row 9000 ")

    assert find_match(pattern, lines_at, 0, len(LINES), forward=True, literal=literal) == 9000
    assert find_match(pattern, lines_at, 9001, len(LINES), forward=True, literal=literal) is None
    assert find_match(pattern, lines_at, 9999, len(LINES), forward=False, literal=literal) == 9000
    assert find_match(pattern, lines_at, 8999, len(LINES), forward=False, literal=literal) is None


def test_find_match_across_chunks() -> None:
    pattern = re.compile(re.escape(f"row {SEARCH_CHUNK} "))

    found = find_match(pattern, lines_at, 1, len(LINES), forward=True, literal=True)

    assert found == SEARCH_CHUNK


def test_literal_never_matches_across_lines() -> None:
    pattern = re.compile(re.escape("ok\nrow 5"))

    assert find_match(pattern, lines_at, 0, len(LINES), forward=True, literal=True) is None
    assert find_match(pattern, lines_at, 9999, len(LINES), forward=False, literal=True) is None


def test_literal_finds_later_hit_in_same_line() -> None:
    lines = ["a x", "y b", "c"]
    pattern = re.compile(re.escape("x\ny"))

    def chunk(start: int, stop: int) -> list[str]:
        return lines[start:stop]

    assert find_match(pattern, chunk, 0, 3, forward=True, literal=True) is None
    assert find_match(re.compile("b"), chunk, 0, 3, forward=True, literal=True) == 1


def test_regex_anchors_apply_per_line() -> None:
    pattern = re.compile(r"ok$")

    assert find_match(pattern, lines_at, 0, len(LINES), forward=True, literal=False) == 0
    assert find_match(pattern, lines_at, 500, len(LINES), forward=False, literal=False) == 500


async def test_search_many_rows_in_view() -> None:
    buffer = PaneBuffer()
    buffer.append(entries([f"level=info step {n}" for n in range(20_000)]))
    app = LogViewApp(buffer)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.log_view
        view.action_first()

        view.set_search("STEP 19999")
        assert view.cursor_row == buffer.row_id(19_999)

        view.set_search(r"step 1\d{3}$", regex=True)
        assert view.cursor_row == buffer.row_id(1_000)
        assert view.next_match(forward=False) is True
        assert view.cursor_row == buffer.row_id(1_999)


async def test_search_in_filtered_view() -> None:
    lines = [f"level={'error' if n % 100 == 0 else 'info'} step {n}" for n in range(10_000)]
    buffer = PaneBuffer()
    buffer.append(entries(lines))
    app = LogViewApp(buffer)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.log_view
        view.set_levels({Level.ERROR})
        view.action_first()

        view.set_search("step 5")
        assert view.cursor_row == buffer.row_id(500)
        assert view.cursor_index == 5

        view.next_match()
        assert view.cursor_row == buffer.row_id(5_000)


async def test_search_screen_toggles() -> None:
    buffer = PaneBuffer()
    buffer.append(entries([f"level=info Step {n}" for n in range(3_000)]))
    app = LogViewApp(buffer)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        view = app.log_view
        view.action_first()

        await pilot.press("slash")
        await pilot.pause()
        await pilot.press(*r"Step 2\d{3}$", "ctrl+r", "ctrl+t", "enter")
        await pilot.pause()
        assert view.cursor_row == buffer.row_id(2_000)
        assert view.search_pattern is not None
        assert view.search_pattern.flags & re.IGNORECASE == 0

        await pilot.press("slash")
        await pilot.pause()
        await pilot.press("ctrl+a", "ctrl+k", *"STEP 1", "ctrl+t", "enter")
        await pilot.pause()
        assert view.search_pattern is not None
        assert view.search_pattern.flags & re.IGNORECASE
        await pilot.press("N")
        assert view.cursor_row == buffer.row_id(1_999)
