"""Level filters: toggles 1–7 with live counts, next error, and pushing levels into the query."""

from __future__ import annotations

from app_helpers import NOW_NS, make_settings, wait_for

from tflog_tui.buffer import Level
from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.logql import parse_log_query
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.widgets.level_bar import compact_count
from tflog_tui.ui.widgets.pane import Pane

BILLING = '{service_name="billing-sync"}'


async def open_billing(pilot: object, app: TflogApp) -> Pane:
    """Wait for the pane the settings opened and for its range query."""
    await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
    pane = app.panes()[0]
    await wait_for(pilot, lambda: pane.state.loaded, what="the range query")
    await pilot.pause(0.2)  # type: ignore[attr-defined]
    return pane


async def test_level_bar_counts(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_billing(pilot, app)

        counts = pane.level_bar.counts
        assert counts[Level.INFO] == 12
        assert counts[Level.DEBUG] == 4
        assert counts[Level.WARNING] == 2
        assert counts[Level.ERROR] == 2
        assert counts[Level.CRITICAL] == 0
        rendered = pane.level_bar.render().plain
        assert "2 err 2" in rendered
        assert "4 info 12" in rendered


async def test_level_keys_filter_rows(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_billing(pilot, app)
        assert pane.log_view.row_count == 20

        await pilot.press("4")
        assert pane.log_view.row_count == 8
        assert Level.INFO not in pane.state.levels
        assert Level.INFO not in pane.level_bar.enabled

        await pilot.press("5")
        assert pane.log_view.row_count == 4

        await pilot.press("0")
        assert pane.log_view.row_count == 20
        assert pane.state.levels == set(Level)


async def test_next_error_moves_cursor(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_billing(pilot, app)
        await pilot.press("g")

        await pilot.press("e")
        row = pane.log_view.cursor_row
        assert row is not None
        buffer = pane.state.buffer
        index = buffer.row_of(row)
        assert index is not None
        assert buffer.level(index) == Level.ERROR
        assert "INV-2201" in buffer.line(index)
        assert "7f3a9c2e" in buffer.line(index)


async def test_push_levels_into_query(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_billing(pilot, app)
        for key in "34567":
            await pilot.press(key)

        await pilot.press("L")
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="re-run")
        await pilot.pause(0.2)

        parsed = parse_log_query(pane.state.query)
        assert pane.state.query.startswith(BILLING + ' | json | level=~"(?i)critical|')
        assert len(parsed.pipeline) == 2
        assert pane.query_bar.value == pane.state.query
        assert len(pane.state.buffer) == 2


async def test_click_toggles_level(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await open_billing(pilot, app)
        pane.level_bar.render()
        start, _, level = next(span for span in pane.level_bar._spans if span[2] == Level.ERROR)

        await pilot.click(pane.level_bar, offset=(start + 1, 0))
        await pilot.pause(0.1)

        assert level == Level.ERROR
        assert Level.ERROR not in pane.state.levels
        assert pane.log_view.row_count == 18


def test_compact_count_fits_five_cells() -> None:
    cases = {
        0: "0",
        999: "999",
        1000: "1k",
        12_345: "12.3k",
        99_999: "99.9k",
        100_000: "100k",
        999_999: "999k",
        1_000_000: "1M",
        1_250_000: "1.2M",
        99_999_999: "99.9M",
        123_456_789: "123M",
    }
    for value, expected in cases.items():
        assert compact_count(value) == expected
        assert len(compact_count(value)) <= 5
