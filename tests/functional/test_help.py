"""The help screen lists the keys read from the live bindings."""

from __future__ import annotations

from typing import ClassVar

from log_view_app import LogViewApp, entries
from textual.binding import Binding, BindingType
from textual.widgets import Static

from tflog_tui.buffer import PaneBuffer
from tflog_tui.ui.screens.help import HelpScreen, collect_key_groups
from tflog_tui.ui.widgets.log_view import LogView

SIZE = (100, 40)


class AppWithKeys(LogViewApp):
    """A test app with one key of its own."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("ctrl+o", "open_thing", "Open the thing")]


def one_entry_buffer() -> PaneBuffer:
    buffer = PaneBuffer()
    buffer.append(entries(["hello"]))
    return buffer


async def open_help(app: LogViewApp, pilot: object) -> str:
    await pilot.pause()  # type: ignore[attr-defined]
    await app.push_screen(HelpScreen())
    await pilot.pause()  # type: ignore[attr-defined]
    return str(app.screen.query_one("#help-keys", Static).render())


async def test_help_lists_log_view_keys() -> None:
    app = LogViewApp(one_entry_buffer())
    async with app.run_test(size=SIZE) as pilot:
        text = await open_help(app, pilot)

        assert "Log view\n" in text
        assert "  j / ↓             Next entry\n" in text
        assert "  e                 Next error\n" in text
        assert "  E                 Previous error\n" in text
        assert "  /                 Search\n" in text


async def test_help_lists_every_log_view_binding() -> None:
    app = LogViewApp(one_entry_buffer())
    async with app.run_test(size=SIZE) as pilot:
        text = await open_help(app, pilot)

        for _key, binding in app.log_view._bindings:
            assert f"  {binding.description}\n" in text, binding.description


async def test_help_reads_app_bindings() -> None:
    app = AppWithKeys(one_entry_buffer())
    async with app.run_test(size=SIZE) as pilot:
        text = await open_help(app, pilot)

        application = text.split("\n\n")[0]
        assert application.startswith("Application\n")
        assert "  ^o                Open the thing" in application


async def test_help_groups_in_order() -> None:
    app = LogViewApp(one_entry_buffer())
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()

        groups = collect_key_groups(app, extra=(LogView,))
        titles = [group.title for group in groups]

        assert titles == ["Application", "Every screen", "Log view"]


async def test_help_lists_detail_and_search_keys() -> None:
    app = LogViewApp(one_entry_buffer())
    async with app.run_test(size=SIZE) as pilot:
        text = await open_help(app, pilot)

        assert "Detail screen\n" in text
        assert "  i                 Include field\n" in text
        assert "  t                 Open task\n" in text
        assert "Search screen\n" in text
        assert "  ^r                Regex\n" in text
        assert text.count("Focus Next") == 1


async def test_help_closes_with_escape() -> None:
    app = LogViewApp(one_entry_buffer())
    async with app.run_test(size=SIZE) as pilot:
        await open_help(app, pilot)
        await pilot.press("escape")
        await pilot.pause()

        assert not isinstance(app.screen, HelpScreen)
