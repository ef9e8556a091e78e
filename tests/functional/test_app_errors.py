"""Server faults: Loki's own 400, a stopped server, and markup in error text."""

from __future__ import annotations

from app_helpers import NOW_NS, NotifyRecorder, load_fixed_data, make_settings, wait_for

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.loki import LokiBadRequestError
from tflog_tui.ui.app import TflogApp

BILLING = '{service_name="billing-sync"}'


async def test_loki_400_shown_as_loki_said(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    recorder = NotifyRecorder(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded, what="the range query")
        await pilot.pause(0.2)

        await pilot.press("colon")
        pane.query_bar.input.value = BILLING + ' | line_format "{{ .msg | nosuchfunc }}"'
        await pilot.press("enter")
        await wait_for(pilot, lambda: pane.last_error is not None, what="the error")
        await pilot.pause(0.2)

        error = pane.last_error or ""
        assert error.startswith(f"Loki at {fixed_server.url} answered 400: ")
        assert 'function "nosuchfunc" not defined' in error
        assert recorder.errors() == [error]
        assert not pane.query_bar.has_class("-error")
        assert pane.activity == "failed (previous rows kept)"
        assert len(pane.state.buffer) == 20
        assert app.status_line.connection == "error 400"
        assert app.is_running


async def test_stopped_server_keeps_rows(make_loki_server: object) -> None:
    server: EmbeddedLoki = await make_loki_server(now_ns=lambda: NOW_NS)  # type: ignore[operator]
    load_fixed_data(server)
    url = server.url
    app = TflogApp(make_settings(url, query=BILLING), clock=lambda: NOW_NS)
    recorder = NotifyRecorder(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded, what="the range query")
        await pilot.pause(0.2)
        assert pane.log_view.row_count == 20

        await server.stop()
        await pilot.press("R")
        await wait_for(pilot, lambda: pane.last_error is not None, what="the error")
        await pilot.pause(0.2)

        error = pane.last_error or ""
        assert error.startswith(f"Loki at {url}")
        assert "refused" in error.lower() or "connect" in error.lower()
        assert recorder.errors() == [error]
        assert len(pane.state.buffer) == 20
        assert pane.log_view.row_count == 20
        assert pane.activity == "failed (previous rows kept)"
        assert app.status_line.connection == "unreachable"
        assert app.is_running


async def test_error_text_is_not_markup(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url, query=BILLING), clock=lambda: NOW_NS)
    recorder = NotifyRecorder(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        error = LokiBadRequestError(fixed_server.url, "bad [bold red]value[/] here", status=400)

        pane._fail(str(error), error)
        await pilot.pause(0.1)

        assert recorder.errors()[-1].count("\\[bold red]") == 1
        assert pane.last_error is not None
        assert "[bold red]value[/]" in pane.last_error


async def test_server_down_at_start(make_loki_server: object) -> None:
    server: EmbeddedLoki = await make_loki_server()  # type: ignore[operator]
    url = server.url
    await server.stop()
    app = TflogApp(make_settings(url, query=BILLING), clock=lambda: NOW_NS)
    recorder = NotifyRecorder(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(recorder.errors()), what="the error")
        await wait_for(pilot, lambda: app.panes()[0].last_error is not None, what="the pane")
        await pilot.pause(0.2)

        errors = recorder.errors()
        assert len(errors) == 1
        assert errors[0].startswith(f"Loki at {url}: cannot connect")
        assert app.status_line.connection == "unreachable"
        assert app.panes()[0].activity == "failed"
        assert app.sidebar.values == []
        assert app.is_running
