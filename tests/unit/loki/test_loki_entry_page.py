"""Pages of entries stored as columns, and the bulk conversion of their timestamps."""

from __future__ import annotations

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tflog_tui.loki.decode import (
    DecodeError,
    decode_query_page,
    decode_query_streams,
    parse_timestamps,
)
from tflog_tui.loki.models import EMPTY_LABELS, Entry, EntryPage, LabelInterner, Labels
from tflog_tui.loki.paging import PageCursor, sort_page

A = Labels({"app": "a"})
B = Labels({"app": "b"})
TRACE = Labels({"trace_id": "abc"})


def streams_body(*streams: tuple[dict[str, str], list[list[object]]]) -> bytes:
    result = [{"stream": labels, "values": values} for labels, values in streams]
    return orjson.dumps(
        {"status": "success", "data": {"resultType": "streams", "result": result, "stats": {}}}
    )


def int_outcome(texts: list[object]) -> tuple[str, object]:
    """Return what `int()` on each text gives: ("ok", values) or ("error", type and message)."""
    try:
        return ("ok", [int(text) for text in texts])  # type: ignore[call-overload]
    except (TypeError, ValueError) as error:
        return ("error", (type(error), str(error)))


def bulk_outcome(texts: list[object]) -> tuple[str, object]:
    try:
        return ("ok", parse_timestamps(texts))
    except (TypeError, ValueError) as error:
        return ("error", (type(error), str(error)))


# Bulk timestamp conversion


def test_timestamps_exact_at_the_int64_edge() -> None:
    texts = [str(2**63 - 1), "1000000000000000000", "9999999999999999999", "0", "1"]

    values = parse_timestamps(texts)

    assert values == [2**63 - 1, 10**18, 9_999_999_999_999_999_999, 0, 1]
    assert all(type(value) is int for value in values)


def test_timestamps_beyond_64_bits_stay_exact() -> None:
    # orjson reads these as floats; the conversion falls back to int().
    texts = ["18446744073709551616", "1796385600000000001"]

    assert parse_timestamps(texts) == [2**64, 1_796_385_600_000_000_001]


@pytest.mark.parametrize(
    ("texts", "expected"),
    [
        (["007", "12"], [7, 12]),
        ([" 12", "13 "], [12, 13]),
        (["+5", "6"], [5, 6]),
        (["1_000", "2"], [1000, 2]),
        (["-3", "4"], [-3, 4]),
        ([5, "6"], [5, 6]),
    ],
)
def test_timestamps_int_accepts_json_does_not(texts: list[object], expected: list[int]) -> None:
    assert parse_timestamps(texts) == expected


@pytest.mark.parametrize(
    "texts",
    [
        ["1e3"],
        ["1.5"],
        ["true"],
        ["null"],
        ["abc"],
        ["1,2"],
        ["[1]"],
        [""],
        ["12", "1796385600000000000x"],
        [None],
    ],
)
def test_malformed_timestamps_raise_like_int(texts: list[object]) -> None:
    assert bulk_outcome(texts) == int_outcome(texts)
    assert bulk_outcome(texts)[0] == "error"


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.integers(min_value=-(2**70), max_value=2**70).map(str),
            st.text(alphabet='0123456789 ,.-+_e[]"tn', max_size=22),
        ),
        max_size=8,
    )
)
def test_timestamps_match_int_on_any_text(texts: list[object]) -> None:
    assert bulk_outcome(texts) == int_outcome(texts)


def test_malformed_timestamp_raises_the_decode_error() -> None:
    body = streams_body(({"app": "a"}, [["1700000000000000001", "one"], ["17x", "two"]]))

    with pytest.raises(DecodeError) as caught:
        decode_query_page(body, LabelInterner())

    assert str(caught.value) == (
        "unexpected shape of a streams result "
        "(ValueError(\"invalid literal for int() with base 10: '17x'\"))"
    )


# Decoding into a page


def test_page_decodes_like_entries() -> None:
    body = streams_body(
        ({"app": "a"}, [["1700000000000000001", "one"], ["1700000000000000002", "two"]]),
        ({"app": "b"}, [["1700000000000000003", "three"]]),
        ({"app": "c"}, []),
    )

    page = decode_query_page(body, LabelInterner())

    assert page.ts_ns == [1700000000000000001, 1700000000000000002, 1700000000000000003]
    assert page.lines == ["one", "two", "three"]
    assert page.stream_ids == [0, 0, 1]
    assert page.streams == [(A, EMPTY_LABELS, EMPTY_LABELS), (B, EMPTY_LABELS, EMPTY_LABELS)]
    assert list(page) == decode_query_streams(body, LabelInterner())


def test_page_keeps_categorized_labels_per_entry() -> None:
    categories = {"structuredMetadata": {"trace_id": "abc"}, "parsed": {"status": "500"}}
    body = streams_body(
        ({"app": "a"}, [["5", "with", categories], ["6", "plain", {}], ["7", "again", categories]])
    )

    page = decode_query_page(body, LabelInterner())

    assert len(page.streams) == 2
    assert page.stream_ids == [0, 1, 0]
    assert page[0].metadata == TRACE
    assert page[0].parsed == {"status": "500"}
    assert page[1].metadata is EMPTY_LABELS
    assert page[2].metadata is page[0].metadata


def test_empty_body_gives_an_empty_page() -> None:
    page = decode_query_page(b'{"status":"success"}', LabelInterner())

    assert len(page) == 0
    assert page == []


def test_values_of_one_element_raise_the_decode_error() -> None:
    body = streams_body(({"app": "a"}, [["5"]]))

    with pytest.raises(DecodeError, match="unexpected shape"):
        decode_query_page(body, LabelInterner())


# The page as a sequence of entries


def sample_page() -> EntryPage:
    return EntryPage(
        [30, 10, 20, 10],
        ["w", "x", "y", "z"],
        [0, 1, 0, 1],
        [(A, EMPTY_LABELS, EMPTY_LABELS), (B, TRACE, EMPTY_LABELS)],
    )


def test_page_builds_entries_on_access() -> None:
    page = sample_page()

    assert len(page) == 4
    assert page[1] == Entry(10, "x", B, TRACE)
    assert page[-1] == Entry(10, "z", B, TRACE)
    assert page.labels_at(2) is A
    assert page.key_at(3) == (10, B, "z")
    assert page.key_at(3) == page[3].key
    assert [entry.line for entry in page] == ["w", "x", "y", "z"]
    with pytest.raises(IndexError):
        page[4]


def test_slice_is_a_page_sharing_the_stream_table() -> None:
    page = sample_page()

    part = page[1:3]

    assert isinstance(part, EntryPage)
    assert part.streams is page.streams
    assert list(part) == [Entry(10, "x", B, TRACE), Entry(20, "y", A)]


def test_from_entries_round_trips() -> None:
    entries = [Entry(1, "a", A), Entry(2, "b", B, TRACE), Entry(3, "c", A)]

    page = EntryPage.from_entries(entries)

    assert page.stream_ids == [0, 1, 0]
    assert list(page) == entries
    assert page == entries
    assert entries == page
    assert EntryPage.from_entries(page) is page


def test_concatenation_renumbers_streams() -> None:
    page = sample_page()

    extra = [Entry(40, "extra", A)]

    joined = page + extra

    assert len(joined) == 5
    assert list(joined)[:4] == list(page)
    assert joined[4] == Entry(40, "extra", A)


def test_columns_of_different_lengths_are_refused() -> None:
    with pytest.raises(ValueError, match="differ in length"):
        EntryPage([1, 2], ["a"], [0, 0], [(A, EMPTY_LABELS, EMPTY_LABELS)])


@pytest.mark.parametrize("direction", ["forward", "backward"])
def test_sort_matches_a_stable_list_sort(direction: str) -> None:
    page = sample_page()
    entries = list(page)

    sorted_page = sort_page(page, direction)  # type: ignore[arg-type]
    sort_page(entries, direction)  # type: ignore[arg-type]

    assert list(sorted_page) == entries
    # Ties keep Loki's order: x before z at 10 in both directions.
    assert [entry.line for entry in sorted_page if entry.ts_ns == 10] == ["x", "z"]


def test_sort_returns_a_page_already_in_order() -> None:
    page = EntryPage([1, 2, 2, 3], ["a", "b", "c", "d"], [0] * 4, [(A, EMPTY_LABELS, EMPTY_LABELS)])

    assert sort_page(page, "forward") is page


# Paging on columns gives what paging on entry lists gives


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 6), st.sampled_from(["a", "b", "c"]), st.booleans()),
        min_size=1,
        max_size=40,
    ),
    st.integers(1, 7),
    st.sampled_from(["forward", "backward"]),
)
def test_cursor_on_pages_matches_cursor_on_lists(
    rows: list[tuple[int, str, bool]], limit: int, direction: str
) -> None:
    entries = list({(ts, line, b): Entry(ts, line, B if b else A) for ts, line, b in rows}.values())
    entries.sort(key=lambda entry: entry.ts_ns, reverse=direction == "backward")
    by_list = PageCursor(0, 7, direction)  # type: ignore[arg-type]
    by_page = PageCursor(0, 7, direction)  # type: ignore[arg-type]
    got_list: list[Entry] = []
    got_page: list[Entry] = []

    for _ in range(50):
        if by_list.done:
            break
        window = [entry for entry in entries if by_list.start_ns <= entry.ts_ns < by_list.end_ns][
            :limit
        ]
        fresh_list, stuck_list = by_list.accept(list(window), limit)
        fresh_page, stuck_page = by_page.accept(EntryPage.from_entries(window), limit)
        got_list += fresh_list
        got_page += fresh_page

        assert isinstance(fresh_page, EntryPage)
        assert list(fresh_page) == fresh_list
        assert stuck_page == stuck_list
        assert (by_page.start_ns, by_page.end_ns) == (by_list.start_ns, by_list.end_ns)
        assert by_page.seen_at_boundary == by_list.seen_at_boundary
        if stuck_list:
            by_list.skip_timestamp(window[0].ts_ns)
            by_page.skip_timestamp(window[0].ts_ns)

    assert got_page == got_list
    assert by_page.done == by_list.done


def test_cursor_drops_repeats_anywhere_in_the_page() -> None:
    cursor = PageCursor(0, 100, "forward")
    cursor.accept(EntryPage.from_entries([Entry(1, "a", A), Entry(5, "b", A)]), 2)
    # Out of order on purpose: the repeat is not the first entry.
    page = EntryPage.from_entries([Entry(5, "c", B), Entry(5, "b", A), Entry(6, "d", A)])

    fresh, stuck = cursor.accept(page, 3)

    assert [entry.line for entry in fresh] == ["c", "d"]
    assert not stuck
