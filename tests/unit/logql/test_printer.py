"""The canonical printer: exact text for common shapes, and parse(str(e)) == e for any tree."""

import itertools

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tflog_tui.logql import (
    AndLabelFilter,
    BinaryOperation,
    BytesLabelFilter,
    Decolorize,
    DropLabels,
    DurationLabelFilter,
    Grouping,
    IpLabelFilter,
    JsonParser,
    KeepLabels,
    LabelExtraction,
    LabelFilter,
    LabelFormat,
    LabelRename,
    LabelReplace,
    LabelTemplate,
    LineFilter,
    LineFormat,
    LiteralExpr,
    LogfmtParser,
    LogQuery,
    LogRange,
    Matcher,
    NumberLabelFilter,
    OrLabelFilter,
    PatternParser,
    RangeAggregation,
    RegexpParser,
    StringLabelFilter,
    UnpackParser,
    Unwrap,
    VectorAggregation,
    VectorExpr,
    VectorMatching,
    escape_regex,
    parse,
)
from tflog_tui.logql.parser import is_scalar

APP = (Matcher("app", "=", "api"),)


@pytest.mark.parametrize(
    ("query", "printed"),
    [
        ('{app="api",env!="dev"}', '{app="api", env!="dev"}'),
        ('{app="api"}|="a"or"b"', '{app="api"} |= "a" or "b"'),
        ('{app="api"} | json | level=="error"', '{app="api"} | json | level="error"'),
        ('{app="api"} | logfmt | status = 200', '{app="api"} | logfmt | status == 200'),
        ('{app="api"} | logfmt | d > 90s', '{app="api"} | logfmt | d > 1m30s'),
        ('{app="api"} | logfmt | s > 1024b', '{app="api"} | logfmt | s > 1KiB'),
        ('{app="api"} | x="1", y="2"', '{app="api"} | x="1" and y="2"'),
        ('{app="api"} | (x="1" or y="2") z="3"', '{app="api"} | (x="1" or y="2") and z="3"'),
        ('{app="api"} | x="1" or y="2" and z="3"', '{app="api"} | x="1" or (y="2" and z="3")'),
        ('{app="api"} | x="1" and y="2" or z="3"', '{app="api"} | (x="1" and y="2") or z="3"'),
        ('{app="api"} | x="1" or (y="2" and z="3")', '{app="api"} | x="1" or (y="2" and z="3")'),
        ('{app="api"} | x="1" and (y="2" and z="3")', '{app="api"} | x="1" and (y="2" and z="3")'),
        ('{app="api"} | ((x="1" and y="2") and z="3")', '{app="api"} | x="1" and y="2" and z="3"'),
        ('{app="api"} | json a', '{app="api"} | json a="a"'),
        ('{app="api"} | logfmt a="a"', '{app="api"} | logfmt a'),
        (
            '{app="api"} | logfmt --keep-empty --strict',
            '{app="api"} | logfmt --strict --keep-empty',
        ),
        ('{app="api"} |~ "\\\\d+"', '{app="api"} |~ `\\d+`'),
        ('{app="api"} | line_format "{{.a}} \\"b\\""', '{app="api"} | line_format `{{.a}} "b"`'),
        ('rate({app="api"}[1m] |= "x")', 'rate({app="api"} |= "x" [1m])'),
        ('rate(({app="api"})[60s])', 'rate({app="api"} [1m])'),
        ('sum(rate({app="api"}[1m])) by (a,b)', 'sum by (a, b) (rate({app="api"} [1m]))'),
        ("((1 + 2)) * 3", "(1 + 2) * 3"),
        ("1 + (2 * 3)", "1 + 2 * 3"),
        ("(2 ^ 3) ^ 2", "(2 ^ 3) ^ 2"),
        ("2 ^ (3 ^ 2)", "2 ^ 3 ^ 2"),
        ("1 - (2 - 3)", "1 - (2 - 3)"),
        ("(1 - 2) - 3", "1 - 2 - 3"),
        ("vector(1)>bool vector(2)", "vector(1) > bool vector(2)"),
        ("1.50", "1.5"),
        ("1e3", "1000"),
        ("-0.25", "-0.25"),
        ("# comment\nvector(1) # after", "vector(1)"),
    ],
)
def test_canonical_text(query: str, printed: str) -> None:
    assert str(parse(query)) == printed


def test_unwrap_and_offset_layout() -> None:
    expr = parse(
        'sum_over_time({app="api"} | logfmt | unwrap bytes(size) | __error__="" [5m] offset 1h)'
    )

    assert str(expr) == (
        'sum_over_time({app="api"} | logfmt | unwrap bytes(size) | __error__="" [5m] offset 1h)'
    )


def test_vector_matching_layout() -> None:
    expr = parse("vector(1) * on(a) group_left(b) vector(2)")

    assert str(expr) == "vector(1) * on (a) group_left (b) vector(2)"


def test_nodes_print_alone() -> None:
    assert str(Matcher("a", "=~", "b.*")) == 'a=~"b.*"'
    assert str(LineFilter("!=", ("x",))) == '!= "x"'
    assert str(Grouping(("a",), without=True)) == "without (a)"
    assert str(LabelFilter(DurationLabelFilter("d", ">=", 1_500_000_000))) == "| d >= 1s500ms"


# --- generated trees -------------------------------------------------------

NAMES = st.sampled_from(["app", "level", "status", "pod", "path", "dur", "size", "_x", "a1"])
TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)
REGEX = st.one_of(
    TEXT.map(escape_regex),
    st.sampled_from([".*", "a|b", "(?i)err", "\\d+", "[a-z]+", "^x$", "x{2,3}"]),
)
IPS = st.sampled_from(["10.0.0.1", "10.0.0.0/8", "192.168.0.1-192.168.0.9", "::1"])
NUMBER_OPS = st.sampled_from(["==", "!=", ">", ">=", "<", "<="])
FLOATS = st.floats(allow_nan=False, allow_infinity=False, width=64)

MATCHERS = st.one_of(
    st.builds(Matcher, NAMES, st.sampled_from(["=", "!="]), TEXT),
    st.builds(Matcher, NAMES, st.sampled_from(["=~", "!~"]), REGEX),
)
SELECTORS = st.tuples(
    st.builds(Matcher, NAMES, st.just("="), TEXT.filter(bool)),
    st.lists(MATCHERS, max_size=3),
).map(lambda pair: (pair[0], *pair[1]))

LABEL_FILTER_LEAVES = st.one_of(
    st.builds(StringLabelFilter, NAMES, st.sampled_from(["=", "!="]), TEXT),
    st.builds(StringLabelFilter, NAMES, st.sampled_from(["=~", "!~"]), REGEX),
    st.builds(NumberLabelFilter, NAMES, NUMBER_OPS, FLOATS),
    st.builds(DurationLabelFilter, NAMES, NUMBER_OPS, st.integers(-(10**15), 10**18)),
    st.builds(BytesLabelFilter, NAMES, NUMBER_OPS, st.integers(-(10**6), 10**19)),
    st.builds(IpLabelFilter, NAMES, st.sampled_from(["=", "!="]), IPS),
)
LABEL_FILTERS = st.recursive(
    LABEL_FILTER_LEAVES,
    lambda inner: st.one_of(
        st.builds(AndLabelFilter, inner, inner), st.builds(OrLabelFilter, inner, inner)
    ),
    max_leaves=6,
)
EXTRACTIONS = st.builds(
    LabelExtraction, NAMES, st.sampled_from(["a", "a.b", "a[0]", '["x y"]', "list[2].name"])
)
LOGFMT_EXTRACTIONS = st.builds(LabelExtraction, NAMES, TEXT.filter(bool))


def _label_format(destinations: list[str], sources: list[str], templates: list[str]) -> LabelFormat:
    operations: list[LabelRename | LabelTemplate] = []
    for index, destination in enumerate(destinations):
        if index % 2:
            operations.append(LabelRename(destination, sources[index % len(sources)]))
        else:
            operations.append(LabelTemplate(destination, templates[index % len(templates)]))
    return LabelFormat(tuple(operations))


STAGES = st.one_of(
    st.builds(
        LineFilter,
        st.sampled_from(["|=", "!=", "|>", "!>"]),
        st.lists(TEXT, min_size=1, max_size=3).map(tuple),
    ),
    st.builds(
        LineFilter,
        st.sampled_from(["|~", "!~"]),
        st.lists(REGEX, min_size=1, max_size=2).map(tuple),
    ),
    st.builds(
        LineFilter,
        st.sampled_from(["|=", "!="]),
        st.lists(IPS, min_size=1, max_size=2).map(tuple),
        st.just(True),
    ),
    st.builds(JsonParser, st.lists(EXTRACTIONS, max_size=3).map(tuple)),
    st.builds(
        LogfmtParser,
        st.booleans(),
        st.booleans(),
        st.lists(LOGFMT_EXTRACTIONS, max_size=2).map(tuple),
    ),
    st.builds(RegexpParser, st.sampled_from(["(?P<a>\\d+)", "(?P<x>.*) (?P<y>\\w+)"])),
    st.builds(PatternParser, st.sampled_from(["<a> <_>", '<ip> - "<m> <p>"'])),
    st.just(UnpackParser()),
    st.just(Decolorize()),
    st.builds(LabelFilter, LABEL_FILTERS),
    st.builds(LineFormat, TEXT),
    st.builds(
        _label_format,
        st.lists(NAMES, min_size=1, max_size=3, unique=True),
        st.lists(NAMES, min_size=1, max_size=3),
        st.lists(TEXT, min_size=1, max_size=3),
    ),
    st.builds(DropLabels, st.lists(st.one_of(NAMES, MATCHERS), min_size=1, max_size=3).map(tuple)),
    st.builds(KeepLabels, st.lists(st.one_of(NAMES, MATCHERS), min_size=1, max_size=3).map(tuple)),
)


def _unambiguous(stages: list[object]) -> bool:
    # `| drop a != "x"` reads as a drop matcher, in Loki too, so a drop or keep
    # stage that ends in a bare name cannot be followed by a != or !~ line filter.
    for stage, following in itertools.pairwise(stages):
        if (
            isinstance(stage, DropLabels | KeepLabels)
            and isinstance(stage.labels[-1], str)
            and isinstance(following, LineFilter)
            and following.op in ("!=", "!~")
            and not following.ip
        ):
            return False
    return True


LOG_QUERIES = st.builds(
    LogQuery, SELECTORS, st.lists(STAGES, max_size=5).filter(_unambiguous).map(tuple)
)

DURATIONS = st.integers(1, 10**15)
UNWRAPS = st.builds(
    Unwrap,
    NAMES,
    st.sampled_from([None, "bytes", "duration", "duration_seconds"]),
    st.lists(st.builds(LabelFilter, LABEL_FILTERS), max_size=2).map(tuple),
)


@st.composite
def range_aggregations(draw: st.DrawFn) -> RangeAggregation:
    op = draw(
        st.sampled_from(
            [
                "count_over_time",
                "rate",
                "bytes_over_time",
                "bytes_rate",
                "absent_over_time",
                "sum_over_time",
                "avg_over_time",
                "quantile_over_time",
                "last_over_time",
                "rate_counter",
            ]
        )
    )
    needs_unwrap = op not in (
        "count_over_time",
        "rate",
        "bytes_over_time",
        "bytes_rate",
        "absent_over_time",
    )
    unwrap = draw(UNWRAPS) if needs_unwrap or (op == "rate" and draw(st.booleans())) else None
    log_range = LogRange(draw(LOG_QUERIES), draw(DURATIONS), draw(st.integers(0, 10**15)), unwrap)
    parameter = draw(st.floats(0, 1)) if op == "quantile_over_time" else None
    grouping = None
    groupable = op in ("avg_over_time", "quantile_over_time", "last_over_time")
    if groupable and draw(st.booleans()):
        grouping = Grouping(tuple(draw(st.lists(NAMES, max_size=2))), draw(st.booleans()))
    return RangeAggregation(op, log_range, parameter, grouping)


GROUPINGS = st.one_of(
    st.none(), st.builds(Grouping, st.lists(NAMES, max_size=3).map(tuple), st.booleans())
)


@st.composite
def vector_aggregations(draw: st.DrawFn, inner: st.SearchStrategy) -> VectorAggregation:
    op = draw(st.sampled_from(["sum", "avg", "max", "count", "topk", "bottomk", "sort_desc"]))
    parameter = draw(st.integers(1, 100)) if op in ("topk", "bottomk") else None
    return VectorAggregation(op, draw(inner), draw(GROUPINGS), parameter)


@st.composite
def binary_operations(draw: st.DrawFn, inner: st.SearchStrategy) -> BinaryOperation:
    op = draw(
        st.sampled_from(
            ["or", "and", "unless", "==", "!=", ">", ">=", "<", "<=", "+", "-", "*", "/", "%", "^"]
        )
    )
    left = draw(inner)
    right = draw(inner)
    set_op = op in ("or", "and", "unless")
    if set_op and (is_scalar(left) or is_scalar(right)):
        op = "+"
        set_op = False
    comparison = op in ("==", "!=", ">", ">=", "<", "<=")
    both_scalar = is_scalar(left) and is_scalar(right)
    return_bool = comparison and not both_scalar and draw(st.booleans())
    matching = None
    if draw(st.booleans()):
        side = None if set_op else draw(st.sampled_from([None, "left", "right"]))
        include = tuple(draw(st.lists(NAMES, max_size=2))) if side else ()
        matching = VectorMatching(
            draw(st.booleans()), tuple(draw(st.lists(NAMES, max_size=2))), side, include
        )
    return BinaryOperation(op, left, right, return_bool, matching)


METRIC_LEAVES = st.one_of(
    st.builds(LiteralExpr, FLOATS),
    st.builds(VectorExpr, FLOATS),
    range_aggregations(),
)
METRICS = st.recursive(
    METRIC_LEAVES,
    lambda inner: st.one_of(
        vector_aggregations(inner),
        binary_operations(inner),
        st.builds(LabelReplace, inner, NAMES, TEXT, NAMES, REGEX),
    ),
    max_leaves=5,
)


@settings(max_examples=250, deadline=None)
@given(LOG_QUERIES)
def test_log_query_round_trip(query: LogQuery) -> None:
    printed = str(query)

    assert parse(printed) == query
    assert str(parse(printed)) == printed


@settings(max_examples=200, deadline=None)
@given(METRICS)
def test_metric_round_trip(expr: object) -> None:
    printed = str(expr)

    assert parse(printed) == expr
    assert str(parse(printed)) == printed
