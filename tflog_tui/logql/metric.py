"""Evaluate LogQL metric queries over entries fetched from a store.

A range query is evaluated at every step `t` from start to end inclusive.
A range aggregation at `t` reads the samples with timestamps in
`(t - offset - range, t - offset]`, as in Loki and Prometheus. A step whose
window contains no sample has no point. Vector aggregations, binary operations
and `label_replace` then work step by step on those vectors.

`fetch(selector, start_ns, end_ns)` is called once per range aggregation with
`start_ns` inclusive and `end_ns` exclusive and yields
`(stream labels, iterable of (ts_ns, line) ascending)`.
"""

from __future__ import annotations

import bisect
import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final, TypeAlias

from tflog_tui.logql.ast import (
    BinaryOperation,
    Grouping,
    LabelReplace,
    LineFormat,
    LiteralExpr,
    LogQuery,
    LogRange,
    Matcher,
    MetricExpr,
    RangeAggregation,
    VectorAggregation,
    VectorExpr,
    VectorMatching,
)
from tflog_tui.logql.evaluator import (
    ERROR_DETAILS_LABEL,
    ERROR_LABEL,
    Fetch,
    LogQueryEvaluator,
    PipelineError,
    Sample,
    Series,
    UnsupportedQueryError,
)
from tflog_tui.logql.re2 import compile_re2, expand_go_template

MAX_POINTS_PER_SERIES: Final = 11_000
"""Loki's limit on the number of steps of a range query."""

LabelsKey: TypeAlias = tuple[tuple[str, str], ...]
Vector: TypeAlias = dict[LabelsKey, float]


@dataclass(slots=True)
class _Scalar:
    """A number literal: the same value at every step."""

    value: float


Result: TypeAlias = list[Vector] | _Scalar


def evaluate_metric(
    expr: MetricExpr, fetch: Fetch, start_ns: int, end_ns: int, step_ns: int
) -> list[Series]:
    """Evaluate a metric query at each step from `start_ns` to `end_ns` inclusive.

    Times are nanoseconds since the epoch. Raises ValueError when the step is
    not positive or the range needs more than 11,000 steps, PipelineError when
    a sample carries `__error__`, and UnsupportedQueryError for constructs the
    evaluator does not implement.
    """
    steps = _steps(start_ns, end_ns, step_ns)
    result = _evaluate(expr, fetch, steps)

    if isinstance(result, _Scalar):
        return [Series({}, [(t, result.value) for t in steps])]

    by_key: dict[LabelsKey, Series] = {}
    for t, vector in zip(steps, result, strict=True):
        for key, value in vector.items():
            series = by_key.get(key)
            if series is None:
                series = by_key[key] = Series(dict(key))
            series.points.append((t, value))
    return [by_key[key] for key in sorted(by_key)]


def evaluate_instant(expr: MetricExpr, fetch: Fetch, time_ns: int) -> list[Sample]:
    """Evaluate a metric query at one time (nanoseconds since the epoch).

    Samples are sorted by labels, except that `sort`, `sort_desc`, `topk` and
    `bottomk` at the top order them by value as Loki returns them.
    """
    result = _evaluate(expr, fetch, [time_ns])
    if isinstance(result, _Scalar):
        return [Sample({}, result.value)]

    vector = result[0]
    keys = sorted(vector)
    if isinstance(expr, VectorAggregation) and expr.op in ("sort", "sort_desc", "topk", "bottomk"):
        descending = expr.op in ("sort_desc", "topk")
        keys.sort(key=lambda key: vector[key], reverse=descending)
    return [Sample(dict(key), vector[key]) for key in keys]


def _steps(start_ns: int, end_ns: int, step_ns: int) -> list[int]:
    if step_ns <= 0:
        raise ValueError(f"invalid step {step_ns} ns: the step must be positive")
    if end_ns < start_ns:
        raise ValueError("invalid range: the end is before the start")
    count = (end_ns - start_ns) // step_ns + 1
    if count > MAX_POINTS_PER_SERIES:
        raise ValueError(
            f"exceeded maximum resolution of {MAX_POINTS_PER_SERIES:,} points per series "
            f"({count:,} steps); increase the step"
        )
    return list(range(start_ns, end_ns + 1, step_ns))


def _evaluate(expr: MetricExpr, fetch: Fetch, steps: list[int]) -> Result:
    if isinstance(expr, LiteralExpr):
        return _Scalar(expr.value)
    if isinstance(expr, VectorExpr):
        return [{(): expr.value} for _ in steps]
    if isinstance(expr, RangeAggregation):
        return _range_aggregation(expr, fetch, steps)
    if isinstance(expr, VectorAggregation):
        inner = _evaluate(expr.expr, fetch, steps)
        if isinstance(inner, _Scalar):
            raise UnsupportedQueryError(f"{expr.op} over a scalar")
        group_keys: dict[LabelsKey, LabelsKey] = {}
        return [_vector_aggregation(expr, vector, group_keys) for vector in inner]
    if isinstance(expr, BinaryOperation):
        return _binary_operation(expr, fetch, steps)
    if isinstance(expr, LabelReplace):
        inner = _evaluate(expr.expr, fetch, steps)
        if isinstance(inner, _Scalar):
            raise UnsupportedQueryError("label_replace over a scalar")
        return [_label_replace(expr, vector) for vector in inner]
    raise UnsupportedQueryError(type(expr).__name__)


# --- range aggregations ------------------------------------------------------------

_LOG_RANGE_OPS: Final = frozenset({"count_over_time", "rate", "bytes_over_time", "bytes_rate"})


def _labels_key(labels: Mapping[str, str]) -> LabelsKey:
    return tuple(sorted(labels.items()))


def _group_key(labels: Mapping[str, str], grouping: Grouping | None) -> LabelsKey:
    if grouping is None:
        return ()
    if grouping.without:
        dropped = set(grouping.labels)
        return tuple(sorted((k, v) for k, v in labels.items() if k not in dropped))
    return tuple(sorted((k, labels[k]) for k in grouping.labels if labels.get(k, "") != ""))


def _byte_length(line: str) -> int:
    if line.isascii():
        return len(line)
    return len(line.encode("utf-8", "surrogatepass"))


def _collect_samples(
    node: RangeAggregation, fetch: Fetch, steps: list[int]
) -> dict[LabelsKey, tuple[list[int], list[float]]]:
    """Fetch and run the log range's entries; return samples by series, ascending."""
    log_range: LogRange = node.range
    op = node.op
    if op not in _LOG_RANGE_OPS and log_range.unwrap is None and op != "absent_over_time":
        raise ValueError(f"invalid query: {op} needs an unwrap stage such as | unwrap latency")

    query = log_range.query
    if log_range.unwrap is None and op not in ("bytes_over_time", "bytes_rate"):
        # Counting ignores the line, so a trailing line_format is dropped and
        # its template cannot fail the query. NOTE: meant to match Loki,
        # but not checked against a running Loki.
        pipeline = query.pipeline
        while pipeline and isinstance(pipeline[-1], LineFormat):
            pipeline = pipeline[:-1]
        query = LogQuery(query.selector, pipeline)
    evaluator = LogQueryEvaluator(query, unwrap=log_range.unwrap)
    wants_bytes = op in ("bytes_over_time", "bytes_rate")
    unwrapped = log_range.unwrap is not None and op not in ("count_over_time", "bytes_over_time")
    grouping = node.grouping
    start = steps[0] - log_range.offset_ns - log_range.range_ns + 1
    end = steps[-1] - log_range.offset_ns + 1

    collected: dict[LabelsKey, tuple[list[int], list[float]]] = {}
    for stream_labels, entries in fetch(log_range.query.selector, start, end):
        if not evaluator.matches_stream(stream_labels):
            continue

        if evaluator.has_line_filters_only and log_range.unwrap is None:
            # Fast path: the series is the stream itself and only the line is tested.
            key = _group_key(stream_labels, grouping) if grouping else _labels_key(stream_labels)
            times, values = collected.setdefault(key, ([], []))
            line_passes = evaluator.line_passes
            for ts_ns, line in entries:
                if start <= ts_ns < end and line_passes(line):
                    times.append(ts_ns)
                    values.append(float(_byte_length(line)) if wants_bytes else 1.0)
            continue

        for ts_ns, line in entries:
            if not start <= ts_ns < end:
                continue
            processed = evaluator.process(ts_ns, stream_labels, line)
            if processed is None:
                continue
            labels = processed.labels
            if ERROR_LABEL in labels:
                raise PipelineError(
                    f"pipeline error: {labels[ERROR_LABEL]!r} for series "
                    f"{_format_labels(labels)}: {labels.get(ERROR_DETAILS_LABEL, '')}. "
                    f'Skip such entries with a label filter such as | __error__="" '
                    f'(after unwrap too: | unwrap latency | __error__="").'
                )
            if wants_bytes:
                value = float(_byte_length(processed.line))
            elif unwrapped:
                value = processed.value
            else:
                value = 1.0
            key = _group_key(labels, grouping) if grouping else _labels_key(labels)
            times, values = collected.setdefault(key, ([], []))
            times.append(ts_ns)
            values.append(value)

    for times, values in collected.values():
        if any(times[i] > times[i + 1] for i in range(len(times) - 1)):
            pairs = sorted(zip(times, values, strict=True), key=lambda pair: pair[0])
            times[:] = [t for t, _ in pairs]
            values[:] = [v for _, v in pairs]
    return collected


def _format_labels(labels: Mapping[str, str]) -> str:
    inner = ", ".join(
        f'{name}="{value}"'
        for name, value in sorted(labels.items())
        if name not in (ERROR_LABEL, ERROR_DETAILS_LABEL)
    )
    return "{" + inner + "}"


def _range_aggregation(node: RangeAggregation, fetch: Fetch, steps: list[int]) -> list[Vector]:
    op = node.op
    function = _RANGE_FUNCTIONS.get(op)
    if function is None and op != "absent_over_time":
        raise UnsupportedQueryError(op)

    collected = _collect_samples(node, fetch, steps)
    log_range = node.range
    range_ns = log_range.range_ns
    range_seconds = range_ns / 1e9
    unwrapped = log_range.unwrap is not None
    parameter = node.parameter if node.parameter is not None else 0.0

    vectors: list[Vector] = [{} for _ in steps]
    offset_ns = log_range.offset_ns
    for key, (times, values) in collected.items():
        if not times:
            continue
        # A sample at ts is in the window of step t when ts + offset <= t < ts + offset + range,
        # so only the steps between the first and last sample's windows are visited.
        first_index, last_index = _step_span(
            steps, times[0] + offset_ns, times[-1] + offset_ns + range_ns - 1
        )
        for index in range(first_index, last_index + 1):
            t = steps[index]
            window_end = t - offset_ns
            low = bisect.bisect_right(times, window_end - range_ns)
            high = bisect.bisect_right(times, window_end)
            if low == high:
                continue
            if op == "absent_over_time":
                vectors[index][()] = math.nan  # marks "present"; replaced below
                continue
            assert function is not None
            value = function(
                times[low:high],
                values[low:high],
                window_end,
                range_ns,
                range_seconds,
                unwrapped,
                parameter,
            )
            if value is not None:
                vectors[index][key] = value

    if op == "absent_over_time":
        absent_labels = _absent_labels(log_range.query.selector)
        return [{} if vector else {absent_labels: 1.0} for vector in vectors]
    return vectors


def _step_span(steps: list[int], first_ns: int, last_ns: int) -> tuple[int, int]:
    """Return the indexes of the first and last step within [first_ns, last_ns].

    The span is empty (first > last) when no step falls in that interval.
    """
    return bisect.bisect_left(steps, first_ns), bisect.bisect_right(steps, last_ns) - 1


def _absent_labels(selector: Sequence[Matcher]) -> LabelsKey:
    names: dict[str, str] = {}
    duplicated: set[str] = set()
    for matcher in selector:
        if matcher.op != "=":
            continue
        if matcher.name in names:
            duplicated.add(matcher.name)
        names[matcher.name] = matcher.value
    return tuple(sorted((k, v) for k, v in names.items() if k not in duplicated))


RangeFunction: TypeAlias = Callable[
    [list[int], list[float], int, int, float, bool, float], float | None
]


def _sum(values: Sequence[float]) -> float:
    # Plain left-to-right addition, as Loki sums, so results match to the last bit.
    total = 0.0
    for value in values:
        total += value
    return total


def _count(times: list[int], values: list[float], *_: object) -> float:
    return float(len(values))


def _rate(
    times: list[int],
    values: list[float],
    end: int,
    range_ns: int,
    seconds: float,
    unwrapped: bool,
    _p: float,
) -> float:
    if unwrapped:
        return _sum(values) / seconds
    return len(values) / seconds


def _bytes_over_time(times: list[int], values: list[float], *_: object) -> float:
    return _sum(values)


def _bytes_rate(
    times: list[int], values: list[float], end: int, range_ns: int, seconds: float, *_: object
) -> float:
    return _sum(values) / seconds


def _sum_over_time(times: list[int], values: list[float], *_: object) -> float:
    return _sum(values)


def _avg_over_time(times: list[int], values: list[float], *_: object) -> float:
    return _sum(values) / len(values)


def _min_over_time(times: list[int], values: list[float], *_: object) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return min(finite) if finite else math.nan


def _max_over_time(times: list[int], values: list[float], *_: object) -> float:
    finite = [v for v in values if not math.isnan(v)]
    return max(finite) if finite else math.nan


def _first_over_time(times: list[int], values: list[float], *_: object) -> float:
    return values[0]


def _last_over_time(times: list[int], values: list[float], *_: object) -> float:
    return values[-1]


def _stdvar(values: Sequence[float]) -> float:
    count = 0
    mean = 0.0
    aux = 0.0
    for value in values:
        count += 1
        delta = value - mean
        mean += delta / count
        aux += delta * (value - mean)
    return aux / count


def _stdvar_over_time(times: list[int], values: list[float], *_: object) -> float:
    return _stdvar(values)


def _stddev_over_time(times: list[int], values: list[float], *_: object) -> float:
    return math.sqrt(_stdvar(values))


def quantile(phi: float, values: Sequence[float]) -> float:
    """Return the φ-quantile of values with linear interpolation, as Prometheus computes it."""
    if not values:
        return math.nan
    if math.isnan(phi):
        return math.nan
    if phi < 0:
        return -math.inf
    if phi > 1:
        return math.inf
    ordered = sorted(values)
    rank = phi * (len(ordered) - 1)
    lower = max(0, math.floor(rank))
    upper = min(len(ordered) - 1, lower + 1)
    weight = rank - math.floor(rank)
    return ordered[lower] * (1 - weight) + ordered[upper] * weight


def _quantile_over_time(
    times: list[int],
    values: list[float],
    end: int,
    range_ns: int,
    seconds: float,
    unwrapped: bool,
    phi: float,
) -> float:
    return quantile(phi, values)


def _rate_counter(
    times: list[int], values: list[float], end: int, range_ns: int, seconds: float, *_: object
) -> float | None:
    """Return a counter's per-second increase, extrapolated to the window as Prometheus does."""
    if len(values) < 2:
        return None
    result = values[-1] - values[0]
    previous = values[0]
    for value in values[1:]:
        if value < previous:
            result += previous
        previous = value

    range_start = end - range_ns
    to_start = (times[0] - range_start) / 1e9
    to_end = (end - times[-1]) / 1e9
    sampled = (times[-1] - times[0]) / 1e9
    if sampled == 0:
        return None
    average_gap = sampled / (len(values) - 1)
    if result > 0 and values[0] >= 0:
        to_zero = sampled * (values[0] / result)
        to_start = min(to_start, to_zero)
    threshold = average_gap * 1.1
    interval = sampled
    interval += to_start if to_start < threshold else average_gap / 2
    interval += to_end if to_end < threshold else average_gap / 2
    return result * (interval / sampled) / seconds


_RANGE_FUNCTIONS: Final[dict[str, RangeFunction]] = {
    "count_over_time": _count,
    "rate": _rate,
    "bytes_over_time": _bytes_over_time,
    "bytes_rate": _bytes_rate,
    "sum_over_time": _sum_over_time,
    "avg_over_time": _avg_over_time,
    "min_over_time": _min_over_time,
    "max_over_time": _max_over_time,
    "first_over_time": _first_over_time,
    "last_over_time": _last_over_time,
    "stdvar_over_time": _stdvar_over_time,
    "stddev_over_time": _stddev_over_time,
    "quantile_over_time": _quantile_over_time,
    "rate_counter": _rate_counter,
}


# --- vector aggregations --------------------------------------------------------------


def _vector_aggregation(
    node: VectorAggregation, vector: Vector, group_keys: dict[LabelsKey, LabelsKey]
) -> Vector:
    """Aggregate one step's vector; `group_keys` caches each series' group across steps."""
    op = node.op
    if op in ("sort", "sort_desc"):
        return dict(vector)
    if op in ("topk", "bottomk"):
        return _top(node, vector, group_keys)

    groups: dict[LabelsKey, list[float]] = {}
    for key, value in vector.items():
        group = _cached_group(key, node.grouping, group_keys)
        groups.setdefault(group, []).append(value)

    result: Vector = {}
    for group, values in groups.items():
        if op == "sum":
            result[group] = _sum(values)
        elif op == "avg":
            result[group] = _sum(values) / len(values)
        elif op == "count":
            result[group] = float(len(values))
        elif op == "min":
            finite = [v for v in values if not math.isnan(v)]
            result[group] = min(finite) if finite else math.nan
        elif op == "max":
            finite = [v for v in values if not math.isnan(v)]
            result[group] = max(finite) if finite else math.nan
        elif op == "stdvar":
            result[group] = _stdvar(values)
        elif op == "stddev":
            result[group] = math.sqrt(_stdvar(values))
        else:
            raise UnsupportedQueryError(op)
    return result


def _cached_group(
    key: LabelsKey, grouping: Grouping | None, group_keys: dict[LabelsKey, LabelsKey]
) -> LabelsKey:
    group = group_keys.get(key)
    if group is None:
        group = group_keys[key] = _group_key(dict(key), grouping)
    return group


def _top(node: VectorAggregation, vector: Vector, group_keys: dict[LabelsKey, LabelsKey]) -> Vector:
    k = node.parameter if node.parameter is not None else 0
    if k <= 0:
        return {}
    groups: dict[LabelsKey, list[LabelsKey]] = {}
    for key in vector:
        groups.setdefault(_cached_group(key, node.grouping, group_keys), []).append(key)

    descending = node.op == "topk"
    result: Vector = {}
    for keys in groups.values():
        # NaN sorts last for both topk and bottomk; ties keep label order.
        ordered = sorted(
            keys,
            key=lambda key: (
                math.isnan(vector[key]),
                -vector[key] if descending else vector[key],
                key,
            ),
        )
        for key in ordered[:k]:
            result[key] = vector[key]
    return result


# --- binary operations ------------------------------------------------------------------

_ARITHMETIC: Final = frozenset({"+", "-", "*", "/", "%", "^"})
_COMPARISON: Final = frozenset({"==", "!=", ">", ">=", "<", "<="})
_SET_OPS: Final = frozenset({"and", "or", "unless"})


def _arithmetic(op: str, left: float, right: float) -> float:
    if op == "+":
        return left + right
    if op == "-":
        return left - right
    if op == "*":
        return left * right
    if op == "/":
        if right == 0:
            if left == 0 or math.isnan(left):
                return math.nan
            return math.copysign(math.inf, left) * math.copysign(1.0, right)
        return left / right
    if op == "%":
        if right == 0:
            return math.nan
        return math.fmod(left, right)
    try:
        return math.pow(left, right)
    except OverflowError:
        return math.inf
    except ValueError:
        return math.nan


_COMPARE: Final[dict[str, Callable[[float, float], bool]]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def _binary_operation(node: BinaryOperation, fetch: Fetch, steps: list[int]) -> Result:
    op = node.op
    left = _evaluate(node.left, fetch, steps)
    right = _evaluate(node.right, fetch, steps)

    if isinstance(left, _Scalar) and isinstance(right, _Scalar):
        if op in _ARITHMETIC:
            return _Scalar(_arithmetic(op, left.value, right.value))
        if op in _COMPARISON:
            return _Scalar(1.0 if _COMPARE[op](left.value, right.value) else 0.0)
        raise ValueError(f"invalid query: {op} needs vectors on both sides")

    if isinstance(left, _Scalar) or isinstance(right, _Scalar):
        if op in _SET_OPS:
            raise ValueError(f"invalid query: {op} needs vectors on both sides")
        return [_vector_scalar(node, left, right, index) for index in range(len(steps))]

    matching = node.matching
    return [
        _vector_vector(node, matching, l_vec, r_vec)
        for l_vec, r_vec in zip(left, right, strict=True)
    ]


def _vector_scalar(node: BinaryOperation, left: Result, right: Result, index: int) -> Vector:
    op = node.op
    scalar_left = isinstance(left, _Scalar)
    if scalar_left:
        assert isinstance(left, _Scalar) and not isinstance(right, _Scalar)
        scalar, vector = left.value, right[index]
    else:
        assert isinstance(right, _Scalar) and not isinstance(left, _Scalar)
        scalar, vector = right.value, left[index]

    result: Vector = {}
    for key, value in vector.items():
        a, b = (scalar, value) if scalar_left else (value, scalar)
        if op in _ARITHMETIC:
            result[key] = _arithmetic(op, a, b)
            continue
        passed = _COMPARE[op](a, b)
        if node.return_bool:
            result[key] = 1.0 if passed else 0.0
        elif passed:
            result[key] = value
    return result


def _signature(key: LabelsKey, matching: VectorMatching | None) -> LabelsKey:
    if matching is None:
        return key
    if matching.on:
        wanted = set(matching.labels)
        return tuple((k, v) for k, v in key if k in wanted)
    ignored = set(matching.labels)
    return tuple((k, v) for k, v in key if k not in ignored)


def _vector_vector(
    node: BinaryOperation, matching: VectorMatching | None, left: Vector, right: Vector
) -> Vector:
    op = node.op

    if op in _SET_OPS:
        right_signatures = {_signature(key, matching) for key in right}
        if op == "and":
            return {k: v for k, v in left.items() if _signature(k, matching) in right_signatures}
        if op == "unless":
            return {
                k: v for k, v in left.items() if _signature(k, matching) not in right_signatures
            }
        left_signatures = {_signature(key, matching) for key in left}
        result = dict(left)
        for key, value in right.items():
            if _signature(key, matching) not in left_signatures:
                result[key] = value
        return result

    group_side = matching.group_side if matching else None
    one_side, many_side = (right, left) if group_side != "right" else (left, right)
    by_signature: dict[LabelsKey, LabelsKey] = {}
    for key in one_side:
        signature = _signature(key, matching)
        if signature in by_signature:
            side = "right" if one_side is right else "left"
            raise ValueError(
                f"found duplicate series for the match group {dict(signature)} on the {side} "
                "hand-side of the operation; many-to-many matching is not allowed"
            )
        by_signature[signature] = key

    result = {}
    seen: set[LabelsKey] = set()
    for many_key, many_value in many_side.items():
        signature = _signature(many_key, matching)
        one_key = by_signature.get(signature)
        if one_key is None:
            continue
        if group_side is None:
            if signature in seen:
                raise ValueError(
                    f"found duplicate series for the match group {dict(signature)} on the left "
                    "hand-side of the operation; many-to-many matching is not allowed"
                )
            seen.add(signature)

        if group_side == "right":
            left_value, right_value = one_side[one_key], many_value
        else:
            left_value, right_value = many_value, one_side[one_key]

        if group_side is None:
            result_key = signature if matching is not None else many_key
        else:
            labels = dict(many_key)
            assert matching is not None
            one_labels = dict(one_key)
            for name in matching.include:
                if one_labels.get(name, "") != "":
                    labels[name] = one_labels[name]
                else:
                    labels.pop(name, None)
            result_key = _labels_key(labels)

        if op in _ARITHMETIC:
            result[result_key] = _arithmetic(op, left_value, right_value)
            continue
        passed = _COMPARE[op](left_value, right_value)
        if node.return_bool:
            result[result_key] = 1.0 if passed else 0.0
        elif passed:
            result[result_key] = left_value
    return result


# --- label_replace ------------------------------------------------------------------------


def _label_replace(node: LabelReplace, vector: Vector) -> Vector:
    regex = compile_re2(node.regex, anchored=True)
    result: Vector = {}
    for key, value in vector.items():
        labels = dict(key)
        match = regex.match(labels.get(node.src, ""))
        if match is not None:
            replaced = expand_go_template(match, node.replacement)
            if replaced:
                labels[node.dst] = replaced
            else:
                labels.pop(node.dst, None)
        result[_labels_key(labels)] = value
    return result
