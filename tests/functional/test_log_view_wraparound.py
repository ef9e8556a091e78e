"""Search and level jumps go on from the other end of the pane, as less and vim do."""

from __future__ import annotations

from log_view_app import LogViewApp, entries

from tflog_tui.buffer import PaneBuffer

SIZE = (100, 30)


def notes(app: LogViewApp) -> list[str]:
    """Return the notification texts shown so far."""
    return [str(note.message) for note in app._notifications]


def mixed_buffer() -> PaneBuffer:
    """Return 50 entries with `smtp` at rows 10 and 40 and one error at row 20."""
    lines = []
    for index in range(50):
        if index in (10, 40):
            lines.append(f'level=info msg="smtp relay ready" n={index}')
        elif index == 20:
            lines.append(f'level=error msg="charge failed" n={index}')
        else:
            lines.append(f'level=info msg="step done" n={index}')
    buffer = PaneBuffer()
    buffer.append(entries(lines))
    return buffer


async def test_first_search_in_fresh_pane_wraps_to_top() -> None:
    buffer = mixed_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        assert view.cursor_row == buffer.row_id(49)

        assert view.set_search("smtp") is True
        await pilot.pause()

        assert view.cursor_row == buffer.row_id(10)
        assert any("wrapped to the top" in note for note in notes(app))
        assert not any("No match" in note for note in notes(app))


async def test_n_and_N_wrap_both_ways() -> None:
    buffer = mixed_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        await pilot.press("g")
        view.set_search("smtp")
        assert view.cursor_row == buffer.row_id(10)

        await pilot.press("n")
        assert view.cursor_row == buffer.row_id(40)
        await pilot.press("n")
        assert view.cursor_row == buffer.row_id(10)
        assert any("wrapped to the top" in note for note in notes(app))

        await pilot.press("N")
        assert view.cursor_row == buffer.row_id(40)
        assert any("wrapped to the bottom" in note for note in notes(app))


async def test_search_without_any_match_says_no_match() -> None:
    buffer = mixed_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view

        view.set_search("kafka")
        await pilot.pause()

        assert view.cursor_row == buffer.row_id(49)
        assert "No match for 'kafka'." in notes(app)


async def test_e_and_w_wrap_around() -> None:
    buffer = mixed_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view

        await pilot.press("e")
        assert view.cursor_row == buffer.row_id(20)
        assert any("wrapped to the top" in note for note in notes(app))

        await pilot.press("g", "E")
        assert view.cursor_row == buffer.row_id(20)
        assert any("wrapped to the bottom" in note for note in notes(app))


async def test_e_on_the_only_error_says_so() -> None:
    buffer = mixed_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        await pilot.press("e")
        app._notifications.clear()

        await pilot.press("e")
        assert view.cursor_row == buffer.row_id(20)
        assert "This is the only critical/error entry." in notes(app)
        assert not any("below the cursor" in note for note in notes(app))


async def test_w_without_warnings_says_none() -> None:
    buffer = mixed_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("w")
        assert any(note.startswith("No warning entry") for note in notes(app))


async def test_new_lines_badge_singular_and_plural() -> None:
    buffer = mixed_buffer()
    app = LogViewApp(buffer)
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        view = app.log_view
        await pilot.press("k")

        buffer.append(entries(["level=info one more"], start_ns=buffer.ts_ns(49) + 1))
        view.refresh_from_buffer()
        await pilot.pause()
        assert app.screen_lines()[-1].endswith(" ↓ 1 new line (f to follow) ")

        buffer.append(entries(["level=info two more"], start_ns=buffer.ts_ns(50) + 1))
        view.refresh_from_buffer()
        await pilot.pause()
        assert app.screen_lines()[-1].endswith(" ↓ 2 new lines (f to follow) ")
