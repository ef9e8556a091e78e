"""Pane buffer fed with column pages: the same rows as when fed with entry lists."""

from __future__ import annotations

import pytest

from tflog_tui.buffer import Level, PaneBuffer
from tflog_tui.loki.models import EMPTY_LABELS, Entry, EntryPage, LabelInterner

INTERNER = LabelInterner()
PLAIN = INTERNER.intern({"service_name": "billing-sync"})
ERRORS = INTERNER.intern({"service_name": "billing-sync", "level": "error"})
DETECTED_WARN = INTERNER.intern({"detected_level": "warn"})
TRACE = INTERNER.intern({"trace_id": "abc"})

LINES = ["level=info msg=ok", "level=debug msg=poll", "ERROR upstream failed", "plain text"]


def mixed_entries(start: int, count: int) -> list[Entry]:
    """Make entries cycling through streams with and without a level label."""
    entries = []
    for index in range(start, start + count):
        line = LINES[index % len(LINES)]
        kind = index % 3
        if kind == 0:
            entries.append(Entry(index, line, PLAIN))
        elif kind == 1:
            entries.append(Entry(index, line, ERRORS))
        else:
            entries.append(Entry(index, line, PLAIN, DETECTED_WARN if index % 2 else TRACE))
    return entries


def rows(buffer: PaneBuffer) -> list[tuple[int, str, Entry, Level]]:
    return [
        (buffer.ts_ns(row), buffer.line(row), buffer.entry(row), buffer.level(row))
        for row in range(len(buffer))
    ]


def test_append_page_stores_what_append_list_stores() -> None:
    by_list = PaneBuffer()
    by_page = PaneBuffer()
    first = mixed_entries(0, 30)
    second = mixed_entries(30, 12)

    by_list.append(first)
    by_list.append(second)
    added = by_page.append(EntryPage.from_entries(first))
    by_page.append(EntryPage.from_entries(second))

    assert added == 30
    assert rows(by_page) == rows(by_list)
    assert by_page.level_counts() == by_list.level_counts()
    assert by_page.stream_count == by_list.stream_count
    assert by_page.level(0) is Level.INFO  # from the line
    assert by_page.level(1) is Level.ERROR  # from the stream's level label
    assert by_page.level(3) is Level.UNKNOWN  # a line naming no level
    assert by_page.level(5) is Level.WARNING  # from detected_level in the metadata


@pytest.mark.parametrize(
    ("labels", "expected"),
    [
        (PLAIN, [Level.INFO, Level.DEBUG, Level.ERROR, Level.UNKNOWN]),
        (ERRORS, [Level.ERROR] * 4),
    ],
)
def test_page_of_one_stream_sets_levels(labels: object, expected: list[Level]) -> None:
    buffer = PaneBuffer()
    page = EntryPage([1, 2, 3, 4], list(LINES), [0] * 4, [(labels, EMPTY_LABELS, EMPTY_LABELS)])  # type: ignore[list-item]

    buffer.append(page)

    assert [buffer.level(row) for row in range(4)] == expected


def test_prepend_page_drops_what_does_not_fit() -> None:
    by_list = PaneBuffer(capacity=25)
    by_page = PaneBuffer(capacity=25)
    newest_first = mixed_entries(100, 20)[::-1]
    older_first = mixed_entries(70, 30)[::-1]

    by_list.prepend(newest_first)
    by_list.prepend(older_first)
    by_page.prepend(EntryPage.from_entries(newest_first))
    stored = by_page.prepend(EntryPage.from_entries(older_first))

    assert stored == 5
    assert by_page.dropped == by_list.dropped == 25
    assert rows(by_page) == rows(by_list)
    assert by_page.ts_ns(0) == 95
    assert by_page.first_row_id == by_list.first_row_id


def test_append_page_evicts_the_oldest_rows() -> None:
    buffer = PaneBuffer(capacity=10)

    buffer.append(EntryPage.from_entries(mixed_entries(0, 8)))
    buffer.append(EntryPage.from_entries(mixed_entries(8, 8)))

    assert len(buffer) == 10
    assert buffer.evicted == 6
    assert buffer.ts_ns(0) == 6
    assert sum(buffer.level_counts().values()) == 10


def test_timestamp_outside_int64_leaves_the_buffer_unchanged() -> None:
    buffer = PaneBuffer()
    buffer.append(EntryPage.from_entries(mixed_entries(0, 3)))
    version = buffer.version
    page = EntryPage.from_entries([Entry(5, "a", PLAIN), Entry(2**63, "b", PLAIN)])

    with pytest.raises(OverflowError):
        buffer.append(page)

    assert len(buffer) == 3
    assert buffer.version == version
    assert buffer.level_counts() == counts_of(mixed_entries(0, 3))


def counts_of(entries: list[Entry]) -> dict[Level, int]:
    buffer = PaneBuffer()
    buffer.append(entries)
    return buffer.level_counts()
