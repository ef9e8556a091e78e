"""Capacity: a pane buffer holding 1,000,000 entries.

Memory is what the buffer adds beyond the line strings (which the decoder
created already), traced with tracemalloc while the entries are appended in
pages of 5,000. The times are those of the actions an on-call engineer takes
on a full pane: a level filter, a jump to the next error, a regex search.
"""

from __future__ import annotations

import gc
import tracemalloc

from bench._common import Figure, median_seconds
from tflog_tui.buffer import Level, PaneBuffer, RowView
from tflog_tui.loki.models import Entry, Labels

ROWS = 1_000_000
PAGE = 5_000
WORDS = ["alpha", "beta", "charge", "failed", "retry", "upstream", "task", "sync"]


def million_entries() -> list[Entry]:
    """Build ROWS entries: every 50th at ERROR (by label), the rest INFO, one CRITICAL last.

    Row i ends with `{WORDS[i % 8]} {WORDS[i % 7]}`, so `charge failed`
    matches one row in 56.
    """
    info = Labels({"service_name": "billing-sync", "level": "info"})
    error = Labels({"service_name": "billing-sync", "level": "error"})
    critical = Labels({"service_name": "billing-sync", "level": "critical"})
    entries = [
        Entry(
            index,
            f"2026-12-04T12:00:00Z task_id={index:08x} {WORDS[index % 8]} {WORDS[index % 7]}",
            error if index % 50 == 0 else info,
        )
        for index in range(ROWS - 1)
    ]
    entries.append(Entry(ROWS - 1, "2026-12-04T12:00:01Z database unreachable", critical))
    return entries


def _fill(entries: list[Entry]) -> PaneBuffer:
    buffer = PaneBuffer(capacity=ROWS)
    for start in range(0, len(entries), PAGE):
        buffer.append(entries[start : start + PAGE])
    return buffer


def _bytes_per_entry(entries: list[Entry]) -> float:
    """Return the bytes the buffer allocates per entry, beyond the existing line strings."""
    gc.collect()
    tracemalloc.start()
    try:
        before = tracemalloc.get_traced_memory()[0]
        buffer = _fill(entries)
        after = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()
    assert len(buffer) == ROWS
    return (after - before) / ROWS


def run() -> list[Figure]:
    """Measure memory per entry and the filter, jump and search times at 1,000,000 rows."""
    entries = million_entries()
    per_entry = _bytes_per_entry(entries)
    append_s = median_seconds(lambda: _fill(entries), runs=3)
    buffer = _fill(entries)
    entries.clear()

    view = RowView(buffer)

    def errors_only() -> None:
        view.set_levels({Level.ERROR, Level.CRITICAL})
        view.refresh()
        view.set_levels(None)

    def hide_errors() -> None:
        view.set_levels({Level.INFO, Level.WARNING})
        view.refresh()
        view.set_levels(None)

    def jump_from_top() -> int | None:
        # The only critical row is the last one, so this scans every row.
        return view.find_next(-1, {Level.CRITICAL})

    def search_all() -> None:
        view.set_search(r"charge\s+f\w+", regex=True)
        view.refresh()
        view.set_search(None)

    assert jump_from_top() == ROWS - 1
    selective_s = median_seconds(errors_only, runs=5)
    dense_s = median_seconds(hide_errors, runs=5)
    jump_s = median_seconds(jump_from_top, runs=7)
    search_s = median_seconds(search_all, runs=3)

    return [
        Figure("capacity", "append 1,000,000 entries in pages of 5,000", append_s * 1000, "ms"),
        Figure(
            "capacity", "memory beyond line text", per_entry, "bytes/entry", "≤ 64", per_entry <= 64
        ),
        Figure(
            "capacity",
            "level filter: errors only (2% of rows)",
            selective_s * 1000,
            "ms",
            "≤ 200 ms",
            selective_s <= 0.2,
        ),
        Figure(
            "capacity",
            "level filter: hide errors (98% of rows)",
            dense_s * 1000,
            "ms",
            "≤ 200 ms",
            dense_s <= 0.2,
        ),
        Figure(
            "capacity",
            "jump to next error from the top (last row)",
            jump_s * 1000,
            "ms",
            "≤ 20 ms",
            jump_s <= 0.02,
        ),
        Figure(
            "capacity", "regex search of all rows", search_s * 1000, "ms", "≤ 1 s", search_s <= 1.0
        ),
    ]
