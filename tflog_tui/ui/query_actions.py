"""App actions around a pane's query: the query builder and Grafana Explore links.

`TflogApp` binds `b` to `open_builder`, `Y` to `copy_explore_link` and `O` to
`open_link`; each takes the app and works on its active pane.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final, cast

from tflog_tui.grafana import explore_url
from tflog_tui.times import resolve_time
from tflog_tui.ui.clipboard import copy_text
from tflog_tui.ui.pane_query import title_for_query
from tflog_tui.ui.screens.open_link import OpenLinkResult, OpenLinkScreen

if TYPE_CHECKING:
    from textual.app import App

    from tflog_tui.settings import GrafanaSettings
    from tflog_tui.ui.app import TflogApp
    from tflog_tui.ui.screens.builder import BuilderResult
    from tflog_tui.ui.widgets.pane import Pane

logger = logging.getLogger(__name__)

SAMPLE_LINES: Final = 500
"""Newest pane entries the builder reads for field names."""

GRAFANA_URL_HINT: Final = (
    "Set the Grafana URL with --grafana-url, the TFLOG_GRAFANA_URL variable "
    "or grafana_url in a [profiles.NAME] table of the config file."
)
DATASOURCE_UID_HINT: Final = (
    "No Loki datasource uid is set, so Grafana uses its default one. "
    "Set --grafana-datasource-uid, TFLOG_GRAFANA_DATASOURCE_UID "
    "or grafana_datasource_uid in a [profiles.NAME] table."
)


def first_sentence(text: str) -> str:
    """Return the first sentence of `text` without its closing period."""
    for mark in (". ", "; "):
        text = text.split(mark, 1)[0]
    return text.rstrip(".")


# --- the builder ----------------------------------------------------------------


def pane_sample(pane: Pane, count: int = SAMPLE_LINES) -> list[tuple[Mapping[str, str], str]]:
    """Return (stream labels, line) of the pane's newest `count` entries, oldest first."""
    buffer = pane.state.buffer
    end = len(buffer)
    return [(buffer.labels(row), buffer.line(row)) for row in range(max(0, end - count), end)]


def open_builder(app: TflogApp) -> None:
    """Open the query builder on the active pane's query and apply what it returns.

    With no pane open, the builder starts empty over the default range, and both of
    its run actions open a new pane.
    """
    from tflog_tui.ui.widgets.pane import describe_range

    pane = app.active_pane()
    if pane is None:
        range_from, range_to = app.settings.time_from, app.settings.time_to
    else:
        range_from, range_to = pane.state.range_from, pane.state.range_to

    try:
        now_ns = app.clock()
        time_range = (
            resolve_time(range_from, now_ns),
            resolve_time(range_to, now_ns, round_up=True),
        )
    except ValueError as error:
        app.notify(f"The range is invalid: {error}", severity="error", markup=False)
        return

    # The builder pulls in the LogQL evaluator for field sampling, so it is
    # imported when first opened rather than at start-up.
    from tflog_tui.ui.screens.builder import BuilderScreen

    screen = BuilderScreen(
        app.client,
        query=pane.state.query if pane is not None else None,
        time_range=time_range,
        sample=pane_sample(pane) if pane is not None else [],
        level_source=pane.level_source() if pane is not None else None,
        range_description=describe_range(range_from, range_to, utc=app.utc),
    )

    def apply(result: BuilderResult | None) -> None:
        if result is not None:
            app.call_later(apply_builder_result, app, pane, result)

    app.push_screen(screen, apply)


async def apply_builder_result(app: TflogApp, pane: Pane | None, result: BuilderResult) -> None:
    """Run the builder's query in `pane`, in a new pane with the same range, or edit it as text.

    With `pane` None, every action except "edit_text" opens a new pane with the default range.
    A pane closed while the builder was open counts as None.
    """
    if pane is not None and not pane.is_attached:
        pane = None

    if result.action == "edit_text":
        if pane is None:
            await app.action_focus_query()
            return
        app.activate(pane)
        pane.query_bar.input.focus()
        return

    if result.query != result.log_query:
        app.notify(
            "The pane shows the entries of the log query, because a pane cannot show a metric.",
            timeout=5,
        )

    if result.action == "run" and pane is not None:
        app.activate(pane)
        pane.set_query(result.log_query)

        # The screen below the builder gets its focus back after this runs, which
        # would put it in the query bar again when the builder was opened from there.
        app.call_after_refresh(pane.focus_log)
        return

    state = app.new_state(result.log_query, title_for_query(result.log_query))
    if pane is not None:
        state.range_from = pane.state.range_from
        state.range_to = pane.state.range_to
    await app.add_pane(state)


# --- Explore links ---------------------------------------------------------------


def link_range(range_from: str, range_to: str, now_ns: int) -> tuple[str, str | int]:
    """Return the pane's range for an Explore link.

    Relative times (`now`, `now-1h`) stay relative; absolute ones (RFC 3339 or epoch
    milliseconds) become epoch milliseconds. Raises ValueError on an invalid time.
    """
    values: list[str | int] = []
    for text in (range_from, range_to):
        stripped = text.strip().replace(" ", "")
        if stripped.startswith("now"):
            resolve_time(stripped, now_ns)
            values.append(stripped)
        else:
            values.append(resolve_time(stripped, now_ns) // 1_000_000)
    return cast("tuple[str, str | int]", tuple(values))


def pane_explore_url(
    grafana: GrafanaSettings, query: str, range_from: str, range_to: str, now_ns: int
) -> str:
    """Build the Explore link for a query and range; raise ValueError when it cannot be built."""
    if not grafana.url:
        raise ValueError(f"No Grafana URL is configured. {GRAFANA_URL_HINT}")

    time_from, time_to = link_range(range_from, range_to, now_ns)
    return explore_url(
        grafana.url,
        grafana.datasource_uid or None,
        query,
        time_from,
        time_to,
        org_id=grafana.org_id,
    )


def copy_explore_link(app: TflogApp) -> str | None:
    """Copy the Grafana Explore link of the active pane's query and range; return the link."""
    pane = app.active_pane()
    if pane is None:
        app.notify("No pane is open: pick a service in the sidebar first.", severity="warning")
        return None

    grafana = app.settings.grafana
    try:
        link = pane_explore_url(
            grafana, pane.state.query, pane.state.range_from, pane.state.range_to, app.clock()
        )
    except ValueError as error:
        logger.warning("building the Explore link failed: %s", error)
        app.notify(
            str(error),
            title="Explore link not copied",
            severity="error",
            timeout=8,
            markup=False,
        )
        return None

    outcome = copy_text(cast("App[object]", app), link, "the Explore link")
    if grafana.datasource_uid:
        app.notify(outcome, timeout=4, markup=False)
    else:
        copied = outcome if outcome.startswith("Not copied") else first_sentence(outcome)
        message = f"{copied.rstrip('.')}. {DATASOURCE_UID_HINT}"
        app.notify(message, severity="warning", timeout=8, markup=False)
    return link


def open_link(app: TflogApp, initial: str = "") -> None:
    """Ask for an Explore link or LogQL and open it in a new pane with the link's range."""

    def apply(result: OpenLinkResult | None) -> None:
        if result is not None:
            app.call_later(open_link_result, app, result)

    app.push_screen(OpenLinkScreen(app.clock(), initial), apply)


async def open_link_result(app: TflogApp, result: OpenLinkResult) -> Any:
    """Open `result` in a new pane, with the link's range when it came from a link."""
    state = app.new_state(result.query, title_for_query(result.query))
    if result.time_from is not None and result.time_to is not None:
        state.range_from = result.time_from
        state.range_to = result.time_to
    pane = await app.add_pane(state)
    if result.note:
        app.notify(result.note, timeout=5, markup=False)
    return pane
