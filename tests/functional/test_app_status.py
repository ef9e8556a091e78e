"""Status line counts and the footer: lines held, the limit of range results, the keys shown."""

from __future__ import annotations

import html
import re

from app_helpers import NOW_NS, make_settings, wait_for

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.widgets.pane import Pane

BILLING = '{service_name="billing-sync"}'


async def loaded_pane(pilot: object, app: TflogApp) -> Pane:
    await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
    pane = app.panes()[0]
    await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
    await pilot.pause(0.2)  # type: ignore[attr-defined]
    return pane


def status_text(app: TflogApp) -> str:
    return app.status_line.pane_text().plain


def screen_rows(app: TflogApp) -> list[str]:
    """Return the text of each screen row, read from an SVG screenshot."""
    svg = app.export_screenshot()
    rows: dict[float, list[str]] = {}
    for match in re.finditer(r'<text[^>]*y="([\d.]+)"[^>]*>(.*?)</text>', svg, re.S):
        text = html.unescape(re.sub("<[^>]+>", "", match[2])).replace("\xa0", " ")
        rows.setdefault(float(match[1]), []).append(text)
    return ["".join(parts) for _y, parts in sorted(rows.items())]


async def test_range_result_shows_lines_and_limit(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 32)) as pilot:
        await loaded_pane(pilot, app)
        await pilot.pause(0.2)

        text = status_text(app)
        assert "20 lines (limit 5,000)" in text
        assert "100,000" not in text
        assert "/" not in text


async def test_stopped_tail_shows_no_limit(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 32)) as pilot:
        pane = await loaded_pane(pilot, app)
        await pilot.press("t")
        await wait_for(pilot, lambda: pane.activity == "tail live", what="the tail")
        await pilot.press("t")
        await wait_for(pilot, lambda: not pane.running, what="the tail to stop")
        await pilot.pause(0.2)

        text = status_text(app)
        assert "20 lines" in text
        assert "limit" not in text


async def test_capacity_named_when_nearly_full(fixed_server: EmbeddedLoki) -> None:
    settings = make_settings(fixed_server.url, query=BILLING, capacity=24)
    app = TflogApp(settings, clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 32)) as pilot:
        await loaded_pane(pilot, app)
        await pilot.pause(0.2)

        assert "20 lines of 24 (oldest dropped beyond)" in status_text(app)


async def test_footer_fits_120_columns(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 32)) as pilot:
        await loaded_pane(pilot, app)

        footer = screen_rows(app)[-1]
        assert "? Help" in footer
        assert "^p palette" in footer
        assert ": Query" in footer
        assert "t Tail" in footer
