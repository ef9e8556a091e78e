"""Grafana Explore links: build, parse, and decode the way Grafana decodes."""

from __future__ import annotations

import json
import re
from urllib.parse import quote, unquote_plus, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tflog_tui.grafana import (
    ExploreLink,
    expand_variables,
    explore_url,
    is_explore_url,
    parse_explore_url,
)

GRAFANA = "https://grafana.example.com"
UID = "P8E80F9AEF21F6940"

HARD_EXPRESSIONS = [
    '{service_name="billing-sync"} |= "task_id=7f3a9c2e" | json | level="error"',
    r'{job="a"} |= "say \"hi\""',
    r'{job="a"} |= `C:\temp\new` |= "C:\\temp\\new"',
    '{job="a"} |~ "err(or)?|fail.*" != "debug"',
    '{job="a"} |= "a+b" |= "1 + 1 = 2"',
    '{job="a"} |= "100%" |= "%2B" |= "%zz"',
    '{job="a"} |= "#anchor" |= "a&b=c" |= "?x=y"',
    '{job="a"} |= "Grüße" |= "日本語" |= "😀 🚀"',
    '{job="a"}\n  |= "first"\n  |= "second\\nline"',
    '{job="a"} |= "tab\there" |= "\u2028"',
]


def _panes_document(url: str) -> dict[str, object]:
    """Decode the panes parameter with `unquote_plus`, as Grafana reads a query string."""
    query = urlsplit(url).query
    raw = dict(item.split("=", 1) for item in query.split("&"))["panes"]
    document = json.loads(unquote_plus(raw))
    assert isinstance(document, dict)
    return document


def _legacy_link(left: object, extra: str = "") -> str:
    text = json.dumps(left)
    return f"{GRAFANA}/explore?orgId=3&left={quote(text, safe='')}{extra}"


# Building


def test_explore_url_current_form() -> None:
    url = explore_url(GRAFANA, UID, '{job="a"}', "now-1h", "now")

    assert url.startswith(f"{GRAFANA}/explore?schemaVersion=1&panes=")
    assert url.endswith("&orgId=1")

    document = _panes_document(url)
    assert len(document) == 1
    pane_id, pane = next(iter(document.items()))
    assert re.fullmatch(r"[0-9a-z]{3}", pane_id)
    assert not pane_id.isdigit()
    assert pane == {
        "datasource": UID,
        "queries": [
            {
                "refId": "A",
                "datasource": {"type": "loki", "uid": UID},
                "expr": '{job="a"}',
                "queryType": "range",
                "editorMode": "code",
            }
        ],
        "range": {"from": "now-1h", "to": "now"},
    }


def test_explore_url_is_deterministic() -> None:
    first = explore_url(GRAFANA, UID, '{job="a"}', "now-1h", "now")
    second = explore_url(GRAFANA, UID, '{job="a"}', "now-1h", "now")
    other = explore_url(GRAFANA, UID, '{job="b"}', "now-1h", "now")

    assert first == second
    assert first != other


def test_pane_id_is_never_all_digits() -> None:
    for number in range(300):
        url = explore_url(GRAFANA, UID, f'{{job="{number}"}}', "now-1h", "now")
        pane_id = next(iter(_panes_document(url)))

        assert re.fullmatch(r"[0-9a-z]{3}", pane_id), pane_id
        assert not pane_id.isdigit(), pane_id


def test_explore_url_encodes_like_encode_uri_component() -> None:
    url = explore_url(GRAFANA, UID, '{job="a"} |= "a+b" |~ "x|y" # ü\n&%\\', "now-1h", "now")
    panes = url.split("&panes=", 1)[1].split("&orgId=", 1)[0]

    assert "%2B" in panes
    assert "%7C" in panes
    assert "%23" in panes
    assert "%26" in panes
    assert "%25" in panes
    assert "%5C" in panes
    assert "%22" in panes
    assert "%C3%BC" in panes
    assert re.fullmatch(r"[A-Za-z0-9\-_.!~*'()%]*", panes), panes


def test_explore_url_keeps_sub_path() -> None:
    url = explore_url("https://example.com/grafana/", UID, '{job="a"}', "now-1h", "now")

    assert url.startswith("https://example.com/grafana/explore?schemaVersion=1&panes=")
    assert parse_explore_url(url).grafana_url == "https://example.com/grafana"


def test_explore_url_org_id() -> None:
    url = explore_url(GRAFANA, UID, '{job="a"}', "now-1h", "now", org_id=7)

    assert url.endswith("&orgId=7")
    assert parse_explore_url(url).org_id == 7


def test_explore_url_absolute_range() -> None:
    url = explore_url(GRAFANA, UID, '{job="a"}', 1_700_000_000_000, "1700003600000")
    pane = next(iter(_panes_document(url).values()))

    assert isinstance(pane, dict)
    assert pane["range"] == {"from": "1700000000000", "to": "1700003600000"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-11-14T22:13:20Z", "1700000000000"),
        ("2023-11-14T22:13:20.123456789Z", "1700000000123"),
        ("2023-11-15T00:13:20.5+02:00", "1700000000500"),
        ("2023-11-14T17:13:20-05:00", "1700000000000"),
    ],
)
def test_explore_url_rfc3339_range(value: str, expected: str) -> None:
    link = parse_explore_url(explore_url(GRAFANA, UID, '{job="a"}', value, "now"))

    assert link.time_from == expected


@pytest.mark.parametrize("value", ["now", "now-6h", "now-1d/d", "now/w", "now-90d", "now+5m"])
def test_explore_url_relative_range(value: str) -> None:
    link = parse_explore_url(explore_url(GRAFANA, UID, '{job="a"}', value, "now"))

    assert link.time_from == value


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (1_700_000_000.5, "expected epoch milliseconds"),
        (1_700_000_000_000.0, "expected epoch milliseconds"),
        (1_700_000_000, "looks like epoch seconds"),
        ("1700000000", "looks like epoch seconds"),
        (1_700_000_000_000_000_000, "microseconds or nanoseconds"),
        (True, "expected epoch milliseconds"),
        ("yesterday", "expected a relative time"),
        ("2024-01-01T00:00:00", "expected a relative time"),
        ("2024-02-30T00:00:00Z", "day is out of range"),
        ("now-1x", "expected a relative time"),
    ],
)
def test_explore_url_rejects_bad_time(value: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        explore_url(GRAFANA, UID, '{job="a"}', value, "now")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "root", ["grafana.example.com", "ftp://grafana.example.com", "https://g.example/?x=1"]
)
def test_explore_url_rejects_bad_root(root: str) -> None:
    with pytest.raises(ValueError, match="invalid Grafana URL"):
        explore_url(root, UID, '{job="a"}', "now-1h", "now")


def test_explore_url_rejects_lone_surrogate() -> None:
    with pytest.raises(ValueError, match="lone surrogate"):
        explore_url(GRAFANA, UID, '{job="\ud800"}', "now-1h", "now")


def test_explore_url_without_datasource() -> None:
    url = explore_url(GRAFANA, None, '{job="a"}', "now-1h", "now")
    pane = next(iter(_panes_document(url).values()))

    assert isinstance(pane, dict)
    assert "datasource" not in pane
    assert "datasource" not in pane["queries"][0]
    assert parse_explore_url(url).datasource is None


# Round trips


@pytest.mark.parametrize("expr", HARD_EXPRESSIONS)
def test_round_trip_hard_expressions(expr: str) -> None:
    url = explore_url("https://example.com/grafana/", UID, expr, "now-6h", "now")
    link = parse_explore_url(url)

    assert link.expr == expr
    assert link.time_from == "now-6h"
    assert link.time_to == "now"
    assert link.datasource == UID
    assert link.org_id == 1
    assert link.grafana_url == "https://example.com/grafana"


@pytest.mark.parametrize("expr", HARD_EXPRESSIONS)
def test_grafana_decoding_yields_expression(expr: str) -> None:
    url = explore_url(GRAFANA, UID, expr, "now-6h", "now")
    pane = next(iter(_panes_document(url).values()))

    assert isinstance(pane, dict)
    assert pane["queries"][0]["expr"] == expr


@settings(max_examples=150, deadline=None)
@given(
    expr=st.text(alphabet=st.characters(codec="utf-8"), max_size=80),
    time_from=st.one_of(
        st.integers(min_value=10**11, max_value=10**14 - 1),
        st.sampled_from(["now-1h", "now-7d", "now-30d/d"]),
    ),
)
def test_round_trip_arbitrary_text(expr: str, time_from: int | str) -> None:
    url = explore_url(GRAFANA, UID, "{job=" + json.dumps(expr) + "}" + expr, time_from, "now")
    link = parse_explore_url(url)
    pane = next(iter(_panes_document(url).values()))

    assert link.expr == "{job=" + json.dumps(expr) + "}" + expr
    assert link.time_from == str(time_from)
    assert isinstance(pane, dict)
    assert pane["queries"][0]["expr"] == link.expr


# Parsing hand-written and legacy links


def test_parse_plus_as_space() -> None:
    panes = (
        '{"x1y":{"datasource":"loki","queries":[{"refId":"A","expr":'
        '"{job=\\"a\\"} |= \\"b c\\""}],"range":{"from":"now-1h","to":"now"}}}'
    )
    url = f"{GRAFANA}/explore?schemaVersion=1&panes={panes.replace(' ', '+')}&orgId=1"

    assert parse_explore_url(url).expr == '{job="a"} |= "b c"'


def test_parse_legacy_object() -> None:
    url = _legacy_link(
        {
            "datasource": "Loki",
            "queries": [{"refId": "A", "expr": '{service_name="billing-sync"} |= "boom"'}],
            "range": {"from": "now-6h", "to": "now"},
        }
    )
    link = parse_explore_url(url)

    assert link.expr == '{service_name="billing-sync"} |= "boom"'
    assert link.datasource == "Loki"
    assert link.time_from == "now-6h"
    assert link.time_to == "now"
    assert link.org_id == 3
    assert link.grafana_url == GRAFANA


def test_parse_legacy_compact_array() -> None:
    url = _legacy_link(
        [
            "1700000000000",
            1700003600000,
            "Loki",
            {"expr": '{task_id="7f3a9c2e"}'},
            {"ui": [True, True, True, "none"]},
        ]
    )
    link = parse_explore_url(url)

    assert link.expr == '{task_id="7f3a9c2e"}'
    assert link.datasource == "Loki"
    assert link.time_from == "1700000000000"
    assert link.time_to == "1700003600000"


def test_parse_legacy_compact_hand_written() -> None:
    url = (
        'https://g.example/grafana/explore?left=["now-1h","now","Loki",'
        '{"expr":"{job=\\"varlogs\\"}+|=+\\"error\\""},{"mode":"Logs"}]'
    )
    link = parse_explore_url(url)

    assert link.expr == '{job="varlogs"} |= "error"'
    assert link.grafana_url == "https://g.example/grafana"
    assert link.org_id is None


def test_parse_legacy_left_and_right() -> None:
    right = json.dumps(["now-2h", "now", "Other", {"expr": '{job="right"}'}])
    url = _legacy_link(
        {"datasource": "Loki", "queries": [{"expr": '{job="left"}'}]},
        extra=f"&right={quote(right, safe='')}",
    )
    link = parse_explore_url(url)

    assert link.expr == '{job="left"}'
    assert link.time_from == "now-1h"
    assert [pane.pane_id for pane in link.panes] == ["left", "right"]
    assert link.panes[1].queries[0].expr == '{job="right"}'
    assert link.panes[1].time_from == "now-2h"


def test_parse_two_panes_takes_first() -> None:
    panes = {
        "zz9": {
            "datasource": "uid-1",
            "queries": [{"refId": "A", "expr": '{job="first"}'}],
            "range": {"from": 1700000000000, "to": 1700003600000},
        },
        "aa1": {
            "datasource": "uid-2",
            "queries": [{"refId": "A", "expr": '{job="second"}'}],
            "range": {"from": "now-5m", "to": "now"},
        },
    }
    url = f"{GRAFANA}/explore?schemaVersion=1&panes={quote(json.dumps(panes), safe='')}"
    link = parse_explore_url(url)

    assert link.expr == '{job="first"}'
    assert link.datasource == "uid-1"
    assert link.time_from == "1700000000000"
    assert link.time_to == "1700003600000"
    assert [pane.pane_id for pane in link.panes] == ["zz9", "aa1"]
    assert [query.expr for query in link.queries] == ['{job="first"}', '{job="second"}']


def test_parse_skips_other_datasource_queries() -> None:
    panes = {
        "abc": {
            "datasource": "-- Mixed --",
            "queries": [
                {"refId": "A", "datasource": {"type": "prometheus", "uid": "p"}, "expr": "up"},
                {"refId": "B", "datasource": {"type": "loki", "uid": "l"}, "expr": '{job="a"}'},
            ],
            "range": {"from": "now-1h", "to": "now"},
        }
    }
    url = f"{GRAFANA}/explore?panes={quote(json.dumps(panes), safe='')}"
    link = parse_explore_url(url)

    assert link.expr == '{job="a"}'
    assert link.datasource == "l"


def test_parse_result_type() -> None:
    link = parse_explore_url(explore_url(GRAFANA, UID, '{job="a"}', "now-1h", "now"))

    assert isinstance(link, ExploreLink)
    assert len(link.panes) == 1
    assert link.queries[0].ref_id == "A"
    assert link.queries[0].query_type == "range"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://g.example/d/abc/dashboard", "does not end in /explore"),
        ("not a url", "not an http"),
        (f"{GRAFANA}/explore?orgId=1", "expected a 'panes' or 'left' parameter"),
        (f"{GRAFANA}/explore?panes=%7B%22abc%22%3A", "'panes' is not valid JSON"),
        (f"{GRAFANA}/explore?left=%5B1%2C2", "'left' is not valid JSON"),
        (f"{GRAFANA}/explore?panes=%5B%5D", "must be a JSON object"),
        (f"{GRAFANA}/explore?left=%5B%22now%22%5D", "at least"),
        (
            f"{GRAFANA}/explore?panes="
            + quote('{"abc":{"datasource":"p","queries":[{"refId":"A","expr":""}]}}'),
            "no query has an expression",
        ),
        (
            f"{GRAFANA}/explore?panes="
            + quote('{"abc":{"queries":[{"datasource":{"type":"prometheus"},"expr":"up"}]}}'),
            "queries are for prometheus",
        ),
        (
            f"{GRAFANA}/explore?orgId=x&left="
            + quote('["now-1h","now","L",{"expr":"{a=\\"b\\"}"}]'),
            "orgId 'x' is not a number",
        ),
        (f"{GRAFANA}/explore?panes=%FF", "not UTF-8"),
    ],
)
def test_parse_rejects_with_reason(url: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_explore_url(url)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (explore_url(GRAFANA, UID, '{job="a"}', "now-1h", "now"), True),
        ("https://example.com/grafana/explore?left=%5B%5D", True),
        ("  https://g.example/explore/?orgId=1&panes=%7B%7D  ", True),
        ('{job="a"}', False),
        ("https://g.example/explore?orgId=1", False),
        ("https://g.example/d/abc?left=x", False),
        ("ftp://g.example/explore?panes=x", False),
        ("http://[::1/explore?panes=x", False),
    ],
)
def test_is_explore_url(text: str, expected: bool) -> None:
    assert is_explore_url(text) is expected


# Grafana's interval and range variables


def test_variables_expanded_for_range() -> None:
    link = parse_explore_url(
        explore_url(
            "https://grafana.example.com",
            "loki-uid",
            'sum(count_over_time({app="api"}[$__auto])) / $__range_s',
            "now-6h",
            "now",
        )
    )

    expanded = link.expanded_expr(1_700_000_000_000_000_000)

    # 6 h over about 1,000 points is 21.6 s, rounded up to the 30 s step.
    assert expanded == 'sum(count_over_time({app="api"}[30s])) / 21600'


def test_variable_spellings_expanded() -> None:
    hour_ns = 3600 * 1_000_000_000

    assert expand_variables("[${__interval}]", 0, hour_ns) == "[5s]"
    assert expand_variables("[[[__interval]]]", 0, hour_ns) == "[5s]"
    assert expand_variables("[$__rate_interval]", 0, hour_ns) == "[60s]"
    assert expand_variables("$__interval_ms $__range_ms", 0, hour_ns) == "5000 3600000"
    assert expand_variables("[$__range]", 0, hour_ns) == "[3600s]"


def test_unknown_variable_left_alone() -> None:
    assert expand_variables('{app="$service"} |= "$__autoX"', 0, 10**12) == (
        '{app="$service"} |= "$__autoX"'
    )


def test_compound_relative_time_spelled_for_grafana() -> None:
    link = parse_explore_url(explore_url(GRAFANA, UID, '{app="a"}', "now - 1h30m", "now"))

    assert link.time_from == "now-1h-30m"
