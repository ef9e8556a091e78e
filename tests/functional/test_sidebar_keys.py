"""Sidebar keys (j and k move like the arrows) and the range its header names."""

from __future__ import annotations

from app_helpers import NOW_NS, make_settings, wait_for
from textual.widgets import Label

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp


def header(app: TflogApp) -> str:
    return str(app.sidebar.query_one("#sidebar-title", Label).render())


async def test_j_and_k_move_the_cursor(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.sidebar.values), what="services")
        tree = app.sidebar.service_tree
        tree.focus()
        await pilot.pause()
        assert tree.cursor_line == 0

        await pilot.press("j")
        assert tree.cursor_line == 1
        assert tree.cursor_node is not None
        assert str(tree.cursor_node.label) == "mailer"

        await pilot.press("k")
        assert tree.cursor_line == 0

        filter_box = app.sidebar.query_one("#sidebar-filter")
        filter_box.focus()
        await pilot.press("j", "k")
        assert getattr(filter_box, "value", None) == "jk"


async def test_header_names_the_range(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.sidebar.values), what="services")
        assert header(app) == "Services (2) · last 1h"

        pane = await app.open_query('{service_name="mailer"}', "mailer")
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
        pane.set_range("now-6h", "now")
        app.sidebar.reload()
        await wait_for(pilot, lambda: header(app).endswith("last 6h"), what="the new range")

        assert header(app) == "Services (2) · last 6h"
