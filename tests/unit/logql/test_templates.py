"""Go text/template subset used by line_format and label_format."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tflog_tui.logql.gofmt import format_go_float, go_sprintf
from tflog_tui.logql.templates import Template, TemplateExecError, TemplateSyntaxError

DATA = {
    "app": "billing-sync",
    "level": "error",
    "path": "/api/v1/push",
    "status": "503",
    "duration": "3000",
    "empty": "",
    "spaced": "  padded  ",
    "cluster": "eu-west-cluster",
    "json": '{"queries": [{"q": "a"}, {"q": "b"}], "n": 5}',
    "epoch": "1679577215",
}
LINE = "original line"
TS_NS = 1_700_000_000_123_456_789  # 2023-11-14T22:13:20.123456789Z


RENDER_CASES = [
    # Fields and missing keys.
    ("{{.app}}", "billing-sync"),
    ("{{ .app }}", "billing-sync"),
    ("[{{.missing}}]", "[<no value>]"),
    ("{{.empty}}|", "|"),
    ("plain text", "plain text"),
    ("", ""),
    # Pipelines and the strings functions with Loki's names.
    ("{{ .level | ToUpper }}", "ERROR"),
    ('{{ ToLower "ABC" }}', "abc"),
    ("{{ .level | upper }}", "ERROR"),
    ('{{ .cluster | replace "-cluster" "" }}', "eu-west"),
    ('{{ replace "hello" "world" "hello world" }}', "world world"),
    ('{{ Replace .path "/" "_" -1 }}', "_api_v1_push"),
    ('{{ Replace .path "/" "_" 1 }}', "_api/v1/push"),
    ("{{ .spaced | trim }}|", "padded|"),
    ("{{ TrimSpace .spaced }}|", "padded|"),
    ('{{ .path | trimPrefix "/api" }}', "/v1/push"),
    ('{{ .path | trimSuffix "/push" }}', "/api/v1"),
    ('{{ TrimPrefix .path "/api" }}', "/v1/push"),
    ('{{ trimAll "$" "$5.00$" }}', "5.00"),
    ('{{ Trim "xxhixx" "x" }}', "hi"),
    ('{{ .path | replace " " "_" | trunc 5 | upper }}', "/API/"),
    ("{{ trunc -4 .path }}", "push"),
    ("{{ substr 0 4 .path }}", "/api"),
    ('{{ title "hello world" }}', "Hello World"),
    ('{{ repeat 3 "ab" }}', "ababab"),
    ("{{ alignLeft 5 .level }}|", "error|"),
    ('{{ alignLeft 5 "hi" }}|', "hi   |"),
    ('{{ alignRight 5 "hi" }}|', "   hi|"),
    ('{{ alignRight 5 "hello world" }}', "world"),
    ('{{ indent 2 "a\\nb" }}', "  a\n  b"),
    # default with missing and empty labels.
    ('{{ .missing | default "-" }}', "-"),
    ('{{ .empty | default "-" }}', "-"),
    ('{{ .app | default "-" }}', "billing-sync"),
    ('{{ default "-" .missing }}', "-"),
    # Conditions.
    ('{{ if eq .level "error" }}E{{ else }}other{{ end }}', "E"),
    ('{{ if eq .level "info" }}I{{ else if eq .level "error" }}E{{ else }}?{{ end }}', "E"),
    ('{{ if eq .level "a" }}A{{ else if eq .level "b" }}B{{ else }}none{{ end }}', "none"),
    ("{{ if .missing }}yes{{ else }}no{{ end }}", "no"),
    ("{{ if .empty }}yes{{ else }}no{{ end }}", "no"),
    ("{{ if .status }}yes{{ end }}", "yes"),
    ('{{ if contains "bill" .app }}match{{ end }}', "match"),
    ('{{ if hasPrefix "/api" .path }}api{{ end }}', "api"),
    ('{{ if hasSuffix "push" .path }}push{{ end }}', "push"),
    ('{{ if and (contains "he" "hello") (contains "llo" "hello") }}both{{ end }}', "both"),
    ('{{ if or (eq .level "x") (eq .level "error") }}one{{ end }}', "one"),
    ("{{ if not .missing }}absent{{ end }}", "absent"),
    ('{{ if ne .level "info" }}not info{{ end }}', "not info"),
    ('{{ if lt "a" "b" }}lt{{ end }}', "lt"),
    ("{{ with .app }}[{{ . }}]{{ end }}", "[billing-sync]"),
    ("{{ with .missing }}[{{ . }}]{{ else }}none{{ end }}", "none"),
    # Whitespace trimming and comments.
    ("a  {{- .level -}}  b", "aerrorb"),
    ("a {{/* a comment */}}b", "a b"),
    ("a {{- /* trimmed */ -}} b", "ab"),
    ('a {{ printf "}}%s{{" .level }} b', "a }}error{{ b"),
    ("{{ `}}` }}|{{/* }} */}}|", "}}||"),
    # Variables and range over fromJson.
    ("{{ $x := .level }}{{ $x }}!", "error!"),
    ("{{ range $q := (fromJson .json).queries }}{{ $q.q }};{{ end }}", "a;b;"),
    ("{{ range $i, $q := (fromJson .json).queries }}{{ $i }}={{ $q.q }} {{ end }}", "0=a 1=b "),
    ("{{ (fromJson .json).n }}", "5"),
    # printf.
    ('{{ printf "%s-%s" .app .level }}', "billing-sync-error"),
    ('{{ printf "%-8s|" .level }}', "error   |"),
    ('{{ printf "%8.3s|" .level }}', "     err|"),
    ('{{ printf "%d" 42 }}', "42"),
    ('{{ printf "%05d" 42 }}', "00042"),
    ('{{ printf "%.2f" 3.14159 }}', "3.14"),
    ('{{ printf "%q" .level }}', '"error"'),
    ('{{ printf "%v %v" true 1.5 }}', "true 1.5"),
    ('{{ printf "%d" .status }}', "%!d(string=503)"),
    ('{{ printf "%s %s" .app }}', "billing-sync %!s(MISSING)"),
    ('{{ printf "100%%" }}', "100%"),
    # Arithmetic.
    ("{{ div .duration 1000 }}", "3"),
    ("{{ add 3 2 5 }}", "10"),
    ("{{ sub .status 3 }}", "500"),
    ("{{ mul 5 2 3 }}", "30"),
    ("{{ mod 10 3 }}", "1"),
    ("{{ addf 3.5 2 5 }}", "10.5"),
    ("{{ divf 10 2 4 }}", "1.25"),
    ("{{ mulf 5.5 2 2.5 }}", "27.5"),
    ("{{ subf 5.5 2 1.5 }}", "2"),
    ("{{ ceil 123.001 }}", "124"),
    ("{{ floor 123.9999 }}", "123"),
    ("{{ round 123.555555 3 }}", "123.556"),
    ("{{ max 1 2 3 }}", "3"),
    ("{{ minf 1 2.5 3 }}", "1"),
    ('{{ "3.5" | float64 }}', "3.5"),
    ('{{ "3" | int }}', "3"),
    ('{{ "1m30s" | duration }}', "90"),
    ('{{ bytes "2 KB" }}', "2000"),
    # Regular expressions.
    ('{{ regexReplaceAll "(a*)bc" "xaabcy" "${1}Z" }}', "xaaZy"),
    ('{{ regexReplaceAllLiteral "(ts=)" "ts=1" "${1}" }}', "${1}1"),
    ('{{ count "a|b" "abab" }}', "4"),
    ('{{ __line__ | count "i" }}', "3"),
    # Encoding.
    ('{{ b64enc "hello" }}', "aGVsbG8="),
    ('{{ b64dec "aGVsbG8=" }}', "hello"),
    ('{{ urlencode "a b&c" }}', "a+b%26c"),
    ('{{ urldecode "a+b%26c" }}', "a b&c"),
    # Line and timestamp.
    ("{{ __line__ }}", "original line"),
    ("{{ __line__ | ToUpper }}", "ORIGINAL LINE"),
    ("{{ __timestamp__ }}", "2023-11-14 22:13:20.123456789 +0000 UTC"),
    ('{{ __timestamp__ | date "2006-01-02T15:04:05.000Z07:00" }}', "2023-11-14T22:13:20.123Z"),
    ('{{ date "Jan 2 15:04:05 MST 2006" __timestamp__ }}', "Nov 14 22:13:20 UTC 2023"),
    ('{{ date "Monday 03:04PM .999999" __timestamp__ }}', "Tuesday 10:13PM .123456"),
    ("{{ __timestamp__ | unixEpoch }}", "1700000000"),
    ("{{ __timestamp__ | unixEpochMillis }}", "1700000000123"),
    ("{{ __timestamp__ | unixEpochNanos }}", "1700000000123456789"),
    ('{{ date "2006-01-02" (unixToTime .epoch) }}', "2023-03-23"),
    ('{{ toDate "2006-01-02" "2021-11-02" | unixEpoch }}', "1635811200"),
    (
        '{{ toDateInZone "2006-01-02 15:04" "Europe/Paris" "2021-11-02 10:00" | unixEpoch }}',
        "1635843600",
    ),
    (
        '{{ "2021-11-02T10:00:00.5+02:00" | toDate "2006-01-02T15:04:05.999999999Z07:00"'
        " | unixEpochMillis }}",
        "1635840000500",
    ),
    # Built-ins.
    ("{{ len .level }}", "5"),
    ('{{ index (fromJson .json) "n" }}', "5"),
    ('{{ index . "app" }}', "billing-sync"),
    ('[{{ index . "missing" }}]', "[]"),
    ('[{{ index (fromJson .json) "missing" }}]', "[<no value>]"),
    ('{{ print "a" 1 2 "b" }}', "a1 2b"),
    ('{{ "quoted \\"x\\"" }}', 'quoted "x"'),
    ("{{ `raw \\n` }}", "raw \\n"),
]


@pytest.mark.parametrize(("text", "expected"), RENDER_CASES)
def test_template_render(text: str, expected: str) -> None:
    assert Template(text).render(DATA, LINE, TS_NS) == expected


EXEC_ERROR_CASES = [
    "{{ .missing | ToUpper }}",
    '{{ eq .missing "x" }}',
    "{{ trunc .level 3 }}",
    "{{ .level.sub }}",
    "{{ if eq .level 3 }}x{{ end }}",
    "{{ div 1 0 }}",
    '{{ toDateInZone "2006" "Nowhere/Atlantis" "2021" }}',
    "{{ unixEpoch .level }}",
]


@pytest.mark.parametrize("text", EXEC_ERROR_CASES)
def test_template_exec_error(text: str) -> None:
    with pytest.raises(TemplateExecError):
        Template(text).render(DATA, LINE, TS_NS)


SYNTAX_ERROR_CASES = [
    "{{ .app ",
    "{{ if .app }}no end",
    "{{ end }}",
    "{{ nosuchfunction .app }}",
    "{{ (ToUpper .app }}",
    "{{ }}",
    '{{ "unterminated }}',
    '{{ template "x" }}',
]


@pytest.mark.parametrize("text", SYNTAX_ERROR_CASES)
def test_template_syntax_error(text: str) -> None:
    with pytest.raises(TemplateSyntaxError):
        Template(text)


def test_template_error_messages_name_cause() -> None:
    with pytest.raises(TemplateExecError, match="expected string"):
        Template("{{ .missing | ToUpper }}").render(DATA)
    with pytest.raises(TemplateSyntaxError, match='function "nosuch" not defined'):
        Template("{{ nosuch }}")


def test_template_does_not_interpret_label_values() -> None:
    data = {"msg": "{{ .secret }} [bold]x[/bold] %s \x1b[31m"}
    assert Template("{{ .msg }}").render(data) == data["msg"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (0.0, "0"),
        (1.0, "1"),
        (3.5, "3.5"),
        (124.0, "124"),
        (1e6, "1e+06"),
        (123456.0, "123456"),
        (1234567.0, "1.234567e+06"),
        (0.0001, "0.0001"),
        (0.00001, "1e-05"),
        (-2.5, "-2.5"),
        (float("inf"), "+Inf"),
        (float("nan"), "NaN"),
    ],
)
def test_format_go_float(value: float, expected: str) -> None:
    assert format_go_float(value) == expected


def test_go_sprintf_extra_arguments() -> None:
    assert go_sprintf("%s", ["a", "b"]) == "a%!(EXTRA string=b)"


@settings(max_examples=100, deadline=None)
@given(text=st.text(max_size=40).filter(lambda t: "{{" not in t))
def test_text_without_actions_renders_unchanged(text: str) -> None:
    assert Template(text).render(DATA) == text


@settings(max_examples=100, deadline=None)
@given(value=st.text(max_size=40))
def test_label_value_renders_verbatim(value: str) -> None:
    assert Template("<{{ .v }}>").render({"v": value}) == f"<{value}>"
