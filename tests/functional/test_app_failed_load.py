"""A failed first load says what failed and what to try, in the pane and in the sidebar."""

from __future__ import annotations

from app_helpers import NOW_NS, make_settings, wait_for

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.widgets.sidebar import Sidebar

BILLING = '{service_name="billing-sync"}'


def shown_text(widget: object) -> str:
    return str(widget.render())  # type: ignore[attr-defined]


async def test_unreachable_server_explained(make_loki_server: object) -> None:
    server: EmbeddedLoki = await make_loki_server(now_ns=lambda: NOW_NS)  # type: ignore[operator]
    url = server.url
    await server.stop()

    app = TflogApp(make_settings(url, query=BILLING), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 32)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.last_error is not None, what="the error")
        sidebar_message = app.query_one(Sidebar).query_one("#sidebar-message")
        await wait_for(pilot, lambda: sidebar_message.display, what="the sidebar message")
        await pilot.pause(0.1)

        error = pane.last_error or ""
        assert url in error
        assert pane.message.display
        text = shown_text(pane.message)
        assert text.startswith(f"The query failed: {error}")
        assert "Press R to run it again" in text
        assert len(pane.state.buffer) == 0

        sidebar_text = shown_text(sidebar_message)
        assert sidebar_text.startswith("Could not load services: ")
        assert url in sidebar_text
        assert "ctrl+r reloads" in sidebar_text


async def test_message_kept_literal_and_cleared_by_a_good_run(fixed_server: EmbeddedLoki) -> None:
    bad = BILLING + ' | line_format "[b]{{ .msg | nosuchfunc }}"'
    app = TflogApp(make_settings(fixed_server.url, query=bad), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 32)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.last_error is not None, what="the error")
        await pilot.pause(0.1)

        assert pane.message.display
        assert shown_text(pane.message).startswith(f"The query failed: {pane.last_error}")

        pane.set_query(BILLING)
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the re-run")
        await pilot.pause(0.1)

        assert pane.last_error is None
        assert not pane.message.display
        assert len(pane.state.buffer) == 20
