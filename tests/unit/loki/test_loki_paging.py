"""Page boundaries, range splitting and line partitions as plain data."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from tflog_tui.loki.models import Entry, Labels
from tflog_tui.loki.paging import (
    MAX_CODE_POINT,
    ROOT_PARTITIONS,
    LinePartition,
    PageCursor,
    parse_max_entries_limit,
    parse_max_query_length,
    split_range,
)

A = Labels({"app": "a"})
B = Labels({"app": "b"})


def test_max_entries_error_both_wordings() -> None:
    loki_28 = "max entries limit per query exceeded, limit > max_entries_limit (6000 > 5000)"
    loki_3 = (
        "max entries limit per query exceeded, limit > max_entries_limit_per_query (6000 > 5000)"
    )

    assert parse_max_entries_limit(loki_28) == 5000
    assert parse_max_entries_limit(loki_3) == 5000
    assert parse_max_entries_limit("parse error at line 1, col 2: (3 > 2)") is None


def test_forward_cursor_keeps_boundary_keys() -> None:
    cursor = PageCursor(0, 100, "forward")
    page = [Entry(1, "x", A), Entry(2, "y", A), Entry(2, "y", B)]

    fresh, stuck = cursor.accept(page, 3)

    assert fresh == page
    assert stuck is False
    assert cursor.start_ns == 2
    assert cursor.seen_at_boundary == {(2, A, "y"), (2, B, "y")}

    second = [Entry(2, "y", B), Entry(2, "y", A), Entry(2, "z", A)]
    fresh, stuck = cursor.accept(second, 3)

    assert fresh == [Entry(2, "z", A)]
    assert stuck is True


def test_backward_cursor_moves_end() -> None:
    cursor = PageCursor(0, 100, "backward")

    fresh, _ = cursor.accept([Entry(9, "a", A), Entry(7, "b", A)], 2)

    assert cursor.end_ns == 8
    assert len(fresh) == 2
    fresh, _ = cursor.accept([Entry(7, "b", A), Entry(3, "c", A)], 2)
    assert fresh == [Entry(3, "c", A)]
    assert cursor.end_ns == 4


def test_short_page_ends() -> None:
    cursor = PageCursor(0, 100, "forward")

    cursor.accept([Entry(1, "x", A)], 5)

    assert cursor.done is True


def test_skip_timestamp() -> None:
    forward = PageCursor(0, 100, "forward")
    backward = PageCursor(0, 100, "backward")

    forward.skip_timestamp(40)
    backward.skip_timestamp(40)

    assert forward.start_ns == 41
    assert backward.end_ns == 40
    assert forward.seen_at_boundary == set()


def test_split_range_adjacent_windows() -> None:
    assert split_range(0, 25, 10, "forward") == [(0, 10), (10, 20), (20, 25)]
    assert split_range(0, 25, 10, "backward") == [(20, 25), (10, 20), (0, 10)]
    assert split_range(5, 5, 10, "forward") == []


def as_python_regex(line_filter: str) -> list[tuple[bool, str]]:
    """Turn the generated LogQL line filters into (keep, pattern) pairs for `re`."""
    return [
        (operator == "|~", pattern)
        for operator, pattern in re.findall(r"(\|~|!~) `([^`]*)`", line_filter)
    ]


def filter_matches(partition: LinePartition, line: str) -> bool:
    return all(
        bool(re.search(pattern, line, re.DOTALL)) == keep
        for keep, pattern in as_python_regex(partition.line_filter())
    )


lines_strategy = st.lists(
    st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=6),
    min_size=1,
    max_size=30,
)


@settings(max_examples=30, deadline=None)
@given(lines_strategy)
def test_partitions_cover_once(lines: list[str]) -> None:
    parents = list(ROOT_PARTITIONS)
    for _ in range(3):
        children = []
        for parent in parents:
            inside = [line for line in lines if parent.contains(line)]
            children.extend(parent.split(inside) or [parent])
        parents = children

    for line in lines:
        owners = [part for part in parents if part.contains(line)]
        assert len(owners) == 1, line
        assert filter_matches(owners[0], line), (line, owners[0].line_filter())
        others = [part for part in parents if part is not owners[0]]
        assert not any(filter_matches(part, line) for part in others), line


def test_line_filter_text() -> None:
    partition = LinePartition("a.b", ord("0"), ord("9"))

    assert partition.line_filter() == "|~ `^a\\x2eb[0-9]`"
    assert LinePartition("", exact=True).line_filter() == f"!~ `^[\\x00-{chr(MAX_CODE_POINT)}]`"


def test_shared_prefix_split() -> None:
    parent = LinePartition("")

    parts = parent.split(["request 1 ok", "request 22 ok", "request 3"])

    assert parts == [
        LinePartition("", excluded=("request ",)),
        LinePartition("request ", exact=True),
        LinePartition("request "),
    ]
    assert parts[0].line_filter().endswith("!~ `^request\\x20`")
    assert not parts[0].contains("request 4")
    assert parts[0].contains("response")


prefixed_lines = st.lists(
    st.tuples(st.sampled_from(["", "ab", "abc", "abd", "x"]), st.text("abcd", max_size=3)).map(
        "".join
    ),
    min_size=1,
    max_size=30,
)


@settings(max_examples=30, deadline=None)
@given(prefixed_lines)
def test_prefix_partitions_cover_once(lines: list[str]) -> None:
    parents = list(ROOT_PARTITIONS)
    for _ in range(3):
        children = []
        for parent in parents:
            inside = [line for line in lines if parent.contains(line)]
            children.extend(parent.split(inside) or [parent])
        parents = children

    for line in lines:
        owners = [part for part in parents if part.contains(line)]
        assert len(owners) == 1, line
        matching = [part for part in parents if filter_matches(part, line)]
        assert matching == owners, line


def test_query_length_error_parsed() -> None:
    text = "the query time range exceeds the limit (query length: 744h0m0s, limit: 721h0m0s)"

    assert parse_max_query_length(text) == 721 * 3600 * 10**9
    assert parse_max_query_length("limit: 5h") is None
