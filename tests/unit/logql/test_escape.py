"""String literals and regex escaping: any value survives a trip through a query."""

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tflog_tui.logql import LogQuery, escape_regex, escape_string, parse, quote

# Text as a terminal or a log line can give it: any code point except lone
# surrogates, which have no UTF-8 form.
ANY_TEXT = st.text(st.characters(exclude_categories=["Cs"]), max_size=40)


def _selector_value(literal: str) -> str:
    query = parse("{app=" + literal + "}")
    assert isinstance(query, LogQuery)
    return query.selector[0].value


@pytest.mark.parametrize(
    ("value", "literal"),
    [
        ("api", '"api"'),
        ("", '""'),
        ('say "hi"', '"say \\"hi\\""'),
        ("C:\\temp\\new", '"C:\\\\temp\\\\new"'),
        ("a\tb\nc\r", '"a\\tb\\nc\\r"'),
        ("\x00\x1b[31m", '"\\x00\\x1b[31m"'),
        ("\x7f", '"\\x7f"'),
        ("café 日本", '"café 日本"'),
        ("\u200b", '"\\u200b"'),
        ("\u0085", '"\\u0085"'),
        ("\U000e0001", '"\\U000e0001"'),
        ("😀", '"😀"'),
    ],
)
def test_escape_string_literal(value: str, literal: str) -> None:
    assert escape_string(value) == literal


def test_escape_string_never_writes_surrogate_pairs() -> None:
    literal = escape_string("\U0001f600\U000e0001")

    assert "\\ud8" not in literal.lower()
    assert literal == '"😀\\U000e0001"'


def test_escape_string_invalid_utf8_byte_as_hex() -> None:
    value = _selector_value('"\\xff\\xc3"')

    assert escape_string(value) == '"\\xff\\xc3"'


def test_windows_path_matches_exactly() -> None:
    path = "C:\\temp\\new"

    assert _selector_value(escape_string(path)) == path
    assert _selector_value(quote(path)) == path
    assert quote(path) == "`C:\\temp\\new`"


def test_quote_prefers_double_quotes_without_backslash() -> None:
    assert quote("plain") == '"plain"'
    assert quote("tab\there") == '"tab\\there"'


def test_quote_keeps_double_quotes_when_backquote_inside() -> None:
    assert quote("a`b\\c") == '"a`b\\\\c"'


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_escape_string_round_trip(value: str) -> None:
    assert _selector_value(escape_string(value) if value else '"x"') == (value or "x")


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_quote_round_trip(value: str) -> None:
    query = parse('{app="api"} |= ' + quote(value))

    assert isinstance(query, LogQuery)
    assert query.pipeline[0].values == (value,)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "regex"),
    [
        ("api", "api"),
        ("a.b", "a\\.b"),
        ("1+1=2?", "1\\+1=2\\?"),
        ("(x|y)", "\\(x\\|y\\)"),
        ("[a]{b}", "\\[a\\]\\{b\\}"),
        ("^start$", "\\^start\\$"),
        ("C:\\temp", "C:\\\\temp"),
        ("*", "\\*"),
    ],
)
def test_escape_regex(text: str, regex: str) -> None:
    assert escape_regex(text) == regex


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_escape_regex_matches_only_the_text(value: str) -> None:
    pattern = re.compile(escape_regex(value), re.DOTALL)

    assert pattern.fullmatch(value) is not None


@settings(max_examples=200, deadline=None)
@given(st.text(st.characters(exclude_categories=["Cs"]), min_size=1, max_size=30))
def test_escaped_regex_selector_parses_back(value: str) -> None:
    query = parse("{app=~" + escape_string(escape_regex(value)) + "}")

    assert isinstance(query, LogQuery)
    assert query.selector[0].value == escape_regex(value)
