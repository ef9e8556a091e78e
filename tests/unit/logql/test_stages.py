"""Extraction helpers behind the json, logfmt, pattern, unpack and ip stages."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tflog_tui.logql.re2 import InvalidRegexError, compile_re2, translate_re2
from tflog_tui.logql.stages import (
    ExtractionError,
    IpMatcher,
    compile_pattern,
    decolorize,
    json_labels,
    json_labels_exact,
    json_path_value,
    logfmt_pairs,
    parse_humanized_bytes,
    parse_label_duration,
    parse_label_number,
    sanitize_label_name,
    unpack_labels,
)

# --- label names ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("level", "level"),
        ("User-Agent", "User_Agent"),
        ("a.b", "a_b"),
        ("1st", "_1st"),
        ("  spaced  ", "spaced"),
        ("niño", "ni_o"),
        ("a:b", "a_b"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_sanitize_label_name(key: str, expected: str) -> None:
    assert sanitize_label_name(key) == expected


def test_sanitize_nested_digit_keeps_digit() -> None:
    assert sanitize_label_name("1", is_prefix=False) == "1"


# --- json ----------------------------------------------------------------------

NGINX_DOC = (
    '{"protocol":"HTTP/2.0","servers":["129.0.1.1","10.2.1.3"],'
    '"request":{"time":"6.032","method":"GET","host":"foo.grafana.net","size":"55",'
    '"headers":{"Accept":"*/*","User-Agent":"curl/7.68.0"}},'
    '"response":{"status":401,"size":"228","latency_seconds":"6.031"}}'
)


def test_json_labels_flatten_nested() -> None:
    assert json_labels(NGINX_DOC) == [
        ("protocol", "HTTP/2.0"),
        ("request_time", "6.032"),
        ("request_method", "GET"),
        ("request_host", "foo.grafana.net"),
        ("request_size", "55"),
        ("request_headers_Accept", "*/*"),
        ("request_headers_User_Agent", "curl/7.68.0"),
        ("response_status", "401"),
        ("response_size", "228"),
        ("response_latency_seconds", "6.031"),
    ]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ('{"n": 1.50}', [("n", "1.50")]),
        ('{"n": 1e3}', [("n", "1e3")]),
        ('{"n": -0.0}', [("n", "-0.0")]),
        ('{"ok": true, "bad": false}', [("ok", "true"), ("bad", "false")]),
        ('{"gone": null}', [("gone", "")]),
        ('{"arr": [1, 2], "x": "y"}', [("x", "y")]),
        ('{"empty": {}}', []),
        ("{}", []),
        ('  {"a": "b"}  ', [("a", "b")]),
        ('{"esc": "line\\nbreak \\u00e9 \\"q\\""}', [("esc", 'line\nbreak é "q"')]),
        ('{"dup": "first", "dup": "second"}', [("dup", "first"), ("dup", "second")]),
        ('{"": "no name", "a": "1"}', [("a", "1")]),
        ('{"a.b": {"c": "d"}, "e": "f"}', [("a_b_c", "d"), ("e", "f")]),
        ('{"lone": "\\ud800"}', [("lone", "\ud800")]),
    ],
)
def test_json_labels_values(line: str, expected: list[tuple[str, str]]) -> None:
    assert json_labels(line) == expected


@pytest.mark.parametrize(
    "line",
    [
        "",
        "not json",
        '{"a": "b"',
        '{"a": }',
        "[1, 2, 3]",
        '"just a string"',
        "42",
        '{"a": NaN}',
        '{"a": Infinity}',
        "{'single': 'quotes'}",
        '{"a": "b"} trailing',
        '{"a": 01}',
        "[" * 100_000,
        '{"a":' * 100_000,
    ],
)
def test_json_labels_invalid(line: str) -> None:
    with pytest.raises(ExtractionError):
        json_labels(line)


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        (("servers", 0), "129.0.1.1"),
        (("servers", 1), "10.2.1.3"),
        (("servers", 2), None),
        (("request", "headers", "User-Agent"), "curl/7.68.0"),
        (("response", "status"), "401"),
        (("servers",), '["129.0.1.1","10.2.1.3"]'),
        (("request", "headers"), '{"Accept":"*/*","User-Agent":"curl/7.68.0"}'),
        (("missing",), None),
        (("protocol", "deeper"), None),
        (("response", "missing"), None),
    ],
)
def test_json_path_value(path: tuple[str | int, ...], expected: str | None) -> None:
    assert json_path_value(NGINX_DOC, path) == expected


def test_json_path_value_first_duplicate_wins() -> None:
    assert json_path_value('{"a": "1", "a": "2"}', ("a",)) == "1"


def test_json_path_value_keeps_spacing_of_objects() -> None:
    assert json_path_value('{"o": {"k": [1, 2]} }', ("o",)) == '{"k": [1, 2]}'


@pytest.mark.parametrize("line", ["not json", "[1]", '{"a" "b"}', '{"x": 1, "a": }'])
def test_json_path_value_invalid(line: str) -> None:
    with pytest.raises(ExtractionError):
        json_path_value(line, ("a",))


def test_unpack_labels_and_entry() -> None:
    line = '{"container":"myapp","pod":"pod-3223f","_entry":"original log message","n":5}'
    labels, entry = unpack_labels(line)
    assert labels == [("container", "myapp"), ("pod", "pod-3223f")]
    assert entry == "original log message"


def test_unpack_without_entry() -> None:
    assert unpack_labels('{"a":"b"}') == ([("a", "b")], None)


def test_unpack_invalid() -> None:
    with pytest.raises(ExtractionError):
        unpack_labels("plain text")


# --- logfmt --------------------------------------------------------------------

LOGFMT_CASES = [
    (
        'at=info method=GET path=/ host=grafana.net fwd="124.133.124.161" service=8ms status=200',
        [
            ("at", "info"),
            ("method", "GET"),
            ("path", "/"),
            ("host", "grafana.net"),
            ("fwd", "124.133.124.161"),
            ("service", "8ms"),
            ("status", "200"),
        ],
    ),
    ('msg="hello world"', [("msg", "hello world")]),
    ('msg="say \\"hi\\"" n=1', [("msg", 'say "hi"'), ("n", "1")]),
    ('msg="tab\\there\\nnext \\u00e9 \\\\"', [("msg", "tab\there\nnext é \\")]),
    ("flag other=1", [("flag", None), ("other", "1")]),
    ("empty= next=2", [("empty", ""), ("next", "2")]),
    ('empty="" next=2', [("empty", ""), ("next", "2")]),
    ("  padded=1\t\ttab=2  ", [("padded", "1"), ("tab", "2")]),
    ("a=1 a=2", [("a", "1"), ("a", "2")]),
    ("url=http://x/?a=b ok=1", [("ok", "1")]),
    ("=value ok=1", [("ok", "1")]),
    ("foo=bar=buzz ok=1", [("ok", "1")]),
    ('fo"o=bar ok=1', [("ok", "1")]),
    ('open="unterminated ok=1', []),
    ('q="x"y ok=1', [("ok", "1")]),
    ("", []),
    ("just some words", [("just", None), ("some", None), ("words", None)]),
    ("ключ=значение", [("ключ", "значение")]),
]


@pytest.mark.parametrize(("line", "expected"), LOGFMT_CASES)
def test_logfmt_pairs_lenient(line: str, expected: list[tuple[str, str | None]]) -> None:
    assert list(logfmt_pairs(line, strict=False)) == expected


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("=value", "missing key"),
        ("foo=bar=buzz", "'=' in value"),
        ('fo"o=bar', "in key"),
        ('open="unterminated', "unterminated"),
        ('bad="\\q"', "invalid escape"),
    ],
)
def test_logfmt_pairs_strict_errors(line: str, problem: str) -> None:
    with pytest.raises(ExtractionError, match=problem):
        list(logfmt_pairs(line, strict=True))


def test_logfmt_strict_keeps_pairs_before_error() -> None:
    pairs = []
    with pytest.raises(ExtractionError):
        for pair in logfmt_pairs("a=1 b=2 =bad c=3", strict=True):
            pairs.append(pair)
    assert pairs == [("a", "1"), ("b", "2")]


# --- pattern -------------------------------------------------------------------

NGINX_LINE = (
    '0.191.12.2 - - [10/Jun/2021:09:14:29 +0000] "GET /api/plugins/versioncheck HTTP/1.1" '
    '200 2 "-" "Go-http-client/2.0" "13.76.247.102, 34.120.177.193" "TLSv1.2" "US" ""'
)


def test_pattern_extracts_nginx_fields() -> None:
    pattern = compile_pattern('<ip> - - <_> "<method> <uri> <_>" <status> <size> <_> "<agent>" <_>')
    assert pattern.extract(NGINX_LINE) == [
        ("ip", "0.191.12.2"),
        ("method", "GET"),
        ("uri", "/api/plugins/versioncheck"),
        ("status", "200"),
        ("size", "2"),
        ("agent", "Go-http-client/2.0"),
    ]


@pytest.mark.parametrize(
    ("pattern", "line", "expected"),
    [
        ("<a> <b>", "x y z", [("a", "x"), ("b", "y z")]),
        ("level=<level> ", "level=info msg", [("level", "info")]),
        ("level=<level> ", "xlevel=info msg", None),
        ("<_> level=<level>", "ts=1 level=warn", [("level", "warn")]),
        ("[<a>] [<b>]", "[1] [2", [("a", "1")]),
        ("[<a>] [<b>]", "[1] missing", None),
        ("<a>,<b>", "no comma", None),
        ("<a>", "", [("a", "")]),
        ("x <a> y", "x  y", [("a", "")]),
    ],
)
def test_pattern_extract_cases(
    pattern: str, line: str, expected: list[tuple[str, str]] | None
) -> None:
    assert compile_pattern(pattern).extract(line) == expected


@pytest.mark.parametrize(
    ("pattern", "line", "expected"),
    [
        ("<_> error <_>", "an error here", True),
        ("<_> error <_>", "no problem", False),
        ("<_> error", "an error", True),
        ("<_> error", "an error here", False),
        ("user loaded: <_>", "user loaded: 89255", True),
        ("user loaded: <_>", "the user loaded: 1", False),
    ],
)
def test_pattern_matches_whole_line(pattern: str, line: str, expected: bool) -> None:
    assert compile_pattern(pattern, require_named=False).matches(line) is expected


@pytest.mark.parametrize(
    ("pattern", "problem"),
    [
        ("<a><b>", "consecutive"),
        ("<_> only", "named capture"),
        ("<a> <a>", "twice"),
    ],
)
def test_pattern_invalid(pattern: str, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        compile_pattern(pattern)


def test_pattern_non_capture_brackets_literal() -> None:
    pattern = compile_pattern("<x> < 3 <y>")
    assert pattern.extract("a < 3 b") == [("x", "a"), ("y", "b")]


# --- ip ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "value", "expected"),
    [
        ("192.168.4.5/16", "192.168.200.1", True),
        ("192.168.4.5/16", "192.169.0.1", False),
        ("192.168.0.1-192.168.0.10", "192.168.0.10", True),
        ("192.168.0.1-192.168.0.10", "192.168.0.11", False),
        ("10.0.0.1", "10.0.0.1", True),
        ("10.0.0.1", "10.0.0.2", False),
        ("2001:db8::/32", "2001:db8::1", True),
        ("2001:db8::1-2001:db8::8", "2001:db8::9", False),
        ("::1", "::1", True),
        ("10.0.0.0/8", "not an ip", False),
        ("10.0.0.0/8", "", False),
        ("10.0.0.0/8", "::1", False),
    ],
)
def test_ip_matcher_contains(pattern: str, value: str, expected: bool) -> None:
    assert IpMatcher(pattern).contains(value) is expected


@pytest.mark.parametrize(
    ("pattern", "line", "expected"),
    [
        ("3.180.71.3", '3.180.71.3 - - "GET /"', True),
        ("3.180.71.3", '93.180.71.3 - - "GET /"', False),
        ("10.0.0.0/8", "client=10.1.2.3:8080 done", True),
        ("10.0.0.0/8", "version 110.1.2.3.4", False),
        ("2001:db8::/32", "from [2001:db8::5]:443", True),
        ("2001:db8::/32", "from 2001:db9::5", False),
    ],
)
def test_ip_matcher_search_line(pattern: str, line: str, expected: bool) -> None:
    assert IpMatcher(pattern).search(line) is expected


@pytest.mark.parametrize("pattern", ["", "300.1.1.1", "10.0.0.9-10.0.0.1", "1.2.3.4-::1", "x/8"])
def test_ip_matcher_invalid(pattern: str) -> None:
    with pytest.raises(ValueError, match="invalid ip pattern"):
        IpMatcher(pattern)


# --- conversions ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("42", 42),
        ("42b", 42),
        ("5 MiB", 5 * 1024**2),
        ("3k", 3000),
        ("1G", 1_000_000_000),
        ("1.5KiB", 1536),
        ("20MB", 20_000_000),
        ("1,000 B", 1000),
        ("2 kb", 2000),
    ],
)
def test_parse_humanized_bytes(text: str, expected: int) -> None:
    assert parse_humanized_bytes(text) == expected


@pytest.mark.parametrize("text", ["", "MB", "5 parsecs", "-5MB", "abc"])
def test_parse_humanized_bytes_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        parse_humanized_bytes(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("250ms", 0.25), ("1h30m", 5400.0), ("1.5s", 1.5), ("0", 0.0), ("-2s", -2.0), ("100us", 1e-4)],
)
def test_parse_label_duration(text: str, expected: float) -> None:
    assert parse_label_duration(text) == pytest.approx(expected)


@pytest.mark.parametrize("text", ["", "5", "5 s", "abc", " 5s"])
def test_parse_label_duration_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        parse_label_duration(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [("42", 42.0), ("-1.5", -1.5), ("1e3", 1000.0), ("0x10", 16.0), ("+Inf", float("inf"))],
)
def test_parse_label_number(text: str, expected: float) -> None:
    assert parse_label_number(text) == expected


@pytest.mark.parametrize("text", ["", "1_000", " 5", "5 ", "12ms", "abc", "1e999"])
def test_parse_label_number_invalid(text: str) -> None:
    with pytest.raises(ValueError):
        parse_label_number(text)


# --- decolorize ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("\x1b[31mERROR\x1b[0m payment failed", "ERROR payment failed"),
        ("\x1b[1;38;5;196mbold\x1b[m", "bold"),
        ("\x1b[H\x1b[2Jtask done", "task done"),
        ("\x1b]0;pwned\x07title", "title"),
        ("\x1b]8;;http://example.invalid\x1b\\click\x1b]8;;\x1b\\", "click"),
        ("plain", "plain"),
    ],
)
def test_decolorize(line: str, expected: str) -> None:
    assert decolorize(line) == expected


# --- RE2 translation -----------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "text", "found"),
    [
        (r"\d+", "abc ١٢٣", False),
        (r"\d+", "abc 123", True),
        (r"\w+", "é", False),
        (r"^abc$", "abc\n", False),
        (r"(?m)^abc$", "x\nabc\ny", True),
        (r"a(?i)b", "aB", True),
        (r"a(?i)b", "AB", False),
        (r"(?i)x|y", "Y", True),
        (r"(?<name>\w+)", "word", True),
        (r"[[:digit:]]+", "42", True),
        (r"[[:alpha:]]", "4", False),
        (r"\Qa.b\E", "axb", False),
        (r"\Qa.b\E", "a.b", True),
        (r"end\z", "the end", True),
        (r"\pL+", "día", True),
        (r"[]a]", "]", True),
        (r"(?s)a.b", "a\nb", True),
        (r"a.b", "a\nb", False),
    ],
)
def test_re2_semantics(pattern: str, text: str, found: bool) -> None:
    assert (compile_re2(pattern).search(text) is not None) is found


@pytest.mark.parametrize(
    "pattern",
    [r"(?=x)", r"(?!x)", r"(?<=x)y", r"(?<!x)y", r"(a)\1", r"a++", r"(?U)a+", r"[a", r"(a", r"a)"],
)
def test_re2_rejects_what_re2_rejects(pattern: str) -> None:
    with pytest.raises(InvalidRegexError):
        translate_re2(pattern) if pattern not in ("[a", "(a") else compile_re2(pattern)


def test_re2_anchored_matches_whole_value() -> None:
    regex = compile_re2("api|web", anchored=True)
    assert regex.match("api") is not None
    assert regex.match("web") is not None
    assert regex.match("api-2") is None
    assert regex.match("my-web") is None


# --- json fast path against the exact parser -----------------------------------

JSON_SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=8)
)
JSON_VALUES = st.recursive(
    JSON_SCALARS,
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=5), children, max_size=4)
    ),
    max_leaves=12,
)


@settings(max_examples=150, deadline=None)
@given(document=st.dictionaries(st.text(max_size=6), JSON_VALUES, max_size=6), spaced=st.booleans())
def test_json_fast_path_matches_exact(document: dict[str, object], spaced: bool) -> None:
    separators = (", ", " : ") if spaced else (",", ":")
    line = json.dumps(document, separators=separators, ensure_ascii=False)
    assert json_labels(line) == json_labels_exact(line)


@pytest.mark.parametrize(
    "line",
    [
        '{"a": "1", "a": "2"}',
        '{"a" : "1", "a":"2"}',
        '{"o": {"k": 1}, "o": {"k": 2}}',
        '{"n": 1.50, "m": 2}',
        '{"q": "say \\":\\" here", "a": 1}',
        '{"arr": [{"a": 1}], "b": 2}',
        '{"big": 123456789012345678901234567890}',
        '{"s": "\\ud800"}',
    ],
)
def test_json_fast_path_tricky_lines(line: str) -> None:
    assert json_labels(line) == json_labels_exact(line)
