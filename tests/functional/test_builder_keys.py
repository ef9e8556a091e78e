"""Builder keys: where focus goes after a run, and what enter in the value box picks."""

from __future__ import annotations

from typing import Any

from app_helpers import NOW_NS, make_settings, wait_for
from textual.widgets import Button, Input, Select

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.screens.builder import BuilderScreen
from tflog_tui.ui.widgets.label_picker import LabelPicker
from tflog_tui.ui.widgets.log_view import LogView
from tflog_tui.ui.widgets.pane import Pane

WORKERS = {"worker-01": 9, "worker-02": 1}


def push_workers(server: EmbeddedLoki) -> None:
    """Push streams on hosts worker-01 (9 streams) and worker-02 (1 stream)."""
    for host, streams in WORKERS.items():
        for index in range(streams):
            labels = {"service_name": "jobs", "hostname": host, "task_id": f"t{index}"}
            server.push(labels, [(NOW_NS - 5 * 60 * 1_000_000_000, f"job {index} on {host}")])


async def loaded_pane(app: TflogApp, pilot: Any) -> Pane:
    await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
    pane = app.panes()[0]
    await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the range query")
    return pane


async def open_builder(app: TflogApp, pilot: Any) -> BuilderScreen:
    if app.focused is not None and isinstance(app.focused, Input):
        app.action_open_builder()
    else:
        await pilot.press("b")
    await wait_for(pilot, lambda: isinstance(app.screen, BuilderScreen), what="the builder")
    screen = app.screen
    assert isinstance(screen, BuilderScreen)
    await wait_for(pilot, lambda: bool(screen.query(LabelPicker)), what="the builder's form")
    await wait_for(pilot, lambda: bool(screen.label_picker.label_names), what="label names")
    return screen


async def choose_hostname(screen: BuilderScreen, pilot: Any) -> Input:
    picker = screen.label_picker
    picker.query_one("#label-name", Select).value = "hostname"
    await wait_for(pilot, lambda: bool(picker.stream_counts), what="stream counts")
    value_input = picker.query_one("#label-value", Input)
    value_input.focus()
    await pilot.pause()
    return value_input


async def test_run_button_returns_focus_to_log(fixed_server: EmbeddedLoki) -> None:
    query = '{service_name="mailer"}'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 50)) as pilot:
        pane = await loaded_pane(app, pilot)
        pane.query_bar.input.focus()
        await pilot.pause()
        screen = await open_builder(app, pilot)
        line_filter = screen.line_filter_list.query_one(Input)
        line_filter.focus()
        await pilot.press(*"relay", "enter")
        await pilot.pause()
        assert screen.preview_text == '{service_name="mailer"} |= "relay"'

        screen.query_one("#builder-run", Button).focus()
        await pilot.pause()
        await pilot.press("enter")
        await wait_for(pilot, lambda: not isinstance(app.screen, BuilderScreen), what="close")
        await wait_for(pilot, lambda: "relay" in pane.state.query, what="the new query")
        await wait_for(pilot, lambda: not pane.running, what="the query")
        await pilot.pause(0.2)

        assert len(pane.state.buffer) == 1
        assert isinstance(app.focused, LogView)
        assert app.focused is pane.log_view


async def test_enter_picks_the_only_matching_value(fixed_server: EmbeddedLoki) -> None:
    push_workers(fixed_server)
    query = '{service_name="jobs"}'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 50)) as pilot:
        await loaded_pane(app, pilot)
        screen = await open_builder(app, pilot)
        await choose_hostname(screen, pilot)

        await pilot.press(*"worker-0")
        await pilot.press("1", "enter")
        await pilot.pause()
        assert 'hostname="worker-01"' in screen.preview_text

        await pilot.press(*"01")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert 'hostname="worker-01"' in screen.preview_text


async def test_enter_picks_single_match_of_partial_text(fixed_server: EmbeddedLoki) -> None:
    push_workers(fixed_server)
    query = '{service_name="jobs"}'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 50)) as pilot:
        await loaded_pane(app, pilot)
        screen = await open_builder(app, pilot)
        await choose_hostname(screen, pilot)

        await pilot.press(*"02")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()

        assert 'hostname="worker-02"' in screen.preview_text
        assert 'hostname="02"' not in screen.preview_text


async def test_enter_picks_highlighted_of_several(fixed_server: EmbeddedLoki) -> None:
    push_workers(fixed_server)
    query = '{service_name="jobs"}'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 50)) as pilot:
        await loaded_pane(app, pilot)
        screen = await open_builder(app, pilot)
        await choose_hostname(screen, pilot)

        await pilot.press(*"worker")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()

        assert 'hostname="worker-01"' in screen.preview_text
        assert 'hostname="worker"' not in screen.preview_text


async def test_enter_takes_unseen_text_with_warning(fixed_server: EmbeddedLoki) -> None:
    push_workers(fixed_server)
    query = '{service_name="jobs"}'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 50)) as pilot:
        await loaded_pane(app, pilot)
        screen = await open_builder(app, pilot)
        await choose_hostname(screen, pilot)

        await pilot.press(*"db-9")
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()

        assert 'hostname="db-9"' in screen.preview_text
        assert screen.problems == []
        assert screen.warnings == ['hostname="db-9": no such value was seen in this range']
