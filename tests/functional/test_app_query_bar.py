"""The query bar: edit and run, syntax errors shown with their column before sending."""

from __future__ import annotations

from app_helpers import BILLING_OLD_TASK, NOW_NS, make_settings, wait_for

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.grafana import explore_url, parse_explore_url
from tflog_tui.settings import GrafanaSettings
from tflog_tui.ui.app import TflogApp
from tflog_tui.ui.widgets.query_bar import excerpt_with_caret


def test_caret_marks_column() -> None:
    excerpt, caret = excerpt_with_caret('{a="b"} |~ "("', 12, 60)

    assert excerpt.plain == '{a="b"} |~ "("'
    assert caret.plain == " " * 11 + "^"


def test_caret_in_long_query_stays_under_column() -> None:
    query = '{a="b"}' + ' |= "x"' * 40 + " | bad"
    column = query.index("bad") + 1

    excerpt, caret = excerpt_with_caret(query, column, 40)

    assert excerpt.cell_len <= 41
    assert excerpt.plain[caret.plain.index("^")] == "b"


async def test_edit_and_run_query(fixed_server: EmbeddedLoki) -> None:
    app = TflogApp(make_settings(fixed_server.url), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: bool(app.sidebar.values), what="services")

        await pilot.press("colon")
        pane = app.active_pane()
        assert pane is not None
        assert pane.query_bar.input.has_focus
        pane.query_bar.input.value = f'{{service_name="billing-sync"}} |= "{BILLING_OLD_TASK}"'
        await pilot.press("enter")
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="the query")
        await pilot.pause(0.2)

        assert len(pane.state.buffer) == 10
        assert all(
            BILLING_OLD_TASK in pane.state.buffer.line(row) for row in range(len(pane.state.buffer))
        )
        assert pane.log_view.has_focus
        assert pane.state.title == "billing-sync"
        assert app.group("left").get_tab(pane).label_text == "billing-sync"


async def test_syntax_error_shown_before_sending(fixed_server: EmbeddedLoki) -> None:
    query = '{service_name="billing-sync"}'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded, what="the range query")
        await pilot.pause(0.2)
        rows_before = len(pane.state.buffer)

        await pilot.press("q")
        pane.query_bar.input.value = '{service_name="billing-sync"} |~ "(unclosed"'
        await pilot.press("enter")
        await pilot.pause(0.2)

        error = pane.query_bar.query_one(".query-bar--error")
        text = str(error.render())
        assert pane.query_bar.has_class("-error")
        assert "parse error at line 1, col 34" in text
        assert text.splitlines()[1] == " " * 33 + "^"
        assert pane.state.query == query
        assert len(pane.state.buffer) == rows_before
        assert not pane.running
        assert pane.query_bar.input.has_focus

        await pilot.press("escape")
        assert pane.query_bar.value == query
        assert not pane.query_bar.has_class("-error")
        assert pane.log_view.has_focus


async def test_metric_query_not_sent(fixed_server: EmbeddedLoki) -> None:
    query = 'sum(count_over_time({service_name="billing-sync"}[5m]))'
    app = TflogApp(make_settings(fixed_server.url, query=query), clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await pilot.pause(0.2)

        assert pane.query_bar.has_class("-error")
        assert pane.activity == "not sent: the query has a syntax error"
        assert not pane.running
        assert len(pane.state.buffer) == 0


def test_caret_after_wide_characters() -> None:
    query = '{a="日本語"} | bad'
    column = query.index("bad") + 1

    excerpt, caret = excerpt_with_caret(query, column, 60)

    assert excerpt.plain == query
    assert caret.plain == " " * (column - 1 + 3) + "^"


async def test_explore_link_sets_query_and_range(fixed_server: EmbeddedLoki) -> None:
    query = '{service_name="billing-sync"}'
    settings = make_settings(fixed_server.url, query=query)
    settings.grafana = GrafanaSettings(url="https://grafana.example.com/", datasource_uid="loki1")
    app = TflogApp(settings, clock=lambda: NOW_NS)
    async with app.run_test(size=(120, 40)) as pilot:
        await wait_for(pilot, lambda: len(app.panes()) == 1, what="a pane")
        pane = app.panes()[0]
        await wait_for(pilot, lambda: pane.state.loaded, what="the range query")
        wanted = f'{{service_name="billing-sync"}} |= "{BILLING_OLD_TASK}"'
        link = explore_url("https://grafana.example.com/", "loki1", wanted, "now-6h", "now")

        await pilot.press("colon")
        pane.query_bar.input.value = link
        await pilot.press("enter")
        await wait_for(pilot, lambda: pane.state.loaded and not pane.running, what="re-run")
        await pilot.pause(0.2)

        assert pane.state.query == wanted
        assert pane.query_bar.value == wanted
        assert pane.state.range_from == "now-6h"
        assert len(pane.state.buffer) == 10

        await pilot.press("y")
        copied = getattr(app, "last_copied_text", None)
        assert copied is not None
        assert parse_explore_url(copied).expr == wanted
        assert parse_explore_url(copied).time_from == "now-6h"
