"""Row views: level filters and searches as row id arrays, built in chunks."""

from __future__ import annotations

import pytest

from tflog_tui.buffer import Level, LineMatcher, PaneBuffer, RowView, SearchPatternError
from tflog_tui.loki.models import Entry, Labels

WORKER = Labels({"service_name": "worker"})

LINES = [
    "INFO started worker",  # 0
    "WARN slow upstream",  # 1
    "ERROR charge failed for Customer 17",  # 2
    "INFO charge ok",  # 3
    "DEBUG cache miss",  # 4
    "ERROR upstream timeout",  # 5
    "CRITICAL disk full",  # 6
    "INFO CHARGE retried",  # 7
]


def _buffer(lines: list[str] = LINES, capacity: int = 1_000_000) -> PaneBuffer:
    buffer = PaneBuffer(capacity=capacity)
    buffer.append([Entry(ts, line, WORKER) for ts, line in enumerate(lines)])
    return buffer


def _rows(view: RowView) -> list[int]:
    return [view.row(index) for index in range(len(view))]


def test_unfiltered_view_is_identity() -> None:
    buffer = _buffer()
    view = RowView(buffer)

    assert not view.filtered
    assert len(view) == len(LINES)
    assert view.row(3) == 3
    assert view.pending_rows == 0
    assert view.index_of(5) == 5
    with pytest.raises(IndexError):
        view.row(len(LINES))


def test_level_filter() -> None:
    view = RowView(_buffer())

    view.set_levels({Level.ERROR, Level.CRITICAL})
    assert view.pending_rows == len(LINES)
    view.refresh()

    assert view.pending_rows == 0
    assert _rows(view) == [2, 5, 6]
    assert view.row_id(0) == 2


def test_level_filter_empty_set_shows_nothing() -> None:
    view = RowView(_buffer())

    view.set_levels(set())
    view.refresh()

    assert len(view) == 0
    assert view.find_next(-1) is None


def test_search_plain_ignore_case() -> None:
    view = RowView(_buffer())

    view.set_search("charge")
    view.refresh()

    assert _rows(view) == [2, 3, 7]


def test_search_plain_case_sensitive() -> None:
    view = RowView(_buffer())

    view.set_search("charge", case_sensitive=True)
    view.refresh()

    assert _rows(view) == [2, 3]


def test_search_regex_and_case_toggle() -> None:
    view = RowView(_buffer())

    view.set_search(r"c\w+ (ok|retried)", regex=True)
    view.refresh()
    assert _rows(view) == [3, 7]

    view.set_search(r"c\w+ (ok|retried)", regex=True, case_sensitive=True)
    view.refresh()
    assert _rows(view) == [3]

    view.set_search(r"Customer \d+", regex=True)
    view.refresh()
    assert _rows(view) == [2]


def test_search_plain_treats_regex_characters_literally() -> None:
    buffer = _buffer(["a.b", "axb", "(x)", "x"])
    view = RowView(buffer)

    view.set_search("a.b")
    view.refresh()
    assert _rows(view) == [0]

    view.set_search("(x)")
    view.refresh()
    assert _rows(view) == [2]


def test_search_with_level_filter() -> None:
    view = RowView(_buffer(), levels={Level.INFO})

    view.set_search("charge")
    view.refresh()

    assert _rows(view) == [3, 7]


def test_invalid_regex_raises_and_keeps_view() -> None:
    view = RowView(_buffer())
    view.set_search("charge")
    view.refresh()

    with pytest.raises(SearchPatternError, match=r"invalid regular expression '\(unclosed'"):
        view.set_search("(unclosed", regex=True)

    assert view.search == LineMatcher("charge")
    assert _rows(view) == [2, 3, 7]


def test_clearing_search_shows_all() -> None:
    view = RowView(_buffer())
    view.set_search("charge")
    view.refresh()

    view.set_search(None)

    assert not view.filtered
    assert len(view) == len(LINES)


def test_view_extends_on_append_and_prepend() -> None:
    buffer = _buffer()
    view = RowView(buffer, levels={Level.ERROR})
    view.refresh()
    assert _rows(view) == [2, 5]

    buffer.append([Entry(100, "ERROR new at bottom", WORKER), Entry(101, "INFO x", WORKER)])
    buffer.prepend([Entry(-1, "INFO y", WORKER), Entry(-2, "ERROR old at top", WORKER)])
    added = view.refresh()

    assert added == 2
    assert [buffer.line(row) for row in _rows(view)] == [
        "ERROR old at top",
        "ERROR charge failed for Customer 17",
        "ERROR upstream timeout",
        "ERROR new at bottom",
    ]


def test_view_drops_evicted_rows() -> None:
    buffer = _buffer(capacity=8)
    view = RowView(buffer, levels={Level.ERROR, Level.CRITICAL})
    view.refresh()
    kept_id = view.row_id(1)

    buffer.append([Entry(100 + index, "INFO filler", WORKER) for index in range(4)])
    buffer.append([Entry(200, "ERROR late", WORKER)])
    view.refresh()

    assert [buffer.line(row) for row in _rows(view)] == [
        "ERROR upstream timeout",
        "CRITICAL disk full",
        "ERROR late",
    ]
    assert view.row_id(0) == kept_id


def test_row_of_evicted_position_raises_before_refresh() -> None:
    buffer = _buffer(capacity=8)
    view = RowView(buffer, levels={Level.ERROR})
    view.refresh()

    buffer.append([Entry(100 + index, "INFO filler", WORKER) for index in range(4)])

    with pytest.raises(IndexError, match="evicted"):
        view.row(0)


def test_clear_restarts_view() -> None:
    buffer = _buffer()
    view = RowView(buffer, levels={Level.ERROR})
    view.refresh()

    buffer.clear()
    buffer.prepend([Entry(1, "ERROR after clear", WORKER)])
    view.refresh()

    assert [buffer.line(row) for row in _rows(view)] == ["ERROR after clear"]


def test_refresh_in_bounded_chunks() -> None:
    lines = [f"{'ERROR' if index % 3 == 0 else 'INFO'} {index}" for index in range(1000)]
    buffer = _buffer(lines)
    view = RowView(buffer, levels={Level.ERROR})

    view.refresh(max_rows=400)
    assert len(view) == 134
    assert view.pending_rows == 600

    view.refresh(max_rows=400)
    view.refresh(max_rows=400)
    assert view.pending_rows == 0
    assert len(view) == 334
    assert _rows(view) == list(range(0, 1000, 3))


def test_rebuild_steps_report_progress() -> None:
    lines = [f"INFO {index}" for index in range(1000)]
    buffer = _buffer(lines)
    view = RowView(buffer)
    view.set_search("9")

    progress = list(view.rebuild_steps(chunk_rows=256))

    assert progress == [0.256, 0.512, 0.768, 1.0]
    assert len(view) == sum("9" in line for line in lines)


def test_rebuild_picks_up_entries_arriving_during_scan() -> None:
    buffer = _buffer([f"ERROR {index}" for index in range(500)])
    view = RowView(buffer)
    view.set_levels({Level.ERROR})

    steps = view.rebuild_steps(chunk_rows=200)
    next(steps)
    buffer.append([Entry(1000, "ERROR during", WORKER)])
    buffer.prepend([Entry(-1, "ERROR before", WORKER)])
    for _ in steps:
        pass

    assert len(view) == 502
    assert buffer.line(view.row(0)) == "ERROR before"
    assert buffer.line(view.row(501)) == "ERROR during"


def test_index_of_nearest() -> None:
    view = RowView(_buffer(), levels={Level.ERROR})
    view.refresh()

    assert view.index_of(5) == 1
    assert view.index_of(4) is None
    assert view.index_of(4, nearest=True) == 1
    assert view.index_of(7, nearest=True) == 1
    assert view.index_of(0, nearest=True) == 0


def test_find_next_levels_in_unfiltered_view() -> None:
    view = RowView(_buffer())
    errors = {Level.ERROR, Level.CRITICAL}

    assert view.find_next(-1, errors) == 2
    assert view.find_next(2, errors) == 5
    assert view.find_next(5, errors) == 6
    assert view.find_next(6, errors) is None
    assert view.find_next(8, errors, forward=False) == 6
    assert view.find_next(2, errors, forward=False) is None
    assert view.find_next(3, {Level.WARNING}, forward=False) == 1
    assert view.find_next(3) == 4
    assert view.find_next(3, forward=False) == 2
    assert view.find_next(7) is None


def test_find_next_respects_level_filter() -> None:
    view = RowView(_buffer(), levels={Level.INFO, Level.ERROR})
    view.refresh()

    assert view.find_next(-1) == 0
    assert view.find_next(0) == 2
    assert view.find_next(5, {Level.CRITICAL, Level.ERROR}) is None
    assert view.find_next(8, {Level.CRITICAL, Level.ERROR}, forward=False) == 5


def test_find_next_search_match_both_directions() -> None:
    view = RowView(_buffer())
    view.set_search("charge")
    view.refresh()

    assert view.find_next(-1) == 2
    assert view.find_next(2) == 3
    assert view.find_next(3) == 7
    assert view.find_next(7) is None
    assert view.find_next(8, forward=False) == 7
    assert view.find_next(3, forward=False) == 2
    assert view.find_next(2, forward=False) is None
    assert view.find_next(-1, {Level.ERROR}) == 2
    assert view.find_next(2, {Level.ERROR}) is None
    assert view.find_next(8, {Level.INFO}, forward=False) == 7


def test_matcher_spans_for_highlight() -> None:
    matcher = LineMatcher("charge")

    assert matcher.spans("Charge then charge") == [(0, 6), (12, 18)]
    assert LineMatcher("x*", regex=True).spans("abxxc") == [(2, 4)]


@pytest.mark.parametrize(
    ("pattern", "line", "expected"),
    [
        ("needle", "a NEEDLE here", True),
        ("Needle", "a needle here", True),
        (r"[a-z]+\d", "ABC1", True),
        (r"\S+X", "abx", True),
        (r"[!-@]", "a", False),
        (r"[0-Z]", "a", True),
        (r"[0-Z]", "_", False),
        (r"\x41", "a", True),
        (r"(?-i:abc)", "ABC", False),
        ("straße", "STRASSE", False),
        ("é", "É", True),
    ],
)
def test_ignore_case_regex_agrees_with_re(pattern: str, line: str, expected: bool) -> None:
    matcher = LineMatcher(pattern, regex=True)

    assert matcher.matches(line) is expected
    assert matcher.flags([line, "~~~"]) == [expected, False]


def test_plain_ignore_case_uses_casefold() -> None:
    matcher = LineMatcher("STRASSE")

    assert matcher.matches("die straße")
    assert matcher.flags(["die straße", "x"]) == [True, False]


def test_level_filter_over_many_rows(many_rows: PaneBuffer) -> None:
    view = RowView(many_rows)
    rows = len(many_rows)

    view.set_levels({Level.ERROR, Level.CRITICAL})
    view.refresh()
    errors = [view.row(index) for index in range(len(view))]
    view.set_levels({Level.INFO, Level.WARNING})
    view.refresh()
    others = len(view)
    view.set_levels({Level.ERROR})
    view.refresh()

    # Every 50th row is at ERROR, the rest at INFO.
    assert rows >= 100_000
    assert errors == list(range(0, rows, 50))
    assert others == rows - rows // 50
    assert len(view) == rows // 50


def test_search_over_many_rows(many_rows: PaneBuffer) -> None:
    view = RowView(many_rows)
    rows = len(many_rows)

    view.set_search(r"charge\s+f\w+", regex=True)
    view.refresh()

    # Row i ends with WORDS[i % 8] then WORDS[i % 7], so "charge failed"
    # needs i % 8 == 2 and i % 7 == 3: one row in 56.
    expected = [i for i in range(rows) if i % 8 == 2 and i % 7 == 3]
    assert len(view) == len(expected)
    assert [view.row(index) for index in range(len(view))] == expected
