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


def sum_by_step(
    series: Sequence[MatrixSeries], start_ns: int, end_ns: int, step_ns: int
) -> list[float]:
    """Add the points of every series per step from `start_ns` to `end_ns` inclusive.

    Loki leaves out steps where a series has no value, so a step no series has counts 0.
    A point between steps counts toward the step at or before it. Times are nanoseconds.
    """
    if step_ns <= 0 or end_ns < start_ns:
        raise ValueError(f"invalid chart steps: {start_ns}..{end_ns} every {step_ns} ns")

    totals = [0.0] * ((end_ns - start_ns) // step_ns + 1)
    for item in series:
        for ts_ns, value in item.points:
            index = (ts_ns - start_ns) // step_ns
            if 0 <= index < len(totals):
                totals[index] += value
    return totals


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

    def show_series(
        self,
        series: Sequence[MatrixSeries],
        function: str,
        *,
        start_ns: int,
        end_ns: int,
        step_ns: int,
    ) -> None:
        """Draw `series` summed per step, and name the largest ones with their totals.

        `start_ns`, `end_ns` and `step_ns` are the query's range and step in nanoseconds.
        """
        if not series:
            self.show_message(f"{function}: no data in the pane's range")
            return

        values = sum_by_step(series, start_ns, end_ns, step_ns)
        self.query_one(Sparkline).data = values

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
