"""Log query evaluation: selectors, line filters, parsers, label filters, formatting."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tflog_tui.logql import LineFilter, LogQuery, Matcher, escape_regex, escape_string, parse
from tflog_tui.logql.evaluator import (
    LogQueryEvaluator,
    ProcessedEntry,
    selector_matches,
)

STREAM = {"service_name": "billing-sync", "level": "info", "hostname": "web-1"}
TS_NS = 1_700_000_000_000_000_000


def evaluator(query: str) -> LogQueryEvaluator:
    expr = parse(query)
    assert isinstance(expr, LogQuery)
    return LogQueryEvaluator(expr)


def run(query: str, line: str, labels: dict[str, str] | None = None) -> ProcessedEntry | None:
    return evaluator(query).process(TS_NS, labels or STREAM, line)


def passes(query: str, line: str, labels: dict[str, str] | None = None) -> bool:
    return run(query, line, labels) is not None


def extracted(query: str, line: str) -> dict[str, str]:
    result = run(query, line)
    assert result is not None, f"{query} dropped {line!r}"
    return result.parsed


# --- selectors -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("selector", "expected"),
    [
        ('{service_name="billing-sync"}', True),
        ('{service_name="billing"}', False),
        ('{hostname="web-1", service_name!="billing"}', True),
        ('{service_name=~"billing.*"}', True),
        ('{service_name=~"billing"}', False),
        ('{service_name=~"sync"}', False),
        ('{hostname="web-1", service_name!~"billing.*"}', False),
        ('{service_name=~"api|billing-sync"}', True),
        ('{service_name="billing-sync", level="info"}', True),
        ('{service_name="billing-sync", level="error"}', False),
        ('{service_name="billing-sync", task_id=""}', True),
        ('{service_name="billing-sync", task_id!=""}', False),
        ('{service_name="billing-sync", task_id=~".*"}', True),
        ('{service_name="billing-sync", task_id=~".+"}', False),
        ('{hostname=~"(?i)WEB-\\\\d"}', True),
    ],
)
def test_selector(selector: str, expected: bool) -> None:
    assert evaluator(selector).matches_stream(STREAM) is expected
    query = parse(selector)
    assert isinstance(query, LogQuery)
    assert selector_matches(query.selector, STREAM) is expected


def test_selector_regex_anchored_across_newlines() -> None:
    labels = {"msg": "a\nb"}
    assert selector_matches((Matcher("msg", "=~", "a.*"),), labels) is False
    assert selector_matches((Matcher("msg", "=~", "(?s)a.*"),), labels) is True


# --- line filters --------------------------------------------------------------

LINE = 'level=error msg="payment failed" task_id=7f3a9c2e client=10.1.2.3'


@pytest.mark.parametrize(
    ("pipeline", "expected"),
    [
        ('|= "payment"', True),
        ('|= "Payment"', False),
        ('|= ""', True),
        ('!= "payment"', False),
        ('!= "refund"', True),
        ('|~ "pay(ment)?"', True),
        ('|~ "(?i)PAYMENT"', True),
        ('|~ "^level=error"', True),
        ('|~ "^msg"', False),
        ('!~ "task_id=[0-9a-f]{8}"', False),
        ('|= "refund" or "payment"', True),
        ('|= "refund" or "chargeback"', False),
        ('!= "refund" or "payment"', False),
        ('!= "refund" or "chargeback"', True),
        ('|~ "refund" or "fail(ed)?"', True),
        ('|= "payment" |= "task_id=7f3a9c2e"', True),
        ('|= "payment" != "task_id"', False),
        ('|> "<_> msg=<_> task_id=<_>"', True),
        ('|> "level=error <_>"', True),
        ('|> "level=info <_>"', False),
        ('!> "level=info <_>"', True),
        ('|= ip("10.0.0.0/8")', True),
        ('|= ip("192.168.0.0/16")', False),
        ('!= ip("10.1.2.3")', False),
        ('|= ip("10.1.2.1-10.1.2.9")', True),
    ],
)
def test_line_filters(pipeline: str, expected: bool) -> None:
    assert passes(f'{{service_name="billing-sync"}} {pipeline}', LINE) is expected


def test_line_filter_only_query_keeps_line_and_labels() -> None:
    result = run('{service_name="billing-sync"} |= "payment"', LINE)
    assert result is not None
    assert result.line == LINE
    assert result.labels == STREAM
    assert result.parsed == {}
    assert evaluator('{a="b"} |= "x" != "y"').has_line_filters_only is True
    assert evaluator('{a="b"} |= "x" | json').has_line_filters_only is False


@settings(max_examples=200, deadline=None)
@given(needle=st.text(min_size=1, max_size=12), line=st.text(max_size=40))
def test_line_filter_escape_round_trip(needle: str, line: str) -> None:
    query = f'{{app="x"}} |= {escape_string(needle)}'
    ev = evaluator(query)
    assert (ev.process(0, {"app": "x"}, line) is not None) is (needle in line)
    embedded = line[:5] + needle + line[5:]
    assert ev.process(0, {"app": "x"}, embedded) is not None


@settings(max_examples=100, deadline=None)
@given(needle=st.text(min_size=1, max_size=12), line=st.text(max_size=40))
def test_regex_line_filter_escape_round_trip(needle: str, line: str) -> None:
    query = f'{{app="x"}} |~ {escape_string(escape_regex(needle))}'
    ev = evaluator(query)
    assert (ev.process(0, {"app": "x"}, line) is not None) is (needle in line)


def test_line_filter_ast_without_parser() -> None:
    query = LogQuery((Matcher("app", "=", "x"),), (LineFilter("|=", ("a", "b")),))
    ev = LogQueryEvaluator(query)
    assert ev.process(0, {"app": "x"}, "xbx") is not None
    assert ev.process(0, {"app": "x"}, "xcx") is None


# --- json ------------------------------------------------------------------------


def test_json_extracts_and_suffixes_clashes() -> None:
    line = '{"level":"error","msg":"failed","request":{"method":"GET","User-Agent":"curl"}}'
    result = run('{service_name="billing-sync"} | json', line)
    assert result is not None
    assert result.parsed == {
        "level_extracted": "error",
        "msg": "failed",
        "request_method": "GET",
        "request_User_Agent": "curl",
    }
    assert result.labels["level"] == "info"
    assert result.labels["level_extracted"] == "error"
    assert result.labels["service_name"] == "billing-sync"


def test_json_duplicate_key_first_wins() -> None:
    assert extracted('{a="b"} | json', '{"x":"1","x":"2"}') == {"x": "1"}


def test_json_second_parser_does_not_overwrite() -> None:
    assert extracted('{a="b"} | json | logfmt', '{"x":"json"}') == {"x": "json"}


@pytest.mark.parametrize(
    ("line", "details"),
    [
        ("plain text line", "Expecting value"),
        ('{"level": "error"', "Expecting ','"),
        ("[1, 2]", "not a JSON object"),
        ("", "Expecting value"),
    ],
)
def test_json_error_sets_error_labels(line: str, details: str) -> None:
    result = run('{a="b"} | json', line, {"a": "b"})
    assert result is not None
    assert result.line == line
    assert result.labels["__error__"] == "JSONParserErr"
    assert details in result.labels["__error_details__"]
    assert result.parsed["__error__"] == "JSONParserErr"


@pytest.mark.parametrize(
    ("pipeline", "kept"),
    [
        ('| json | __error__=""', False),
        ('| json | __error__!=""', True),
        ('| json | __error__="JSONParserErr"', True),
        ('| json | __error__!="JSONParserErr"', False),
        ('| json | drop __error__, __error_details__ | __error__=""', True),
        ('| json | keep a | __error__=""', False),
    ],
)
def test_json_error_filters(pipeline: str, kept: bool) -> None:
    assert passes(f'{{a="b"}} {pipeline}', "not json", {"a": "b"}) is kept


def test_json_error_drop_removes_labels() -> None:
    result = run('{a="b"} | json | drop __error__, __error_details__', "not json", {"a": "b"})
    assert result is not None
    assert result.labels == {"a": "b"}


def test_json_valid_line_has_no_error() -> None:
    result = run('{a="b"} | json | __error__=""', '{"x":1}', {"a": "b"})
    assert result is not None
    assert "__error__" not in result.labels


def test_json_with_parameters() -> None:
    line = '{"servers":["129.0.1.1","10.2.1.3"],"request":{"headers":{"User-Agent":"curl/7.68.0"}}}'
    query = (
        '{a="b"} | json first_server="servers[0]", '
        'ua=`request.headers["User-Agent"]`, missing="nope"'
    )
    assert extracted(query, line) == {
        "first_server": "129.0.1.1",
        "ua": "curl/7.68.0",
        "missing": "",
    }


def test_json_parameter_names_the_whole_array() -> None:
    assert extracted('{a="b"} | json servers', '{"servers":["a","b"]}') == {"servers": '["a","b"]'}


# --- logfmt ----------------------------------------------------------------------


def test_logfmt_extracts() -> None:
    line = 'at=info method=GET path=/ fwd="124.133.124.161" service=8ms status=200 flag'
    assert extracted('{a="b"} | logfmt', line) == {
        "at": "info",
        "method": "GET",
        "path": "/",
        "fwd": "124.133.124.161",
        "service": "8ms",
        "status": "200",
    }


def test_logfmt_keep_empty_keeps_standalone_keys() -> None:
    assert extracted('{a="b"} | logfmt --keep-empty', "x=1 flag") == {"x": "1", "flag": ""}


def test_logfmt_parameters_rename_and_keep_requested_standalone() -> None:
    line = 'host=grafana.net fwd="124.133.124.161" flag other=1'
    assert extracted('{a="b"} | logfmt host, fwd_ip="fwd", flag', line) == {
        "host": "grafana.net",
        "fwd_ip": "124.133.124.161",
        "flag": "",
    }


def test_logfmt_lenient_skips_bad_pairs_without_error() -> None:
    result = run('{a="b"} | logfmt', "a=1 foo=bar=buzz b=2", {"a": "x"})
    assert result is not None
    assert result.parsed == {"a_extracted": "1", "b": "2"}


def test_logfmt_strict_sets_error_and_keeps_earlier_pairs() -> None:
    result = run('{a="b"} | logfmt --strict', "x=1 =bad y=2", {"a": "b"})
    assert result is not None
    assert result.labels["x"] == "1"
    assert "y" not in result.labels
    assert result.labels["__error__"] == "LogfmtParserErr"
    assert "pos 5" in result.labels["__error_details__"]


def test_logfmt_quotes_and_escapes() -> None:
    line = 'msg="disk \\"sda\\" full\\n" path="C:\\\\temp"'
    assert extracted('{a="b"} | logfmt', line) == {"msg": 'disk "sda" full\n', "path": "C:\\temp"}


def test_logfmt_sanitizes_keys() -> None:
    assert extracted('{a="b"} | logfmt', "http.status=200 user-id=7 9lives=1") == {
        "http_status": "200",
        "user_id": "7",
        "_9lives": "1",
    }


# --- regexp, pattern, unpack -------------------------------------------------------------


def test_regexp_parser() -> None:
    query = (
        '{a="b"} | regexp '
        "`(?P<method>\\w+) (?P<path>[\\w|/]+) \\((?P<status>\\d+?)\\) (?P<duration>.*)`"
    )
    assert extracted(query, "POST /api/prom/api/v1/query_range (200) 1.5s") == {
        "method": "POST",
        "path": "/api/prom/api/v1/query_range",
        "status": "200",
        "duration": "1.5s",
    }


def test_regexp_no_match_extracts_nothing_and_no_error() -> None:
    result = run('{a="b"} | regexp `(?P<n>\\d+)`', "no digits", {"a": "b"})
    assert result is not None
    assert result.parsed == {}


def test_regexp_unmatched_optional_group_is_empty() -> None:
    assert extracted('{a="b"} | regexp `(?P<x>a)?(?P<y>b)`', "b") == {"x": "", "y": "b"}


def test_pattern_parser() -> None:
    line = (
        "level=debug ts=2021-06-10T09:24:13.472094048Z caller=logging.go:66 "
        'traceID=0568b66ad2d9294c msg="POST /loki/api/v1/push (204) 16.652862ms"'
    )
    query = '{a="b"} | pattern `<_> msg="<method> <path> (<status>) <latency>"`'
    assert extracted(query, line) == {
        "method": "POST",
        "path": "/loki/api/v1/push",
        "status": "204",
        "latency": "16.652862ms",
    }


def test_unpack_replaces_line() -> None:
    line = '{"container":"myapp","pod":"pod-3223f","_entry":"level=warn msg=slow"}'
    result = run('{a="b"} | unpack | logfmt', line, {"a": "b"})
    assert result is not None
    assert result.line == "level=warn msg=slow"
    assert result.parsed == {
        "container": "myapp",
        "pod": "pod-3223f",
        "level": "warn",
        "msg": "slow",
    }


def test_unpack_error() -> None:
    result = run('{a="b"} | unpack', "plain", {"a": "b"})
    assert result is not None
    assert result.labels["__error__"] == "JSONParserErr"


# --- label filters -----------------------------------------------------------------

FILTER_LINE = 'status=503 duration=1.5s size="2 KiB" addr=192.168.4.7 method=GET name=api-7'


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ("status >= 500", True),
        ("status > 503", False),
        ("status == 503", True),
        ("status = 503", True),
        ("status != 503", False),
        ("status < 600", True),
        ("status <= 502.5", False),
        ("duration > 1s", True),
        ("duration > 1500ms", False),
        ("duration >= 1500ms", True),
        ("duration < 2s", True),
        ("size > 2KB", True),
        ("size > 2KiB", False),
        ("size == 2048B", True),
        ("size < 1MB", True),
        ('method = "GET"', True),
        ('method != "GET"', False),
        ('method =~ "GET|POST"', True),
        ('method =~ "G"', False),
        ('method !~ "P.*"', True),
        ('name =~ "api-\\\\d+"', True),
        ('missing = ""', True),
        ('missing != ""', False),
        ("missing > 1", False),
        ('addr = ip("192.168.4.5/16")', True),
        ('addr = ip("10.0.0.0/8")', False),
        ('addr != ip("192.168.4.2")', True),
        ('status >= 500 and method = "POST"', False),
        ('status >= 500 or method = "POST"', True),
        ('status >= 500, method = "GET"', True),
        ('status >= 500 method = "GET"', True),
        ('status >= 500 | method = "GET"', True),
        ('duration >= 20ms or (method = "POST" and size <= 1KB)', True),
    ],
)
def test_label_filters(condition: str, expected: bool) -> None:
    assert passes(f'{{a="b"}} | logfmt | {condition}', FILTER_LINE, {"a": "b"}) is expected


@pytest.mark.parametrize(
    ("condition", "details"),
    [
        ("method > 5", 'parsing "GET"'),
        ("method > 5s", 'invalid duration "GET"'),
        ("method > 5MB", "unhandled size name"),
    ],
)
def test_label_filter_conversion_error_keeps_entry(condition: str, details: str) -> None:
    result = run(f'{{a="b"}} | logfmt | {condition}', FILTER_LINE, {"a": "b"})
    assert result is not None
    assert result.labels["__error__"] == "LabelFilterErr"
    assert details in result.labels["__error_details__"]
    assert not passes(f'{{a="b"}} | logfmt | {condition} | __error__=""', FILTER_LINE, {"a": "b"})


def test_numeric_filter_passes_entries_with_errors() -> None:
    assert passes('{a="b"} | json | status > 500', "not json", {"a": "b"})
    assert not passes('{a="b"} | json | status="503"', "not json", {"a": "b"})


def test_label_filter_on_stream_and_metadata_labels() -> None:
    ev = evaluator('{a="b"} | trace_id="abc" | a="b"')
    assert ev.process(0, {"a": "b"}, "line", {"trace_id": "abc"}) is not None
    assert ev.process(0, {"a": "b"}, "line", {"trace_id": "xyz"}) is None
    result = ev.process(0, {"a": "b"}, "line", {"trace_id": "abc"})
    assert result is not None
    assert result.labels == {"a": "b", "trace_id": "abc"}
    assert result.metadata == {"trace_id": "abc"}


# --- formatting ------------------------------------------------------------------


def test_line_format() -> None:
    result = run(
        '{a="b"} | logfmt | line_format "{{.method}} {{.status}} took {{.duration}}"', FILTER_LINE
    )
    assert result is not None
    assert result.line == "GET 503 took 1.5s"


def test_line_format_then_line_filter_sees_new_line() -> None:
    query = '{a="b"} | logfmt | line_format "{{.method | ToLower}}" |= "get"'
    assert passes(query, FILTER_LINE)
    assert not passes('{a="b"} | logfmt | line_format "{{.method}}" |= "status"', FILTER_LINE)


def test_line_format_line_and_timestamp() -> None:
    query = '{a="b"} | line_format `{{ __timestamp__ | unixEpoch }} {{ __line__ | trunc 6 }}`'
    result = run(query, FILTER_LINE)
    assert result is not None
    assert result.line == "1700000000 status"


def test_line_format_error_keeps_line() -> None:
    result = run('{a="b"} | line_format "{{ .missing | ToUpper }}"', "keep me", {"a": "b"})
    assert result is not None
    assert result.line == "keep me"
    assert result.labels["__error__"] == "TemplateFormatErr"
    assert "expected string" in result.labels["__error_details__"]


def test_label_format_rename_and_template() -> None:
    query = '{a="b"} | logfmt | label_format verb=method, summary="{{.status}}:{{.name}}"'
    result = run(query, FILTER_LINE, {"a": "b"})
    assert result is not None
    assert "method" not in result.labels
    assert result.labels["verb"] == "GET"
    assert result.labels["summary"] == "503:api-7"


def test_label_format_overrides_stream_label() -> None:
    result = run('{a="b"} | label_format level="{{.level | ToUpper}}"', "x")
    assert result is not None
    assert result.labels["level"] == "INFO"
    assert result.parsed == {"level": "INFO"}


def test_label_format_rename_of_missing_label_does_nothing() -> None:
    result = run('{a="b"} | label_format x=nope', "line", {"a": "b"})
    assert result is not None
    assert result.labels == {"a": "b"}


def test_drop_and_keep() -> None:
    line = '{"level":"info","method":"GET","path":"/","host":"grafana.net","status":"200"}'
    dropped = run('{job="varlogs"} | json | drop level, method="GET"', line, {"job": "varlogs"})
    assert dropped is not None
    assert dropped.labels == {"job": "varlogs", "path": "/", "host": "grafana.net", "status": "200"}

    kept = run('{job="varlogs"} | json | keep level, method="POST"', line, {"job": "varlogs"})
    assert kept is not None
    assert kept.labels == {"level": "info"}


def test_keep_does_not_drop_error_labels() -> None:
    result = run('{a="b"} | json | keep a', "oops", {"a": "b"})
    assert result is not None
    assert result.labels["__error__"] == "JSONParserErr"
    assert result.labels["a"] == "b"
    assert set(result.labels) == {"a", "__error__", "__error_details__"}


def test_decolorize_then_filter() -> None:
    line = "\x1b[31mERROR\x1b[0m payment failed"
    assert not passes('{a="b"} |= "ERROR payment"', line)
    result = run('{a="b"} | decolorize |= "ERROR payment"', line)
    assert result is not None
    assert result.line == "ERROR payment failed"


def test_stage_order_matters() -> None:
    line = '{"msg":"timeout talking to db"}'
    assert passes('{a="b"} | json | line_format "{{.msg}}" |~ "^timeout"', line)
    assert not passes('{a="b"} |~ "^timeout" | json', line)


def test_process_all_keeps_passing_entries() -> None:
    ev = evaluator('{a="b"} |= "keep"')
    kept = ev.process_all({"a": "b"}, [(1, "keep 1"), (2, "drop"), (3, "keep 3")])
    assert [(e.ts_ns, e.line) for e in kept] == [(1, "keep 1"), (3, "keep 3")]


def test_invalid_regex_in_query_raises() -> None:
    query = LogQuery((Matcher("a", "=", "b"),), (LineFilter("|~", ("(?=x)",)),))
    with pytest.raises(ValueError, match="invalid regex"):
        LogQueryEvaluator(query)


def test_converting_filter_on_error_label_matches_nothing() -> None:
    assert not passes('{a="b"} | json | __error__ > 0', "not json", {"a": "b"})
    assert not passes('{a="b"} | json | __error__ > 0', '{"x":1}', {"a": "b"})


@pytest.mark.parametrize("op", ["=", "!="])
def test_ip_filter_keeps_entries_with_errors(op: str) -> None:
    assert passes(f'{{a="b"}} | json | addr {op} ip("10.0.0.0/8")', "not json", {"a": "b"})


def test_ip_filter_missing_label() -> None:
    assert not passes('{a="b"} | addr = ip("10.0.0.0/8")', "x", {"a": "b"})
    assert passes('{a="b"} | addr != ip("10.0.0.0/8")', "x", {"a": "b"})


def test_metadata_clashing_with_stream_label_is_suffixed() -> None:
    ev = evaluator('{a="b"}')
    result = ev.process(0, {"a": "b", "x": "stream"}, "line", {"x": "meta", "trace_id": "t1"})
    assert result is not None
    assert result.labels == {"a": "b", "x": "stream", "x_extracted": "meta", "trace_id": "t1"}


def test_parsed_label_takes_the_extracted_slot_from_metadata() -> None:
    ev = evaluator('{a="b"} | logfmt')
    result = ev.process(0, {"a": "b", "x": "stream"}, "x=parsed", {"x": "meta"})
    assert result is not None
    assert result.labels["x"] == "stream"
    assert result.labels["x_extracted"] == "parsed"
    assert result.parsed == {"x_extracted": "parsed"}


def test_parsed_label_clashing_with_metadata_is_suffixed() -> None:
    ev = evaluator('{a="b"} | logfmt')
    result = ev.process(0, {"a": "b"}, "trace_id=parsed", {"trace_id": "meta"})
    assert result is not None
    assert result.labels["trace_id"] == "meta"
    assert result.labels["trace_id_extracted"] == "parsed"
