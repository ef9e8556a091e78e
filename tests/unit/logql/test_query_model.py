"""The query builder model: printing, reading back, fitting and validation."""

from __future__ import annotations

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from tflog_tui.grafana import explore_url, parse_explore_url
from tflog_tui.logql import ast, parse
from tflog_tui.logql.builder import (
    DoesNotFitBuilder,
    LabelFilterSpec,
    LevelSpec,
    LineFilterSpec,
    MatcherSpec,
    MetricSpec,
    ParserSpec,
    QueryModel,
)
from tflog_tui.logql.escape import escape_regex
from tflog_tui.logql.evaluator import LogQueryEvaluator

MINUTE_NS = 60 * 1_000_000_000
SERVICE = MatcherSpec("service_name", "=", "billing-sync")


def _alert_model() -> QueryModel:
    return QueryModel(
        matchers=[SERVICE],
        line_filters=[LineFilterSpec("|=", "task_id=7f3a9c2e")],
        parser=ParserSpec("json"),
        level=LevelSpec(["error"]),
    )


# Printing


def test_to_logql_alert_query() -> None:
    text = _alert_model().to_logql()

    assert text == '{service_name="billing-sync"} |= "task_id=7f3a9c2e" | json | level="error"'


def test_to_logql_goes_through_ast() -> None:
    model = _alert_model()

    assert model.to_logql() == str(model.to_ast())
    assert parse(model.to_logql()) == model.to_ast()


def test_level_several_is_regex_filter() -> None:
    model = _alert_model()
    model.level = LevelSpec(["error", "critical"])
    tree = model.to_ast()

    assert isinstance(tree, ast.LogQuery)
    assert tree.pipeline[-1] == ast.LabelFilter(
        ast.StringLabelFilter("level", "=~", "error|critical")
    )
    assert model.to_logql().endswith('| json | level=~"error|critical"')


def test_level_as_stream_matcher() -> None:
    model = _alert_model()
    model.level = LevelSpec(["error", "warning"], stream_matcher=True)
    tree = model.to_ast()

    assert isinstance(tree, ast.LogQuery)
    assert tree.selector == (
        ast.Matcher("service_name", "=", "billing-sync"),
        ast.Matcher("level", "=~", "error|warning"),
    )
    assert all(not isinstance(stage, ast.LabelFilter) for stage in tree.pipeline)


def test_level_filter_before_other_label_filters() -> None:
    model = _alert_model()
    model.label_filters = [LabelFilterSpec("status", ">=", "500", kind="number")]
    tree = model.to_ast()

    assert isinstance(tree, ast.LogQuery)
    assert tree.pipeline[2:] == (
        ast.LabelFilter(ast.StringLabelFilter("level", "=", "error")),
        ast.LabelFilter(ast.NumberLabelFilter("status", ">=", 500.0)),
    )


def test_no_levels_no_level_filter() -> None:
    model = _alert_model()
    model.level = LevelSpec([])

    assert model.to_logql() == '{service_name="billing-sync"} |= "task_id=7f3a9c2e" | json'


def test_literal_regex_matcher_is_escaped() -> None:
    model = QueryModel(matchers=[MatcherSpec("path", "=~", r"C:\temp\new.txt", literal=True)])
    tree = model.to_ast()

    assert isinstance(tree, ast.LogQuery)
    assert tree.selector[0].value == r"C:\\temp\\new\.txt"


def test_user_regex_matcher_is_kept() -> None:
    model = QueryModel(matchers=[MatcherSpec("service_name", "=~", "billing-.*")])
    tree = model.to_ast()

    assert isinstance(tree, ast.LogQuery)
    assert tree.selector[0].value == "billing-.*"


def test_typed_label_filters() -> None:
    model = QueryModel(
        matchers=[SERVICE],
        parser=ParserSpec("logfmt"),
        label_filters=[
            LabelFilterSpec("status", "=", "404", kind="number"),
            LabelFilterSpec("took", ">", "1.5s", kind="duration"),
            LabelFilterSpec("size", "<=", "20MB", kind="bytes"),
            LabelFilterSpec("route", "!~", "/health.*"),
        ],
    )
    tree = model.to_ast()

    assert isinstance(tree, ast.LogQuery)
    assert tree.pipeline[1:] == (
        ast.LabelFilter(ast.NumberLabelFilter("status", "==", 404.0)),
        ast.LabelFilter(ast.DurationLabelFilter("took", ">", 1_500_000_000)),
        ast.LabelFilter(ast.BytesLabelFilter("size", "<=", 20_000_000)),
        ast.LabelFilter(ast.StringLabelFilter("route", "!~", "/health.*")),
    )


def test_parsers_print() -> None:
    regexp = QueryModel(matchers=[SERVICE], parser=ParserSpec("regexp", r"(?P<status>\d{3})"))
    pattern = QueryModel(matchers=[SERVICE], parser=ParserSpec("pattern", "<ip> - <_> <status>"))

    assert regexp.to_logql() == r'{service_name="billing-sync"} | regexp `(?P<status>\d{3})`'
    assert pattern.to_logql() == '{service_name="billing-sync"} | pattern "<ip> - <_> <status>"'


def test_metric_wrapper() -> None:
    model = _alert_model()
    model.metric = MetricSpec("rate", range_ns=MINUTE_NS, sum_by=["task_id"])
    tree = model.to_ast()

    assert isinstance(tree, ast.VectorAggregation)
    assert tree.op == "sum"
    assert tree.grouping == ast.Grouping(("task_id",))
    assert isinstance(tree.expr, ast.RangeAggregation)
    assert tree.expr.op == "rate"
    assert tree.expr.range.range_ns == MINUTE_NS
    assert model.to_logql().startswith("sum by (task_id) (rate({")
    assert model.to_logql().endswith("[1m]))")


def test_metric_without_sum() -> None:
    model = QueryModel(matchers=[SERVICE], metric=MetricSpec(aggregate=False))

    assert model.to_logql() == 'count_over_time({service_name="billing-sync"} [5m])'


@pytest.mark.parametrize(
    ("item", "message"),
    [
        (LabelFilterSpec("status", ">=", "five", kind="number"), "invalid number"),
        (LabelFilterSpec("status", ">=", "inf", kind="number"), "invalid number"),
        (LabelFilterSpec("status", ">=", "nan", kind="number"), "invalid number"),
        (LabelFilterSpec("took", ">", "5 minutes", kind="duration"), "invalid duration"),
        (LabelFilterSpec("size", ">", "big", kind="bytes"), "invalid byte size"),
        (LabelFilterSpec("route", ">", "x"), "invalid operator"),
        (LabelFilterSpec("status", "=~", "5", kind="number"), "invalid operator"),
    ],
)
def test_to_logql_rejects_bad_values(item: LabelFilterSpec, message: str) -> None:
    model = QueryModel(matchers=[SERVICE], label_filters=[item])

    with pytest.raises(ValueError, match=message):
        model.to_logql()


# Reading back


ROUND_TRIP_MODELS = [
    _alert_model(),
    QueryModel(matchers=[SERVICE, MatcherSpec("task_id", "!=", "x")]),
    QueryModel(
        matchers=[MatcherSpec("service_name", "=~", "billing-.*"), MatcherSpec("host", "!~", "db")],
        line_filters=[
            LineFilterSpec("|=", 'say "hi"'),
            LineFilterSpec("!=", "debug"),
            LineFilterSpec("|~", "err(or)?"),
            LineFilterSpec("!~", "health"),
            LineFilterSpec("|>", "<_> took <_>"),
            LineFilterSpec("!>", "GET <_>"),
        ],
        parser=ParserSpec("pattern", "<_> status=<status>"),
        label_filters=[
            LabelFilterSpec("status", ">=", "500", kind="number"),
            LabelFilterSpec("status", "!=", "0.25", kind="number"),
            LabelFilterSpec("took", ">", "1h30m", kind="duration"),
            LabelFilterSpec("size", "<", "20MB", kind="bytes"),
            LabelFilterSpec("route", "=", "/api"),
        ],
        level=LevelSpec(["critical", "error", "warning"]),
        metric=MetricSpec("count_over_time", range_ns=10 * MINUTE_NS, sum_by=["route", "status"]),
    ),
    QueryModel(matchers=[SERVICE], level=LevelSpec(["error"], stream_matcher=True)),
    QueryModel(matchers=[SERVICE], level=LevelSpec(["error", "critical"], stream_matcher=True)),
    QueryModel(matchers=[SERVICE], parser=ParserSpec("regexp", r"(?P<n>\d+)")),
    QueryModel(matchers=[SERVICE], metric=MetricSpec("rate", aggregate=False)),
    QueryModel(matchers=[SERVICE], metric=MetricSpec("count_over_time", sum_by=[])),
    QueryModel(level=LevelSpec(["info"], stream_matcher=True)),
]


@pytest.mark.parametrize("model", ROUND_TRIP_MODELS)
def test_model_round_trip(model: QueryModel) -> None:
    text = model.to_logql()
    back = QueryModel.from_logql(text)

    assert back == model
    assert back.to_logql() == text


FITTING_QUERIES = [
    '{service_name="billing-sync"} |= "task_id=7f3a9c2e" | json | level="error"',
    '{service_name="billing-sync", level=~"error|critical"} |~ "timeout|refused"',
    '{service_name=~"billing-.*"} | logfmt | duration > 5s and status >= 500',
    'sum by (task_id) (count_over_time({service_name="billing-sync"} | json [5m]))',
    'sum(rate({service_name="billing-sync"} |= "retry" [1m]))',
    'rate({service_name="billing-sync"} [30s])',
    r"{path=`C:\temp\new`} |= `C:\temp` | regexp `(?P<drive>\w):`",
    '{service_name="api"} | json | level="error" | level="warning"',
    '{service_name="api"} | json |= "after the parser"',
]


@pytest.mark.parametrize("text", FITTING_QUERIES)
def test_fitting_query_keeps_meaning(text: str) -> None:
    model = QueryModel.from_logql(text)
    printed = model.to_logql()

    assert QueryModel.from_logql(printed) == model
    assert model.validate() == []


def test_from_logql_alert_query() -> None:
    model = QueryModel.from_logql(
        '{service_name="billing-sync"} |= "task_id=7f3a9c2e" | json | level=~"error|critical"'
    )

    assert model.matchers == [SERVICE]
    assert model.line_filters == [LineFilterSpec("|=", "task_id=7f3a9c2e")]
    assert model.parser == ParserSpec("json")
    assert model.level == LevelSpec(["error", "critical"], stream_matcher=False)
    assert model.label_filters == []
    assert model.metric is None


def test_from_logql_level_in_selector() -> None:
    model = QueryModel.from_logql('{level="error", service_name="billing-sync"}')

    assert model.matchers == [SERVICE]
    assert model.level == LevelSpec(["error"], stream_matcher=True)


def test_from_logql_level_regex_not_literal() -> None:
    model = QueryModel.from_logql('{service_name="x"} | json | level=~"err.*"')

    assert model.level == LevelSpec()
    assert model.label_filters == [LabelFilterSpec("level", "=~", "err.*")]


def test_from_logql_and_becomes_two_filters() -> None:
    model = QueryModel.from_logql('{service_name="x"} | logfmt | duration > 5s, status >= 500')

    assert model.label_filters == [
        LabelFilterSpec("duration", ">", "5s", kind="duration"),
        LabelFilterSpec("status", ">=", "500", kind="number"),
    ]


def test_from_logql_line_filter_after_parser() -> None:
    model = QueryModel.from_logql('{service_name="x"} | json |= "boom"')

    assert model.line_filters == [LineFilterSpec("|=", "boom")]
    assert model.to_logql() == '{service_name="x"} |= "boom" | json'


def test_from_logql_metric() -> None:
    model = QueryModel.from_logql(
        'sum by (service_name, task_id) (rate({service_name="x"} |= "boom" [2m]))'
    )

    assert model.metric == MetricSpec("rate", 2 * MINUTE_NS, ["service_name", "task_id"])
    assert model.line_filters == [LineFilterSpec("|=", "boom")]


NOT_FITTING = [
    ('{a="b"} | line_format "{{.msg}}"', "line_format"),
    ('{a="b"} | json | logfmt', "second parser"),
    ('{a="b"} | label_format x=y', "label_format"),
    ('{a="b"} | unpack', "unpack"),
    ('{a="b"} | drop x', "drop"),
    ('{a="b"} | keep x', "keep"),
    ('{a="b"} | decolorize', "decolorize"),
    ('{a="b"} | json first="a.b"', "json parameters"),
    ('{a="b"} | logfmt --strict', "logfmt flags"),
    ('{a="b"} |= "x" or "y"', "'or'"),
    ('{a="b"} |= ip("10.0.0.0/8")', "ip()"),
    ('{a="b"} | json | x="1" or y="2"', "'or'"),
    ('{a="b"} | addr = ip("10.0.0.1")', "ip()"),
    ('{a="b"} | x="1" | json', "label filter before the parser"),
    ('sum_over_time({a="b"} | json | unwrap took [5m])', "sum_over_time"),
    ('sum(rate({a="b"} | logfmt | unwrap took [5m]))', "unwrap"),
    ('count_over_time({a="b"} [5m] offset 1h)', "offset"),
    ('sum(rate({a="b"} [1m])) / 2', "binary operation"),
    ('max by (x) (rate({a="b"} [1m]))', "max aggregation"),
    ('sum without (x) (rate({a="b"} [1m]))', "without"),
    ('topk(3, sum by (x) (rate({a="b"} [1m])))', "topk"),
    ('sum(sum by (x) (rate({a="b"} [1m])))', "nested sum"),
    ('bytes_over_time({a="b"} [1m])', "bytes_over_time"),
    ("vector(1)", "vector()"),
    ('label_replace(rate({a="b"} [1m]), "d", "$1", "s", "(.*)")', "label_replace"),
]


@pytest.mark.parametrize(("text", "part"), NOT_FITTING)
def test_not_fitting_names_part(text: str, part: str) -> None:
    with pytest.raises(DoesNotFitBuilder) as caught:
        QueryModel.from_logql(text)

    assert part in caught.value.part
    assert part in str(caught.value)
    assert "edit the query as text" in str(caught.value)


def test_does_not_fit_is_value_error() -> None:
    assert issubclass(DoesNotFitBuilder, ValueError)


def test_syntax_error_is_not_does_not_fit() -> None:
    with pytest.raises(ValueError) as caught:
        QueryModel.from_logql('{a="b"')

    assert not isinstance(caught.value, DoesNotFitBuilder)


# Validation


def test_validate_accepts_alert_query() -> None:
    assert _alert_model().validate() == []


@pytest.mark.parametrize(
    ("model", "problem"),
    [
        (QueryModel(), "at least one label matcher"),
        (QueryModel(level=LevelSpec(["error"])), "at least one label matcher"),
        (QueryModel(matchers=[MatcherSpec("a", "=", "")]), "does not match an empty value"),
        (QueryModel(matchers=[MatcherSpec("a", "=~", ".*")]), "does not match an empty value"),
        (QueryModel(matchers=[MatcherSpec("a", "!=", "x")]), "does not match an empty value"),
        (
            QueryModel(matchers=[MatcherSpec("a", "=~", "", literal=True)]),
            "does not match an empty value",
        ),
        (QueryModel(matchers=[MatcherSpec("a", "=~", "(x")]), "invalid regex"),
        (QueryModel(matchers=[MatcherSpec("1a", "=", "x")]), "invalid label name"),
        (
            QueryModel(matchers=[SERVICE], line_filters=[LineFilterSpec("|~", "[a")]),
            "invalid regex",
        ),
        (QueryModel(matchers=[SERVICE], parser=ParserSpec("regexp", "(x")), "invalid regex"),
        (QueryModel(matchers=[SERVICE], parser=ParserSpec("regexp", r"\d+")), "named group"),
        (QueryModel(matchers=[SERVICE], parser=ParserSpec("pattern", "<_> x")), "named capture"),
        (
            QueryModel(
                matchers=[SERVICE], label_filters=[LabelFilterSpec("n", ">", "x", kind="number")]
            ),
            "invalid number",
        ),
        (
            QueryModel(matchers=[SERVICE], label_filters=[LabelFilterSpec("r", "=~", "*")]),
            "invalid regex",
        ),
        (
            QueryModel(matchers=[SERVICE], label_filters=[LabelFilterSpec("a-b", "=", "x")]),
            "invalid label name",
        ),
        (QueryModel(matchers=[SERVICE], metric=MetricSpec(range_ns=0)), "must be positive"),
        (QueryModel(matchers=[SERVICE], level=LevelSpec(["error", ""])), "level name is empty"),
        (QueryModel(matchers=[SERVICE], metric=MetricSpec(sum_by=["a b"])), "invalid label name"),
        (
            QueryModel(
                matchers=[MatcherSpec("level", "=", "x"), SERVICE],
                level=LevelSpec(["error"], stream_matcher=True),
            ),
            "set twice",
        ),
    ],
)
def test_validate_reports_problem(model: QueryModel, problem: str) -> None:
    problems = model.validate()

    assert len(problems) == 1, problems
    assert problem in problems[0]


def test_validate_literal_regex_is_not_checked() -> None:
    model = QueryModel(matchers=[MatcherSpec("path", "=~", "(unbalanced", literal=True)])

    assert model.validate() == []


def test_validate_level_matcher_alone_is_enough() -> None:
    model = QueryModel(level=LevelSpec(["error"], stream_matcher=True))

    assert model.validate() == []


# Any value survives builder -> text -> parse, and the evaluator matches exactly it

HARD_VALUES = [
    r"C:\temp\new",
    'say "hi"',
    "back\\slash",
    "line\nbreak\ttab",
    ".*+?()[]{}|^$",
    "`backquote`",
    "emoji 😀 and ü",
    "",
]
VALUES = st.one_of(
    st.sampled_from(HARD_VALUES),
    st.text(alphabet=st.characters(codec="utf-8"), max_size=30),
)
STREAM = {"service_name": "billing-sync"}


def _near_misses(value: str) -> list[str]:
    misses = [value + "x", "x" + value]
    if value:
        misses.append(value[:-1])
    return misses


@settings(max_examples=120, deadline=None)
@given(value=VALUES)
@example(value=r"C:\temp\new")
def test_equal_matcher_survives(value: str) -> None:
    model = QueryModel(matchers=[SERVICE, MatcherSpec("path", "=", value)])
    tree = parse(model.to_logql())

    assert isinstance(tree, ast.LogQuery)
    assert tree.selector[1] == ast.Matcher("path", "=", value)
    assert QueryModel.from_logql(model.to_logql()) == model

    evaluator = LogQueryEvaluator(tree)
    assert evaluator.matches_stream({**STREAM, "path": value})
    for miss in _near_misses(value):
        assert not evaluator.matches_stream({**STREAM, "path": miss})


@settings(max_examples=120, deadline=None)
@given(value=VALUES)
@example(value=r"C:\temp\new")
def test_literal_regex_matcher_survives(value: str) -> None:
    model = QueryModel(matchers=[SERVICE, MatcherSpec("path", "=~", value, literal=True)])
    tree = parse(model.to_logql())

    assert isinstance(tree, ast.LogQuery)
    assert tree.selector[1] == ast.Matcher("path", "=~", escape_regex(value))

    evaluator = LogQueryEvaluator(tree)
    assert evaluator.matches_stream({**STREAM, "path": value})
    for miss in _near_misses(value):
        assert not evaluator.matches_stream({**STREAM, "path": miss})


@settings(max_examples=120, deadline=None)
@given(value=VALUES)
@example(value=r"C:\temp\new")
def test_line_filter_survives(value: str) -> None:
    model = QueryModel(matchers=[SERVICE], line_filters=[LineFilterSpec("|=", value)])
    tree = parse(model.to_logql())

    assert isinstance(tree, ast.LogQuery)
    assert tree.pipeline == (ast.LineFilter("|=", (value,)),)
    assert QueryModel.from_logql(model.to_logql()) == model

    evaluator = LogQueryEvaluator(tree)
    assert evaluator.process(1, STREAM, f"before {value} after") is not None
    if value:
        assert evaluator.process(1, STREAM, value[:-1]) is None


@settings(max_examples=80, deadline=None)
@given(value=VALUES)
def test_label_filter_survives(value: str) -> None:
    model = QueryModel(matchers=[SERVICE], label_filters=[LabelFilterSpec("path", "=", value)])
    tree = parse(model.to_logql())

    assert isinstance(tree, ast.LogQuery)
    assert tree.pipeline == (ast.LabelFilter(ast.StringLabelFilter("path", "=", value)),)
    assert QueryModel.from_logql(model.to_logql()) == model

    evaluator = LogQueryEvaluator(tree)
    assert evaluator.process(1, {**STREAM, "path": value}, "line") is not None
    for miss in _near_misses(value):
        assert evaluator.process(1, {**STREAM, "path": miss}, "line") is None


def test_explore_link_opens_in_builder() -> None:
    model = _alert_model()
    url = explore_url("https://example.com/grafana", "loki-uid", model.to_logql(), "now-6h", "now")

    assert QueryModel.from_logql(parse_explore_url(url).expr) == model
