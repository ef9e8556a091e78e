"""Random text and mutated queries: the parser raises LogQLSyntaxError or returns a tree."""

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from queries import VALID  # the query table next to this file

from tflog_tui.logql import LogQLSyntaxError, parse

# Characters that matter to the lexer, so random text reaches deep into the grammar.
LOGQL_ALPHABET = st.sampled_from(
    list('{}()[]|=!~<>",`\\#-+*/%^.:@ \n\t')
    + list("abcxyz019_µ")
    + ["json", "logfmt", "unwrap", "sum", "rate", "by", "or", "and", "ip", "offset", "5m", "bool"]
)
ANY_TEXT = st.text(max_size=60)
LOGQL_LIKE = st.lists(LOGQL_ALPHABET, max_size=40).map("".join)


def _check(text: str) -> None:
    try:
        expr = parse(text)
    except LogQLSyntaxError as error:
        assert error.line >= 1
        assert error.column >= 1
        assert str(error).startswith("parse error at line ")
        return

    printed = str(expr)
    assert parse(printed) == expr


@settings(max_examples=300, deadline=None)
@given(ANY_TEXT)
def test_random_text(text: str) -> None:
    _check(text)


@settings(max_examples=400, deadline=None)
@given(LOGQL_LIKE)
def test_random_logql_tokens(text: str) -> None:
    _check(text)


@st.composite
def mutated_queries(draw: st.DrawFn) -> str:
    text = draw(st.sampled_from(VALID))
    for _ in range(draw(st.integers(1, 3))):
        position = draw(st.integers(0, len(text)))
        action = draw(st.sampled_from(["delete", "insert", "replace", "cut"]))
        if action == "delete":
            text = text[:position] + text[position + 1 :]
        elif action == "insert":
            text = text[:position] + draw(LOGQL_ALPHABET) + text[position:]
        elif action == "replace":
            text = text[:position] + draw(LOGQL_ALPHABET) + text[position + 1 :]
        else:
            text = text[:position]
    return text


@settings(max_examples=600, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated_queries())
def test_mutated_valid_queries(text: str) -> None:
    _check(text)
