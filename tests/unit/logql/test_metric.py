"""Metric queries: range windows, range and vector aggregations, binary operations."""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping

import pytest

from tflog_tui.logql import Matcher, MetricExpr, VectorAggregation, parse
from tflog_tui.logql.evaluator import (
    PipelineError,
    Sample,
    Series,
    UnsupportedQueryError,
    evaluate_instant,
    evaluate_metric,
    selector_matches,
)

SECOND = 1_000_000_000
T0 = 1_700_000_000 * SECOND

API_INFO = {"app": "api", "level": "info"}
API_ERROR = {"app": "api", "level": "error"}
WEB_INFO = {"app": "web", "level": "info"}
LATENCY = {"app": "latency"}

STREAMS: list[tuple[dict[str, str], list[tuple[int, str]]]] = [
    # One entry every 5 s from 0 s to 30 s; lines of 4 bytes ("é" is 2 bytes).
    (API_INFO, [(T0 + s * SECOND, f"i{s:02d}" if s != 15 else "é15") for s in range(0, 31, 5)]),
    (API_ERROR, [(T0 + 12 * SECOND, "e12"), (T0 + 29 * SECOND, "e29")]),
    (WEB_INFO, [(T0 + 10 * SECOND, "w10")]),
    (
        LATENCY,
        [
            (T0 + 1 * SECOND, "latency=0.5 took=250ms size=1KB route=/a"),
            (T0 + 2 * SECOND, "latency=1.5 took=1s size=2KB route=/b"),
            (T0 + 3 * SECOND, "latency=4 took=2m size=1KiB route=/a"),
            (T0 + 4 * SECOND, "latency=2 took=0s size=0 route=/b"),
            (T0 + 12 * SECOND, "latency=oops took=x size=y route=/a"),
        ],
    ),
]


class Store:
    """An in-memory fetch function that records the windows it was asked for."""

    def __init__(self) -> None:
        self.calls: list[tuple[int, int]] = []

    def __call__(
        self, selector: tuple[Matcher, ...], start_ns: int, end_ns: int
    ) -> Iterator[tuple[Mapping[str, str], list[tuple[int, str]]]]:
        self.calls.append((start_ns, end_ns))
        for labels, entries in STREAMS:
            if selector_matches(selector, labels):
                yield labels, [(t, line) for t, line in entries if start_ns <= t < end_ns]


def metric(query: str) -> MetricExpr:
    expr = parse(query)
    assert not hasattr(expr, "selector"), "expected a metric query"
    return expr  # type: ignore[return-value]


def matrix(query: str, start_s: int = 10, end_s: int = 30, step_s: int = 10) -> dict[str, list]:
    """Evaluate over [T0+start_s, T0+end_s] and return {labels: [(seconds, value)]}."""
    series = evaluate_metric(
        metric(query), Store(), T0 + start_s * SECOND, T0 + end_s * SECOND, step_s * SECOND
    )
    return {
        ",".join(f"{k}={v}" for k, v in sorted(s.labels.items())): [
            ((t - T0) // SECOND, value) for t, value in s.points
        ]
        for s in series
    }


# --- windows -------------------------------------------------------------------


def test_window_excludes_start_includes_end() -> None:
    # api/info entries at 0, 5, ..., 30 s: (0,10] contains 5 and 10, not 0.
    assert matrix('count_over_time({app="api", level="info"}[10s])') == {
        "app=api,level=info": [(10, 2.0), (20, 2.0), (30, 2.0)],
    }


def test_fetch_asks_for_the_union_of_windows() -> None:
    store = Store()
    expr = metric('count_over_time({app="api"}[10s] offset 5s)')
    evaluate_metric(expr, store, T0 + 10 * SECOND, T0 + 30 * SECOND, 10 * SECOND)
    assert store.calls == [(T0 - 5 * SECOND + 1, T0 + 25 * SECOND + 1)]


def test_empty_windows_have_no_points() -> None:
    # The only web entry is at 10 s: in (5,10] but not in (10,15].
    assert matrix('count_over_time({app="web"}[5s])', 0, 30, 5) == {
        "app=web,level=info": [(10, 1.0)],
    }


def test_offset_shifts_the_window() -> None:
    # At 20 s with offset 10 s the window is (0, 10].
    assert matrix('count_over_time({app="web"}[10s] offset 10s)', 20, 20, 10) == {
        "app=web,level=info": [(20, 1.0)],
    }


def test_every_stream_is_its_own_series() -> None:
    assert matrix('count_over_time({app="api"}[30s])', 30, 30, 10) == {
        "app=api,level=error": [(30, 2.0)],
        "app=api,level=info": [(30, 6.0)],
    }


# --- log range aggregations --------------------------------------------------------


def test_rate_is_count_per_second() -> None:
    assert matrix('rate({app="api", level="info"}[10s])') == {
        "app=api,level=info": [(10, 0.2), (20, 0.2), (30, 0.2)],
    }


def test_bytes_over_time_counts_utf8_bytes() -> None:
    # (10,20] contains "é15" (4 bytes) and "i20" (3 bytes).
    assert matrix('bytes_over_time({app="api", level="info"}[10s])', 20, 20) == {
        "app=api,level=info": [(20, 7.0)],
    }
    assert matrix('bytes_rate({app="api", level="info"}[10s])', 20, 20) == {
        "app=api,level=info": [(20, 0.7)],
    }


def test_line_filter_in_range() -> None:
    assert matrix('count_over_time({app="api"} |= "e" [30s])', 30, 30) == {
        "app=api,level=error": [(30, 2.0)],
    }


def test_fast_and_full_pipelines_agree() -> None:
    fast = matrix('count_over_time({app="api"} |~ "[0-9]5" [10s])')
    full = matrix('count_over_time({app="api"} | line_format "{{ __line__ }}" |~ "[0-9]5" [10s])')
    assert fast == full
    assert fast == {"app=api,level=info": [(10, 1.0), (20, 1.0), (30, 1.0)]}


def test_trailing_line_format_is_skipped_when_counting() -> None:
    failing = '| line_format "{{ .missing | ToUpper }}"'
    assert matrix(f'count_over_time({{app="web"}} {failing} [10s])', 10, 10) == {
        "app=web,level=info": [(10, 1.0)],
    }
    with pytest.raises(PipelineError, match="TemplateFormatErr"):
        matrix(f'bytes_over_time({{app="web"}} {failing} [10s])', 10, 10)


def test_extracted_labels_split_series() -> None:
    query = (
        'count_over_time({app="latency"} | logfmt | __error__="" | drop latency, took, size [20s])'
    )
    assert matrix(query, 20, 20) == {
        "app=latency,route=/a": [(20, 3.0)],
        "app=latency,route=/b": [(20, 2.0)],
    }


# --- unwrap --------------------------------------------------------------------

UNWRAP = '{app="latency"} | logfmt | unwrap latency | __error__="" [10s]'


def test_unwrap_drops_unwrapped_label_and_groups_by_remaining() -> None:
    query = (
        'sum_over_time({app="latency"} | logfmt | drop took, size'
        ' | unwrap latency | __error__="" [10s])'
    )
    assert matrix(query, 10, 10) == {
        "app=latency,route=/a": [(10, 4.5)],
        "app=latency,route=/b": [(10, 3.5)],
    }


@pytest.mark.parametrize(
    ("function", "expected"),
    [
        ("avg_over_time", 2.0),
        ("min_over_time", 0.5),
        ("max_over_time", 4.0),
        ("first_over_time", 0.5),
        ("last_over_time", 2.0),
        ("stdvar_over_time", 1.625),
        ("stddev_over_time", math.sqrt(1.625)),
    ],
)
def test_unwrap_functions_grouped(function: str, expected: float) -> None:
    query = f"{function}({UNWRAP}) by (app)"
    assert matrix(query, 10, 10) == {"app=latency": [(10, expected)]}


def test_sum_over_time_summed_by_app() -> None:
    assert matrix(f"sum by (app) (sum_over_time({UNWRAP}))", 10, 10) == {"app=latency": [(10, 8.0)]}


def test_unwrap_rate_without_grouping_sums_series() -> None:
    query = f"sum(rate({UNWRAP}))"
    assert matrix(query, 10, 10) == {"": [(10, 0.8)]}


@pytest.mark.parametrize(
    ("phi", "expected"),
    [(0.5, 1.75), (0.0, 0.5), (1.0, 4.0), (0.99, 3.94)],
)
def test_quantile_over_time(phi: float, expected: float) -> None:
    query = f"quantile_over_time({phi}, {UNWRAP}) by (app)"
    result = matrix(query, 10, 10)
    assert list(result) == ["app=latency"]
    assert result["app=latency"][0][1] == pytest.approx(expected)


def test_unwrap_duration_and_bytes() -> None:
    base = '{app="latency"} | logfmt'
    durations = f'sum by (app) (sum_over_time({base} | unwrap duration(took) | __error__="" [10s]))'
    assert matrix(durations, 10, 10) == {"app=latency": [(10, 121.25)]}
    sizes = f'sum by (app) (sum_over_time({base} | unwrap bytes(size) | __error__="" [10s]))'
    assert matrix(sizes, 10, 10) == {"app=latency": [(10, 4024.0)]}


def test_unwrap_conversion_error_fails_the_query() -> None:
    query = 'sum by (app) (sum_over_time({app="latency"} | logfmt | unwrap latency [20s]))'
    with pytest.raises(PipelineError, match="SampleExtractionErr"):
        matrix(query, 20, 20)


def test_parser_error_fails_metric_query_unless_filtered() -> None:
    with pytest.raises(PipelineError, match="JSONParserErr"):
        matrix('count_over_time({app="web"} | json [10s])')
    assert matrix('count_over_time({app="web"} | json | __error__="" [10s])') == {}
    with pytest.raises(PipelineError):
        matrix('count_over_time({app="web"} | json | __error__!="" [10s])')
    dropped = 'count_over_time({app="web"} | json | drop __error__, __error_details__ [10s])'
    assert matrix(dropped, 10, 10) == {"app=web,level=info": [(10, 1.0)]}


# --- vector aggregations ---------------------------------------------------------


def test_sum_by_level_histogram() -> None:
    assert matrix('sum by (level) (count_over_time({app=~"api|web"} |= "" [10s]))', 10, 30) == {
        "level=error": [(20, 1.0), (30, 1.0)],
        "level=info": [(10, 3.0), (20, 2.0), (30, 2.0)],
    }


def test_sum_by_missing_label_groups_under_empty_labels() -> None:
    assert matrix('sum by (level) (count_over_time({app="latency"}[10s]))', 10, 10) == {
        "": [(10, 4.0)],
    }


def test_sum_without_and_no_grouping() -> None:
    assert matrix('sum without (level) (count_over_time({app="api"}[10s]))', 20, 20) == {
        "app=api": [(20, 3.0)],
    }
    assert matrix('sum(count_over_time({app=~"api|web"}[10s]))', 10, 10) == {"": [(10, 3.0)]}


@pytest.mark.parametrize(
    ("op", "expected"),
    [("min", 1.0), ("max", 2.0), ("avg", 1.5), ("count", 2.0), ("stdvar", 0.25), ("stddev", 0.5)],
)
def test_vector_aggregations(op: str, expected: float) -> None:
    # At 20 s: api/info has 2 entries in (10,20], api/error has 1.
    assert matrix(f'{op} by (app) (count_over_time({{app="api"}}[10s]))', 20, 20) == {
        "app=api": [(20, expected)],
    }


def test_topk_and_bottomk_keep_labels() -> None:
    inner = 'count_over_time({app=~"api|web"}[10s])'
    assert matrix(f"topk(1, {inner})", 10, 20) == {
        "app=api,level=info": [(10, 2.0), (20, 2.0)],
    }
    assert matrix(f"bottomk(1, {inner})", 20, 20) == {"app=api,level=error": [(20, 1.0)]}
    assert matrix(f"topk by (level) (1, {inner})", 10, 10) == {
        "app=api,level=info": [(10, 2.0)],
    }


def test_instant_query() -> None:
    expr = metric('sum by (app, level) (count_over_time({app=~"api|web"}[30s]))')
    samples = evaluate_instant(expr, Store(), T0 + 30 * SECOND)
    assert samples == [
        Sample({"app": "api", "level": "error"}, 2.0),
        Sample({"app": "api", "level": "info"}, 6.0),
        Sample({"app": "web", "level": "info"}, 1.0),
    ]


def test_instant_sort_desc_orders_by_value() -> None:
    expr = metric('sort_desc(sum by (level) (count_over_time({app=~"api|web"}[30s])))')
    samples = evaluate_instant(expr, Store(), T0 + 30 * SECOND)
    assert [(s.labels["level"], s.value) for s in samples] == [("info", 7.0), ("error", 2.0)]


# --- binary operations -----------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ('sum(count_over_time({app="api"}[10s])) * 2', {"": [(10, 4.0), (20, 6.0), (30, 6.0)]}),
        ('2 * sum(count_over_time({app="api"}[10s]))', {"": [(10, 4.0), (20, 6.0), (30, 6.0)]}),
        ('sum(count_over_time({app="api"}[10s])) / 4', {"": [(10, 0.5), (20, 0.75), (30, 0.75)]}),
        ('sum(count_over_time({app="api"}[10s])) - 1', {"": [(10, 1.0), (20, 2.0), (30, 2.0)]}),
        ('sum(count_over_time({app="api"}[10s])) % 2', {"": [(10, 0.0), (20, 1.0), (30, 1.0)]}),
        ('sum(count_over_time({app="api"}[10s])) ^ 2', {"": [(10, 4.0), (20, 9.0), (30, 9.0)]}),
        ('sum(count_over_time({app="api"}[10s])) > 2', {"": [(20, 3.0), (30, 3.0)]}),
        (
            'sum(count_over_time({app="api"}[10s])) > bool 2',
            {"": [(10, 0.0), (20, 1.0), (30, 1.0)]},
        ),
        ('sum(count_over_time({app="api"}[10s])) == 2', {"": [(10, 2.0)]}),
        (
            'sum(count_over_time({app="api"}[10s])) / 0',
            {"": [(10, math.inf), (20, math.inf), (30, math.inf)]},
        ),
    ],
)
def test_vector_scalar(query: str, expected: dict[str, list]) -> None:
    assert matrix(query) == expected


def test_vector_vector_ratio_of_errors() -> None:
    query = (
        'sum by (app) (count_over_time({app="api", level="error"}[10s]))'
        ' / sum by (app) (count_over_time({app="api"}[10s]))'
    )
    assert matrix(query) == {"app=api": [(20, 1 / 3), (30, 1 / 3)]}


def test_vector_vector_on_and_ignoring() -> None:
    left = 'count_over_time({app="api", level="error"}[10s])'
    right = 'sum by (app) (count_over_time({app="api"}[10s]))'
    assert matrix(f"{left} / on (app) {right}", 20, 20) == {"app=api": [(20, 1 / 3)]}
    assert matrix(f"{left} / ignoring (level) {right}", 20, 20) == {"app=api": [(20, 1 / 3)]}
    assert matrix(f"{left} / on (app) group_left {right}", 20, 20) == {
        "app=api,level=error": [(20, 1 / 3)],
    }


def test_set_operations() -> None:
    api = 'sum by (app) (count_over_time({app="api"}[10s]))'
    web = 'sum by (app) (count_over_time({app="web"}[10s]))'
    assert matrix(f"{api} or {web}", 10, 10) == {"app=api": [(10, 2.0)], "app=web": [(10, 1.0)]}
    assert matrix(f"{api} and {web}", 10, 10) == {}
    assert matrix(f"{api} unless {web}", 10, 10) == {"app=api": [(10, 2.0)]}
    assert matrix(f"{api} and on () {web}", 10, 10) == {"app=api": [(10, 2.0)]}


def test_vector_fills_gaps() -> None:
    query = 'sum(count_over_time({app="web"}[5s])) or vector(0)'
    assert matrix(query, 5, 20, 5) == {"": [(5, 0.0), (10, 1.0), (15, 0.0), (20, 0.0)]}


def test_scalar_query() -> None:
    assert matrix("1 + 2", 10, 20) == {"": [(10, 3.0), (20, 3.0)]}


def test_label_replace() -> None:
    query = 'label_replace(count_over_time({app="web"}[10s]), "svc", "$1-svc", "app", "(w.*)")'
    assert matrix(query, 10, 10) == {"app=web,level=info,svc=web-svc": [(10, 1.0)]}
    unmatched = 'label_replace(count_over_time({app="web"}[10s]), "svc", "$1", "app", "x(.*)")'
    assert matrix(unmatched, 10, 10) == {"app=web,level=info": [(10, 1.0)]}


def test_absent_over_time() -> None:
    assert matrix('absent_over_time({app="web", level="info"}[5s])', 5, 20, 5) == {
        "app=web,level=info": [(5, 1.0), (15, 1.0), (20, 1.0)],
    }


def test_rate_counter() -> None:
    query = (
        'rate_counter({app="latency"} | logfmt | drop took, size, route'
        ' | unwrap latency | __error__="" [10s])'
    )
    result = matrix(query, 10, 10)
    # Values 0.5, 1.5, 4, 2 at 1-4 s: the drop from 4 to 2 is a reset, so the
    # increase is (2 - 0.5) + 4 = 5.5 over 3 s. Extrapolation adds the time to
    # zero at the start (3 s * 0.5 / 5.5) and half a sample gap at the end.
    assert list(result) == ["app=latency"]
    expected = 5.5 * (3 + 3 * 0.5 / 5.5 + 0.5) / 3 / 10
    assert result["app=latency"][0][1] == pytest.approx(expected)


# --- limits and errors -----------------------------------------------------------


def test_too_many_steps() -> None:
    with pytest.raises(ValueError, match="11,000"):
        evaluate_metric(
            metric('count_over_time({app="api"}[1s])'), Store(), 0, 20_000 * SECOND, SECOND
        )


def test_step_must_be_positive() -> None:
    with pytest.raises(ValueError, match="step"):
        evaluate_metric(metric('count_over_time({app="api"}[1s])'), Store(), 0, SECOND, 0)


def test_unsupported_aggregation_names_construct() -> None:
    expr = VectorAggregation("approx_topk", metric('count_over_time({app="api"}[1s])'), parameter=1)
    with pytest.raises(
        UnsupportedQueryError, match="unsupported in the embedded evaluator: approx_topk"
    ):
        evaluate_metric(expr, Store(), T0, T0, SECOND)


def test_series_type_shape() -> None:
    series = evaluate_metric(
        metric('count_over_time({app="web"}[10s])'),
        Store(),
        T0 + 10 * SECOND,
        T0 + 10 * SECOND,
        SECOND,
    )
    assert series == [Series({"app": "web", "level": "info"}, [(T0 + 10 * SECOND, 1.0)])]
