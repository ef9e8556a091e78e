"""The footer fits 80 columns with a pane open: every shown key is drawn whole."""

from __future__ import annotations

import pytest
from app_helpers import NOW_NS, make_settings, wait_for
from textual.widgets._footer import FooterKey

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp


@pytest.mark.parametrize("size", [(80, 24), (120, 32)], ids=["80x24", "120x32"])
async def test_footer_keys_fit(fixed_server: EmbeddedLoki, size: tuple[int, int]) -> None:
    query = '{service_name=~".+"}'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=size) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
        pane.log_view.focus()
        await pilot.pause(0.2)

        keys = [key for key in app.screen.query(FooterKey) if key.display]
        shown = {key.description for key in keys}
        assert {"Next error", "Search", "Query", "Help"} <= shown
        for key in keys:
            text = f"{key.key_display} {key.description}"
            region = key.region
            assert region.right <= size[0], text
            assert region.width >= len(text), text
