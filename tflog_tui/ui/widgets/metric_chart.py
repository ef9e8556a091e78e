"""A small chart of a metric query's result: one sparkline of all series summed per step."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from rich.text import Text
from textual.app import ComposeResult
from textual.widget import Widget
from textual.widgets import Sparkline, Static

from tflog_tui.loki.decode import MatrixSeries

MAX_SERIES_LISTED: Final = 4
"""Series named under the chart, largest total first."""


def sum_by_step(series: Sequence[MatrixSeries]) -> list[float]:
    """Add the points of every series that share a timestamp; return values in time order."""
    totals: dict[int, float] = {}
    for item in series:
        for ts_ns, value in item.points:
            totals[ts_ns] = totals.get(ts_ns, 0.0) + value
    return [totals[ts_ns] for ts_ns in sorted(totals)]


def _format_value(value: float) -> str:
    if value.is_integer():
        return f"{int(value):,}"
    return f"{value:,.3g}"


class MetricChart(Widget):
    """Show a matrix result as a sparkline with its peak and the largest series below it."""

    DEFAULT_CSS = """
    MetricChart {
        height: auto;
    }
    MetricChart Sparkline {
        height: 3;
        margin: 0 0 0 0;
    }
    MetricChart .metric-chart--caption {
        height: auto;
        color: $text-muted;
    }
    """

    def compose(self) -> ComposeResult:
        yield Sparkline([], id="metric-sparkline")
        yield Static("", classes="metric-chart--caption", markup=False)

    @property
    def caption(self) -> str:
        """The text under the chart."""
        return str(self.query_one(".metric-chart--caption", Static).render())

    def show_message(self, text: str) -> None:
        """Clear the chart and show `text` (plain text) instead."""
        self.query_one(Sparkline).data = []
        self.query_one(".metric-chart--caption", Static).update(Text(text))

    def show_series(self, series: Sequence[MatrixSeries], function: str) -> None:
        """Draw `series` summed per step, and name the largest ones with their totals."""
        values = sum_by_step(series)
        self.query_one(Sparkline).data = values
        if not series or not values:
            self.show_message(f"{function}: no data in the pane's range")
            return

        peak = max(values)
        caption = Text()
        caption.append(
            f"{function}: {len(series)} series, {len(values)} steps, peak {_format_value(peak)}"
        )
        ranked = sorted(series, key=lambda item: -sum(value for _, value in item.points))
        for item in ranked[:MAX_SERIES_LISTED]:
            total = sum(value for _, value in item.points)
            labels = str(item.labels) if len(item.labels) else "{}"
            caption.append(f"\n  {labels}  sum {_format_value(total)}")
        if len(ranked) > MAX_SERIES_LISTED:
            caption.append(f"\n  … and {len(ranked) - MAX_SERIES_LISTED} more series")
        self.query_one(".metric-chart--caption", Static).update(caption)
