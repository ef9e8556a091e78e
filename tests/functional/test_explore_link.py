"""Grafana Explore links: copy the pane's link with Y, open a link or LogQL with O."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from app_helpers import BILLING_OLD_TASK, NOW_NS, NotifyRecorder, make_settings, wait_for
from textual.widgets import Input, Static

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.grafana import parse_explore_url
from tflog_tui.settings import GrafanaSettings
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.query_actions import link_range
from tflog_tui.ui.screens.open_link import OpenLinkScreen, read_link_or_query
from tflog_tui.ui.widgets.pane import Pane

GRAFANA = GrafanaSettings(
    url="https://grafana.example.com/ops", datasource_uid="loki-uid", org_id=3
)
QUERY = f'{{service_name="billing-sync"}} |= "{BILLING_OLD_TASK}" | json | level="error"'


def start(server: EmbeddedLoki, grafana: GrafanaSettings, query: str = QUERY) -> TflogApp:
    settings = make_settings(server.url, query=query)
    settings.grafana = grafana
    return TflogApp(settings, clock=lambda: NOW_NS)


async def loaded_pane(app: TflogApp, pilot: Any, count: int = 1) -> Pane:
    await wait_for(pilot, lambda: len(app.panes()) == count, what=f"{count} panes")
    pane = app.active_pane()
    assert pane is not None
    await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the range query")
    return pane


async def copy_link(app: TflogApp, pilot: Any) -> None:
    await pilot.press("Y")
    await pilot.pause()


async def open_link(app: TflogApp, pilot: Any, text: str) -> OpenLinkScreen:
    await pilot.press("O")
    await wait_for(pilot, lambda: isinstance(app.screen, OpenLinkScreen), what="the dialog")
    screen = app.screen
    assert isinstance(screen, OpenLinkScreen)
    await wait_for(pilot, lambda: bool(screen.query(Input)), what="the dialog's field")
    screen.query_one(Input).value = text
    await pilot.press("enter")
    await pilot.pause()
    return screen


async def test_copy_then_open_same_query(fixed_server: EmbeddedLoki) -> None:
    app = start(fixed_server, GRAFANA)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(app, pilot)
        await copy_link(app, pilot)

        link = getattr(app, "last_copied_text", None)
        assert isinstance(link, str)
        assert link.startswith("https://grafana.example.com/ops/explore?schemaVersion=1&panes=")
        assert link.endswith("&orgId=3")
        parsed = parse_explore_url(link)
        assert parsed.expr == QUERY
        assert (parsed.time_from, parsed.time_to) == ("now-1h", "now")
        assert parsed.datasource == "loki-uid"
        assert parsed.org_id == 3

        await open_link(app, pilot, link)
        new_pane = await loaded_pane(app, pilot, count=2)

        assert new_pane is not pane
        assert new_pane.state.query == QUERY
        assert (new_pane.state.range_from, new_pane.state.range_to) == ("now-1h", "now")
        assert len(new_pane.state.buffer) == len(pane.state.buffer) == 1


async def test_absolute_range_in_milliseconds(fixed_server: EmbeddedLoki) -> None:
    app = start(fixed_server, GRAFANA)
    async with app.run_test(size=(120, 40)) as pilot:
        pane = await loaded_pane(app, pilot)
        pane.set_range("2026-12-04T11:00:00Z", "2026-12-04T11:30:00Z")
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
        await copy_link(app, pilot)

        parsed = parse_explore_url(app.last_copied_text)  # type: ignore[attr-defined]
        assert (parsed.time_from, parsed.time_to) == ("1796382000000", "1796383800000")

        await open_link(app, pilot, app.last_copied_text)  # type: ignore[attr-defined]
        new_pane = await loaded_pane(app, pilot, count=2)

        assert new_pane.resolve_range() == pane.resolve_range()
        assert new_pane.state.query == QUERY
        assert len(new_pane.state.buffer) == 1


async def test_missing_grafana_url_names_settings(fixed_server: EmbeddedLoki) -> None:
    app = start(fixed_server, GrafanaSettings())
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded_pane(app, pilot)
        recorder = NotifyRecorder(app)
        await copy_link(app, pilot)

        assert getattr(app, "last_copied_text", None) is None
        assert len(recorder.errors()) == 1
        message = recorder.errors()[0]
        assert "No Grafana URL is configured" in message
        assert "--grafana-url" in message
        assert "TFLOG_GRAFANA_URL" in message
        assert "grafana_url in a [profiles.NAME] table" in message


async def test_missing_uid_still_copies(fixed_server: EmbeddedLoki) -> None:
    app = start(fixed_server, GrafanaSettings(url="https://grafana.example.com"))
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded_pane(app, pilot)
        recorder = NotifyRecorder(app)
        await copy_link(app, pilot)

        parsed = parse_explore_url(app.last_copied_text)  # type: ignore[attr-defined]
        warnings = [message for message, severity in recorder.messages if severity == "warning"]
        assert parsed.expr == QUERY
        assert parsed.datasource is None
        assert len(warnings) == 1
        assert "--grafana-datasource-uid" in warnings[0]
        assert "TFLOG_GRAFANA_DATASOURCE_UID" in warnings[0]
        assert "grafana_datasource_uid in a [profiles.NAME] table" in warnings[0]


async def test_open_legacy_and_metric_links(fixed_server: EmbeddedLoki) -> None:
    left = ["1796383200000", "1796385600000", "loki-uid", {"refId": "A", "expr": QUERY}]
    legacy = "https://grafana.example.com/explore?orgId=1&left=" + quote(json.dumps(left), safe="")
    metric = f"sum(count_over_time({QUERY} [$__auto])) > 0"
    panes = {
        "a1b": {
            "datasource": "loki-uid",
            "queries": [{"refId": "A", "expr": metric}],
            "range": {"from": "now-2h", "to": "now"},
        }
    }
    current = "https://grafana.example.com/explore?schemaVersion=1&panes=" + quote(
        json.dumps(panes), safe=""
    )
    app = start(fixed_server, GRAFANA, query='{service_name="mailer"}')
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded_pane(app, pilot)
        recorder = NotifyRecorder(app)

        await open_link(app, pilot, legacy)
        pane = await loaded_pane(app, pilot, count=2)
        assert pane.state.query == QUERY
        assert (pane.state.range_from, pane.state.range_to) == ("1796383200000", "1796385600000")
        assert len(pane.state.buffer) == 1
        assert "ledger rejected invoice" in pane.state.buffer.line(0)

        await open_link(app, pilot, current)
        pane = await loaded_pane(app, pilot, count=3)
        assert pane.state.query == QUERY
        assert (pane.state.range_from, pane.state.range_to) == ("now-2h", "now")
        assert any("opened as its log query" in message for message, _ in recorder.messages)


async def test_invalid_input_keeps_dialog(fixed_server: EmbeddedLoki) -> None:
    app = start(fixed_server, GRAFANA, query='{service_name="mailer"}')
    async with app.run_test(size=(120, 40)) as pilot:
        await loaded_pane(app, pilot)

        screen = await open_link(app, pilot, '{service_name="mailer"} |~ "("')
        shown = str(screen.query_one("#open-link-error", Static).render())
        assert app.screen is screen
        assert shown.startswith("Not opened: the query is not valid LogQL: parse error at line 1")

        screen.query_one(Input).value = "https://grafana.example.com/d/abc/dashboard?orgId=1"
        await pilot.press("enter")
        await pilot.pause()
        shown = str(screen.query_one("#open-link-error", Static).render())
        assert app.screen is screen
        assert "not a Grafana Explore link" in shown

        screen.query_one(Input).value = '  {service_name="billing-sync"} |= "task started"  '
        await pilot.press("enter")
        pane = await loaded_pane(app, pilot, count=2)
        assert pane.state.query == '{service_name="billing-sync"} |= "task started"'
        assert (pane.state.range_from, pane.state.range_to) == ("now-1h", "now")
        assert len(pane.state.buffer) == 2


def test_link_range_keeps_relative_times() -> None:
    assert link_range("now-6h", "now", NOW_NS) == ("now-6h", "now")
    assert link_range(" now - 15m ", "now", NOW_NS) == ("now-15m", "now")


def test_link_range_converts_absolute_to_milliseconds() -> None:
    assert link_range("2026-12-04T11:00:00Z", "1796385600000", NOW_NS) == (
        1796382000000,
        1796385600000,
    )


def test_read_link_range_forms() -> None:
    def link_with_range(time_from: str) -> str:
        pane = {"queries": [{"expr": QUERY}], "range": {"from": time_from, "to": "now"}}
        return "https://g.example.com/explore?panes=" + quote(json.dumps({"x1y": pane}), safe="")

    rounded = read_link_or_query(link_with_range("now-1d/d"), NOW_NS)
    assert (rounded.query, rounded.time_from, rounded.time_to) == (QUERY, "now-1d/d", "now")

    with pytest.raises(
        ValueError, match="the link's range cannot be read: invalid time 'yesterday'"
    ):
        read_link_or_query(link_with_range("yesterday"), NOW_NS)


def test_read_link_rejects_empty_input() -> None:
    with pytest.raises(ValueError, match="Paste a Grafana Explore link or type a LogQL query"):
        read_link_or_query("   ", NOW_NS)
