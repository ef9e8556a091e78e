"""Search in a pane: `/` opens the search, `n` and `N` move between matches."""

from __future__ import annotations

from app_helpers import NOW_NS, make_settings, wait_for

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.screens.search import SearchScreen
from tflog_tui.ui.widgets.pane import Pane

BILLING = '{service_name="billing-sync"}'


def cursor_line(pane: Pane) -> tuple[int, str]:
    """Return the buffer index and the line under the cursor."""
    row_id = pane.log_view.cursor_row
    assert row_id is not None
    index = pane.state.buffer.row_of(row_id)
    assert index is not None
    return index, pane.state.buffer.line(index)


async def test_search_and_next_match(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded, what="the range query")
        await pilot.pause(0.2)
        await pilot.press("g")

        await pilot.press("slash")
        await wait_for(pilot, lambda: isinstance(app.screen, SearchScreen), what="the search")
        await pilot.press(*"INV-2201", "enter")
        await pilot.pause(0.1)
        first_index, first = cursor_line(pane)
        await pilot.press("n")
        second_index, second = cursor_line(pane)
        await pilot.press("n")
        third_index, third = cursor_line(pane)
        await pilot.press("N")
        back_index, _ = cursor_line(pane)

        assert "INV-2201" in first
        assert "INV-2201" in second
        assert "INV-2201" in third
        assert first_index < second_index < third_index
        assert back_index == second_index
        assert pane.log_view.follow is False
