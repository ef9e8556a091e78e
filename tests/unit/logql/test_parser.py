"""Parsing LogQL into the syntax tree: the shapes other modules rely on."""

import pickle

import pytest

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
    LogQLSyntaxError,
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
    parse,
    parse_json_path,
    parse_log_query,
)
from tflog_tui.logql.units import HOUR, MINUTE, SECOND

APP = (Matcher("app", "=", "api"),)


def test_selector_with_every_matcher_op() -> None:
    query = parse('{app="api", env!="dev", pod=~"api-.+", zone!~"eu-.*"}')

    assert query == LogQuery(
        (
            Matcher("app", "=", "api"),
            Matcher("env", "!=", "dev"),
            Matcher("pod", "=~", "api-.+"),
            Matcher("zone", "!~", "eu-.*"),
        )
    )


def test_alert_query_from_the_field() -> None:
    query = parse('{service_name="billing-sync"} |= "task_id=7f3a9c2e" | json | level="error"')

    assert query == LogQuery(
        (Matcher("service_name", "=", "billing-sync"),),
        (
            LineFilter("|=", ("task_id=7f3a9c2e",)),
            JsonParser(),
            LabelFilter(StringLabelFilter("level", "=", "error")),
        ),
    )


def test_line_filters_chained_with_or() -> None:
    query = parse('{app="api"} |= "a" or "b" != "c" |~ `\\d+` !~ "x" |> "<_> GET <_>" !> "z"')

    assert isinstance(query, LogQuery)
    assert query.pipeline == (
        LineFilter("|=", ("a", "b")),
        LineFilter("!=", ("c",)),
        LineFilter("|~", ("\\d+",)),
        LineFilter("!~", ("x",)),
        LineFilter("|>", ("<_> GET <_>",)),
        LineFilter("!>", ("z",)),
    )


def test_ip_line_filter() -> None:
    query = parse('{app="api"} |= ip("192.168.0.0/16") or ip("10.0.0.1")')

    assert isinstance(query, LogQuery)
    assert query.pipeline == (LineFilter("|=", ("192.168.0.0/16", "10.0.0.1"), ip=True),)


def test_parser_stages() -> None:
    query = parse(
        '{app="api"} | json first="servers[0]", ua=`request.headers["User-Agent"]`, status'
        ' | logfmt --strict --keep-empty host, code="status_code"'
        ' | regexp "(?P<method>\\\\w+) (?P<path>\\\\S+)"'
        ' | pattern "<ip> - - <_> \\"<method> <uri>\\""'
        " | unpack"
    )

    assert isinstance(query, LogQuery)
    assert query.pipeline == (
        JsonParser(
            (
                LabelExtraction("first", "servers[0]"),
                LabelExtraction("ua", 'request.headers["User-Agent"]'),
                LabelExtraction("status", "status"),
            )
        ),
        LogfmtParser(
            strict=True,
            keep_empty=True,
            params=(LabelExtraction("host", "host"), LabelExtraction("code", "status_code")),
        ),
        RegexpParser("(?P<method>\\w+) (?P<path>\\S+)"),
        PatternParser('<ip> - - <_> "<method> <uri>"'),
        UnpackParser(),
    )


def test_label_filter_kinds() -> None:
    query = parse(
        '{app="api"} | logfmt | level=="error" | status >= 500 | latency > 250ms'
        ' | size <= 20MB | client = ip("10.0.0.0/8") | path!~"/health.*" | retries = 3'
    )

    assert isinstance(query, LogQuery)
    filters = [stage.expr for stage in query.pipeline if isinstance(stage, LabelFilter)]
    assert filters == [
        StringLabelFilter("level", "=", "error"),
        NumberLabelFilter("status", ">=", 500.0),
        DurationLabelFilter("latency", ">", 250_000_000),
        BytesLabelFilter("size", "<=", 20_000_000),
        IpLabelFilter("client", "=", "10.0.0.0/8"),
        StringLabelFilter("path", "!~", "/health.*"),
        NumberLabelFilter("retries", "==", 3.0),
    ]


def test_label_filter_and_binds_tighter() -> None:
    query = parse('{app="api"} | a="1" or b="2" and c="3"')

    assert isinstance(query, LogQuery)
    assert query.pipeline == (
        LabelFilter(
            OrLabelFilter(
                StringLabelFilter("a", "=", "1"),
                AndLabelFilter(StringLabelFilter("b", "=", "2"), StringLabelFilter("c", "=", "3")),
            )
        ),
    )


def test_label_filter_and_before_later_or() -> None:
    query = parse('{app="api"} | a="1" b="2" or c="3"')

    assert isinstance(query, LogQuery)
    assert query.pipeline == (
        LabelFilter(
            OrLabelFilter(
                AndLabelFilter(StringLabelFilter("a", "=", "1"), StringLabelFilter("b", "=", "2")),
                StringLabelFilter("c", "=", "3"),
            )
        ),
    )


def test_label_filter_parentheses_group_first() -> None:
    query = parse('{app="api"} | a="1" or (b="2" and c="3")')

    assert isinstance(query, LogQuery)
    assert query.pipeline == (
        LabelFilter(
            OrLabelFilter(
                StringLabelFilter("a", "=", "1"),
                AndLabelFilter(StringLabelFilter("b", "=", "2"), StringLabelFilter("c", "=", "3")),
            )
        ),
    )


@pytest.mark.parametrize("separator", [" and ", ", ", " "])
def test_label_filter_and_spellings(separator: str) -> None:
    query = parse('{app="api"} | (a="1" or b="2")' + separator + "d > 1h30m")

    assert isinstance(query, LogQuery)
    assert query.pipeline == (
        LabelFilter(
            AndLabelFilter(
                OrLabelFilter(StringLabelFilter("a", "=", "1"), StringLabelFilter("b", "=", "2")),
                DurationLabelFilter("d", ">", HOUR + 30 * MINUTE),
            )
        ),
    )


def test_formatting_stages() -> None:
    query = parse(
        '{app="api"} | line_format "{{.status}} {{.path}}"'
        " | label_format dst=src, text=`{{ .a | upper }}`"
        ' | drop __error__, __error_details__, level="debug"'
        ' | keep app, pod=~"api-.*" | decolorize'
    )

    assert isinstance(query, LogQuery)
    assert query.pipeline == (
        LineFormat("{{.status}} {{.path}}"),
        LabelFormat((LabelRename("dst", "src"), LabelTemplate("text", "{{ .a | upper }}"))),
        DropLabels(("__error__", "__error_details__", Matcher("level", "=", "debug"))),
        KeepLabels(("app", Matcher("pod", "=~", "api-.*"))),
        Decolorize(),
    )


def test_range_aggregation_with_offset() -> None:
    expr = parse('count_over_time({app="api"} |= "error" [5m] offset 1h)')

    assert expr == RangeAggregation(
        "count_over_time",
        LogRange(LogQuery(APP, (LineFilter("|=", ("error",)),)), 5 * MINUTE, offset_ns=HOUR),
    )


def test_range_before_pipeline_is_the_same_range() -> None:
    first = parse('rate({app="api"}[1m] |= "error")')
    second = parse('rate({app="api"} |= "error" [1m])')
    third = parse('rate(({app="api"} |= "error")[1m])')

    assert first == second
    assert second == third


def test_unwrap_with_conversion_and_post_filter() -> None:
    expr = parse(
        'quantile_over_time(0.99, {app="api"} | json | unwrap duration_seconds(latency)'
        ' | __error__="" [5m]) by (path)'
    )

    assert expr == RangeAggregation(
        "quantile_over_time",
        LogRange(
            LogQuery(APP, (JsonParser(),)),
            5 * MINUTE,
            unwrap=Unwrap(
                "latency",
                "duration_seconds",
                (LabelFilter(StringLabelFilter("__error__", "=", "")),),
            ),
        ),
        parameter=0.99,
        grouping=Grouping(("path",)),
    )


def test_vector_aggregation_grouping_before_or_after() -> None:
    before = parse('sum by (level) (count_over_time({app="api"}[5m]))')
    after = parse('sum(count_over_time({app="api"}[5m])) by (level)')

    assert before == after
    assert isinstance(before, VectorAggregation)
    assert before.grouping == Grouping(("level",))


def test_topk_parameter_and_without() -> None:
    expr = parse('topk without (pod) (3, rate({app="api"}[1m]))')

    assert isinstance(expr, VectorAggregation)
    assert expr.op == "topk"
    assert expr.parameter == 3
    assert expr.grouping == Grouping(("pod",), without=True)


def test_binary_precedence_and_associativity() -> None:
    expr = parse("1 + 2 * 3 ^ 2 ^ 2 - 4")

    power = BinaryOperation(
        "^", LiteralExpr(3), BinaryOperation("^", LiteralExpr(2), LiteralExpr(2))
    )
    assert expr == BinaryOperation(
        "-",
        BinaryOperation("+", LiteralExpr(1), BinaryOperation("*", LiteralExpr(2), power)),
        LiteralExpr(4),
    )


def test_set_operators_bind_loosest() -> None:
    expr = parse("vector(1) > bool 0 and vector(2) or vector(3) unless vector(4)")

    assert expr == BinaryOperation(
        "or",
        BinaryOperation(
            "and",
            BinaryOperation(">", VectorExpr(1), LiteralExpr(0), return_bool=True),
            VectorExpr(2),
        ),
        BinaryOperation("unless", VectorExpr(3), VectorExpr(4)),
    )


def test_vector_matching_modifiers() -> None:
    expr = parse(
        'sum by (pod) (rate({app="api"}[1m])) / ignoring (level) group_left (team)'
        ' sum by (pod, level) (rate({app="api"}[1m]))'
    )

    assert isinstance(expr, BinaryOperation)
    assert expr.matching == VectorMatching(False, ("level",), "left", ("team",))


def test_label_replace_and_vector() -> None:
    expr = parse('label_replace(vector(1), "dst", "$1", "src", "(.*)") or vector(0)')

    assert expr == BinaryOperation(
        "or", LabelReplace(VectorExpr(1), "dst", "$1", "src", "(.*)"), VectorExpr(0)
    )


def test_negative_literal() -> None:
    assert parse("-1.5") == LiteralExpr(-1.5)
    assert parse("2 - -1") == BinaryOperation("-", LiteralExpr(2), LiteralExpr(-1))


def test_comments_and_several_lines() -> None:
    text = """
    # errors of the billing job
    sum by (level) (          # per level
      count_over_time(
        {app="api"}           # the stream
          |= "error"
          [5m]
      )
    )
    """

    expr = parse(text)

    assert expr == parse('sum by (level) (count_over_time({app="api"} |= "error" [5m]))')


def test_go_escapes_in_strings() -> None:
    query = parse('{app="a\\tb\\n\\"\\\\\\x41\\101\\u00e9\\U0001F600"}')

    assert isinstance(query, LogQuery)
    assert query.selector[0].value == 'a\tb\n"\\AAé😀'


def test_hex_escapes_form_utf8() -> None:
    query = parse('{app="\\xc3\\xa9"}')

    assert isinstance(query, LogQuery)
    assert query.selector[0].value == "é"


def test_backquoted_string_is_raw() -> None:
    query = parse("{app=`C:\\temp\\new`}")

    assert isinstance(query, LogQuery)
    assert query.selector[0].value == "C:\\temp\\new"


def test_parse_log_query_rejects_metric() -> None:
    with pytest.raises(LogQLSyntaxError, match="expected a log query"):
        parse_log_query('rate({app="api"}[1m])')


def test_parse_log_query_returns_log_query() -> None:
    assert parse_log_query('{app="api"}') == LogQuery(APP)


def test_durations_are_int_nanoseconds() -> None:
    expr = parse('rate({app="api"}[1.5m])')

    assert isinstance(expr, RangeAggregation)
    assert expr.range.range_ns == 90 * SECOND
    assert isinstance(expr.range.range_ns, int)


def test_json_path_forms() -> None:
    assert parse_json_path("a.b[0]") == ("a", "b", 0)
    assert parse_json_path('["a"]["b c"]') == ("a", "b c")
    assert parse_json_path('request.headers["User-Agent"][2]') == (
        "request",
        "headers",
        "User-Agent",
        2,
    )


@pytest.mark.parametrize("path", ["", "a..b", "a[", "[x]", "a[0", ".a"])
def test_json_path_invalid(path: str) -> None:
    with pytest.raises(ValueError, match="invalid json path"):
        parse_json_path(path)


def test_nodes_are_hashable() -> None:
    expr = parse('sum by (a) (rate({app="api"} | json | x > 1 [1m]))')

    assert {expr: 1}[parse('sum(rate({app="api"} | json | x > 1 [1m])) by (a)')] == 1


@pytest.mark.parametrize(
    "query",
    [
        "(" * 5000 + "1" + ")" * 5000,
        " + ".join(["1"] * 5000),
        "sum(" * 3000 + "vector(1)" + ")" * 3000,
        '{app="api"} | ' + " and ".join(['x="1"'] * 5000),
        "rate(" + "(" * 5000 + '{app="api"}' + ")" * 5000 + "[5m])",
    ],
)
def test_nesting_too_deep(query: str) -> None:
    with pytest.raises(LogQLSyntaxError, match="nested too deeply"):
        parse(query)


def test_nesting_below_limit() -> None:
    expr = parse("(" * 90 + "1" + ")" * 90 + " + 1" * 5)

    assert parse(str(expr)) == expr


def test_long_operator_chain_below_limit() -> None:
    query = " + ".join(f'sum(rate({{app="api{index}"}}[5m]))' for index in range(150))

    expr = parse(query)

    assert parse(str(expr)) == expr
    assert hash(expr) == hash(parse(str(expr)))


def test_long_whitespace_then_garbage() -> None:
    with pytest.raises(LogQLSyntaxError) as caught:
        parse(" " * 200_000 + "$")

    assert caught.value.column == 200_001


def test_comment_text_never_becomes_tokens() -> None:
    with pytest.raises(LogQLSyntaxError) as caught:
        parse('{app="api"} #|= "x"\n$')

    assert (caught.value.line, caught.value.column) == (2, 1)


def test_first_error_in_text_wins() -> None:
    with pytest.raises(LogQLSyntaxError) as caught:
        parse('{app="api"} | line_format {{.x}} | json | $')

    assert caught.value.column == 27
    assert "unexpected {" in caught.value.reason


def test_ten_kilobyte_query() -> None:
    stages = [
        f'|= "needle{index}" | logfmt | status >= {index} and path=~"/api/v{index}/.*"'
        for index in range(160)
    ]
    query = '{app="api"} ' + " ".join(stages)

    expr = parse(query)

    assert len(query) > 10_000
    assert isinstance(expr, LogQuery)
    assert len(expr.pipeline) == 480
    assert parse(str(expr)) == expr


def test_error_str_has_loki_form() -> None:
    with pytest.raises(LogQLSyntaxError) as caught:
        parse('{app="api"} |= error')

    error = caught.value
    assert isinstance(error, ValueError)
    assert str(error) == (
        "parse error at line 1, col 16: syntax error: unexpected identifier error, "
        'expected a string or ip("...")'
    )


def test_error_survives_pickle() -> None:
    with pytest.raises(LogQLSyntaxError) as caught:
        parse('{app="api"}\n  | json\n  | level=')

    copy = pickle.loads(pickle.dumps(caught.value))

    assert (copy.line, copy.column, copy.reason) == (3, 11, caught.value.reason)
    assert str(copy) == str(caught.value)


def test_grafana_variable_hint() -> None:
    with pytest.raises(LogQLSyntaxError, match=r"Grafana replaces variables") as caught:
        parse('rate({app="api"}[$__auto])')

    assert caught.value.column == 18
