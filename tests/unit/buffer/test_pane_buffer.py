"""Pane buffer: columnar storage, row ids, eviction, level counts and level search."""

from __future__ import annotations

import gc
import sys
import tracemalloc

import pytest

from tflog_tui.buffer import Level, PaneBuffer
from tflog_tui.loki.models import Entry, LabelInterner, Labels

INTERNER = LabelInterner()
BILLING = INTERNER.intern({"service_name": "billing-sync", "task_id": "7f3a9c2e"})
WORKER = INTERNER.intern({"service_name": "worker"})


def _entries(start: int, stop: int, labels: Labels = BILLING) -> list[Entry]:
    """Make entries with timestamps start..stop-1; every 10th is an error."""
    return [
        Entry(ts, f"{'ERROR' if ts % 10 == 0 else 'INFO'} line {ts}", labels)
        for ts in range(start, stop)
    ]


def _timestamps(buffer: PaneBuffer) -> list[int]:
    return [buffer.ts_ns(row) for row in range(len(buffer))]


def test_append_keeps_order() -> None:
    buffer = PaneBuffer()

    added = buffer.append(_entries(0, 5))
    buffer.append(_entries(5, 8))

    assert added == 5
    assert len(buffer) == 8
    assert _timestamps(buffer) == list(range(8))
    assert buffer.line(3) == "INFO line 3"
    assert buffer.labels(3) is BILLING


def test_prepend_newest_first() -> None:
    buffer = PaneBuffer()
    buffer.append(_entries(10, 13))

    stored = buffer.prepend(list(reversed(_entries(5, 10))))
    buffer.prepend(iter(reversed(_entries(0, 5))))

    assert stored == 5
    assert _timestamps(buffer) == list(range(13))
    assert buffer.line(0) == "ERROR line 0"
    assert buffer.line(12) == "INFO line 12"


def test_row_ids_survive_prepend() -> None:
    buffer = PaneBuffer()
    buffer.append(_entries(10, 13))
    row_id = buffer.row_id(1)

    buffer.prepend(list(reversed(_entries(0, 10))))

    assert buffer.first_row_id == -10
    assert buffer.row_of(row_id) == 11
    assert buffer.ts_ns(buffer.row_of(row_id) or 0) == 11
    assert buffer.end_row_id == 3


def test_entry_rebuilt() -> None:
    buffer = PaneBuffer()
    metadata = Labels({"trace_id": "abc"})
    parsed = Labels({"level": "warn"})
    buffer.append([Entry(7, "text", WORKER, metadata, parsed)])

    entry = buffer.entry(0)

    assert entry == Entry(7, "text", WORKER, metadata, parsed)
    assert buffer.metadata(0) == metadata
    assert buffer.parsed(0) == parsed
    assert buffer.level(0) is Level.WARNING


def test_streams_interned() -> None:
    buffer = PaneBuffer()
    copy = Labels({"service_name": "worker"})

    buffer.append(_entries(0, 3, WORKER) + _entries(3, 6, copy) + _entries(6, 9, BILLING))

    assert buffer.stream_count == 2
    assert buffer.labels(4) is buffer.labels(0)
    assert buffer.stream(4) == buffer.stream(0)
    assert buffer.stream(7) != buffer.stream(0)


def test_metadata_part_of_stream_key() -> None:
    buffer = PaneBuffer()
    first = Labels({"trace_id": "a"})
    second = Labels({"trace_id": "b"})

    buffer.append([Entry(1, "x", WORKER, first), Entry(2, "y", WORKER, second)])

    assert buffer.stream_count == 2
    assert buffer.metadata(0) == first
    assert buffer.metadata(1) == second


def test_stream_table_collected_after_eviction() -> None:
    buffer = PaneBuffer(capacity=1000)
    level = Labels({"service_name": "worker", "level": "warn"})

    # Every entry has its own parsed labels, as `| json` output does.
    for start in range(0, 20_000, 500):
        buffer.append(
            Entry(ts, f"line {ts}", level, parsed=Labels({"msg": f"m{ts}"}))
            for ts in range(start, start + 500)
        )

    assert len(buffer) == 1000
    assert buffer.stream_count < 4096 + 500
    assert buffer.parsed(0) == Labels({"msg": "m19000"})
    assert buffer.parsed(999) == Labels({"msg": "m19999"})
    assert buffer.entry(500).labels is buffer.labels(0)
    assert buffer.level(999) is Level.WARNING
    assert {buffer.stream_key(stream)[2]["msg"] for stream in range(buffer.stream_count)} >= {
        f"m{ts}" for ts in range(19_000, 20_000)
    }


def test_stream_ids_stay_consistent_after_collection() -> None:
    buffer = PaneBuffer(capacity=5000)
    buffer.append(_entries(0, 10, WORKER))
    buffer.prepend([Entry(-1, "INFO older", BILLING)])

    for start in range(10, 12_000, 1000):
        buffer.append(
            Entry(ts, f"INFO {ts}", WORKER, Labels({"trace_id": str(ts)}))
            for ts in range(start, start + 1000)
        )

    for row in range(0, len(buffer), 97):
        entry = buffer.entry(row)
        assert entry.labels == WORKER
        assert entry.metadata["trace_id"] == str(entry.ts_ns)


def test_out_of_range_rows() -> None:
    buffer = PaneBuffer()
    buffer.append(_entries(0, 2))

    for row in (-1, 2):
        with pytest.raises(IndexError):
            buffer.line(row)
        with pytest.raises(IndexError):
            buffer.ts_ns(row)

    assert buffer.row_of(buffer.end_row_id) is None


def test_capacity_must_be_positive() -> None:
    with pytest.raises(ValueError, match="capacity"):
        PaneBuffer(capacity=0)


def test_append_evicts_oldest() -> None:
    buffer = PaneBuffer(capacity=10)
    buffer.append(_entries(0, 8))
    row_id_of_ts_5 = buffer.row_id(5)

    buffer.append(_entries(8, 15))

    assert len(buffer) == 10
    assert buffer.evicted == 5
    assert buffer.first_row_id == 5
    assert _timestamps(buffer) == list(range(5, 15))
    assert buffer.row_of(row_id_of_ts_5) == 0
    assert buffer.row_of(row_id_of_ts_5 - 1) is None


def test_evicts_prepended_rows_first() -> None:
    buffer = PaneBuffer(capacity=10)
    buffer.append(_entries(5, 10))
    buffer.prepend(list(reversed(_entries(0, 5))))

    buffer.append(_entries(10, 13))

    assert _timestamps(buffer) == list(range(3, 13))
    assert buffer.evicted == 3
    assert buffer.first_row_id == -2

    buffer.append(_entries(13, 20))

    assert _timestamps(buffer) == list(range(10, 20))
    assert buffer.evicted == 10


def test_append_batch_larger_than_capacity() -> None:
    buffer = PaneBuffer(capacity=4)

    buffer.append(_entries(0, 10))

    assert _timestamps(buffer) == [6, 7, 8, 9]
    assert buffer.evicted == 6
    assert buffer.level_counts()[Level.ERROR] == 0
    assert buffer.level_counts()[Level.INFO] == 4


def test_prepend_into_full_buffer_drops() -> None:
    buffer = PaneBuffer(capacity=5)
    buffer.append(_entries(10, 13))

    stored = buffer.prepend(list(reversed(_entries(0, 10))))

    assert stored == 2
    assert buffer.dropped == 8
    assert buffer.evicted == 0
    assert _timestamps(buffer) == [8, 9, 10, 11, 12]


def test_eviction_compacts_in_chunks() -> None:
    buffer = PaneBuffer(capacity=1000)

    for start in range(0, 300_000, 1000):
        buffer.append(_entries(start, start + 1000))

    assert len(buffer) == 1000
    assert buffer.evicted == 299_000
    assert _timestamps(buffer)[:3] == [299_000, 299_001, 299_002]
    assert buffer.line(999) == "INFO line 299999"
    assert buffer.level_counts()[Level.ERROR] == 100


def test_level_counts_incremental() -> None:
    buffer = PaneBuffer(capacity=20)
    buffer.append(_entries(0, 10))
    buffer.prepend(list(reversed(_entries(-10, 0))))

    counts = buffer.level_counts()

    assert counts[Level.ERROR] == 2
    assert counts[Level.INFO] == 18
    assert counts[Level.UNKNOWN] == 0
    assert sum(counts.values()) == len(buffer)

    buffer.append(_entries(10, 25))

    counts = buffer.level_counts()
    assert counts[Level.ERROR] == 2
    assert counts[Level.INFO] == 18
    assert sum(counts.values()) == 20


def test_level_from_stream_label_skips_line() -> None:
    buffer = PaneBuffer()
    labels = Labels({"service_name": "x", "level": "debug"})

    buffer.append([Entry(1, "ERROR in the text", labels)])

    assert buffer.level(0) is Level.DEBUG


def test_clear_keeps_ids_increasing() -> None:
    buffer = PaneBuffer()
    buffer.append(_entries(0, 5))
    epoch = buffer.epoch

    buffer.clear()

    assert len(buffer) == 0
    assert buffer.first_row_id == 5
    assert buffer.epoch == epoch + 1
    assert buffer.stream_count == 0
    assert sum(buffer.level_counts().values()) == 0

    buffer.append(_entries(5, 6))
    assert buffer.row_id(0) == 5


def test_ranges_ascending_across_halves() -> None:
    buffer = PaneBuffer()
    buffer.append(_entries(5, 10))
    buffer.prepend(list(reversed(_entries(0, 5))))

    assert buffer.lines_range(3, 7) == ["INFO line 3", "INFO line 4", "INFO line 5", "INFO line 6"]
    assert list(buffer.ts_range(0, 10)) == list(range(10))
    assert buffer.levels_range(0, 3) == bytes([Level.ERROR, Level.INFO, Level.INFO])
    assert buffer.lines_range(8, 100) == ["INFO line 8", "INFO line 9"]
    assert buffer.lines_range(4, 2) == []


@pytest.mark.parametrize("prepended", [0, 25, 50])
def test_find_level_both_directions(prepended: int) -> None:
    buffer = PaneBuffer()
    buffer.append(_entries(prepended, 50))
    buffer.prepend(list(reversed(_entries(0, prepended))))
    errors = [0, 10, 20, 30, 40]

    assert buffer.find_level(-1, [Level.ERROR]) == 0
    assert buffer.find_level(0, [Level.ERROR]) == 10
    assert buffer.find_level(24, [Level.ERROR]) == 30
    assert buffer.find_level(40, [Level.ERROR]) is None
    assert buffer.find_level(50, [Level.ERROR], forward=False) == 40
    assert buffer.find_level(30, [Level.ERROR], forward=False) == 20
    assert buffer.find_level(26, [Level.ERROR], forward=False) == 20
    assert buffer.find_level(0, [Level.ERROR], forward=False) is None
    assert buffer.find_level(-1, [Level.CRITICAL]) is None
    assert buffer.find_level(-1, []) is None

    found = []
    row = -1
    while (next_row := buffer.find_level(row, [Level.ERROR])) is not None:
        found.append(next_row)
        row = next_row
    assert found == errors


def test_find_level_several_levels() -> None:
    buffer = PaneBuffer()
    lines = ["INFO a", "WARN b", "INFO c", "CRITICAL d", "ERROR e"]
    buffer.append([Entry(ts, line, WORKER) for ts, line in enumerate(lines)])

    assert buffer.find_level(-1, {Level.CRITICAL, Level.ERROR}) == 3
    assert buffer.find_level(3, {Level.CRITICAL, Level.ERROR}) == 4
    assert buffer.find_level(5, {Level.ERROR, Level.WARNING}, forward=False) == 4
    assert buffer.find_level(4, {Level.CRITICAL, Level.WARNING}, forward=False) == 3


def test_find_level_after_eviction() -> None:
    buffer = PaneBuffer(capacity=15)
    buffer.append(_entries(0, 30))

    assert buffer.first_row_id == 15
    assert buffer.find_level(-1, [Level.ERROR]) == 5
    assert buffer.ts_ns(5) == 20
    assert buffer.find_level(len(buffer), [Level.ERROR], forward=False) == 5


def _column_bytes(buffer: PaneBuffer) -> int:
    """Return the bytes of the buffer's columns (not the line strings)."""
    total = 0
    for name in ("ts", "stream", "level", "line"):
        for side in ("front", "back"):
            total += sys.getsizeof(getattr(buffer, f"_{side}_{name}"))
    return total


def test_memory_per_entry_at_most_64_bytes() -> None:
    count = 200_000
    labels = Labels({"service_name": "billing-sync", "level": "info"})
    lines = [f"request {index}" for index in range(count)]
    entries = [Entry(index, lines[index], labels) for index in range(count)]
    gc.collect()

    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        buffer = PaneBuffer()
        for start in range(0, count, 5000):
            buffer.append(entries[start : start + 5000])
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()

    # The line strings already existed, so the growth is the buffer alone.
    per_entry = (after - before) / count
    assert len(buffer) == count
    assert per_entry <= 64, f"{per_entry:.1f} bytes per entry"
    assert _column_bytes(buffer) / count <= 64


def test_find_level_over_the_whole_buffer(many_rows: PaneBuffer) -> None:
    size = len(many_rows)
    last_error = size - 50

    assert size >= 100_000
    assert many_rows.find_level(last_error - 10, [Level.ERROR]) == last_error
    assert many_rows.find_level(last_error, [Level.ERROR]) is None
    # No row is at CRITICAL or TRACE, so these scan every level byte and find none.
    assert many_rows.find_level(size, [Level.CRITICAL], forward=False) is None
    assert many_rows.find_level(-1, [Level.TRACE]) is None
    assert many_rows.find_level(-1, [Level.ERROR]) == 0
    assert many_rows.find_level(size, [Level.ERROR], forward=False) == last_error
