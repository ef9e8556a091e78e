"""Property tests of log selection: exact deduplication, limits and paging."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tflog_tui.embedded.logs import Direction, SelectionStats, select_entries
from tflog_tui.embedded.query import make_pipeline, parse_log_query
from tflog_tui.embedded.store import LogStore

EntryKey = tuple[int, str, str]

pushes = st.lists(
    st.tuples(
        st.sampled_from(["a", "b", "c"]),
        st.integers(min_value=0, max_value=12),
        st.sampled_from(["x", "y", "z", "same"]),
    ),
    max_size=60,
)


def _store(entries: list[tuple[str, int, str]]) -> LogStore:
    store = LogStore()
    for stream, ts, line in entries:
        store.append({"job": stream}, [(ts, line)])
    return store


def _select(
    store: LogStore, start: int, end: int, limit: int, direction: Direction
) -> list[EntryKey]:
    pipeline = make_pipeline(parse_log_query('{job=~"a|b|c"}'))
    streams = select_entries(
        store,
        pipeline,
        start,
        end,
        limit,
        direction,
        False,
        SelectionStats(),
    )
    return [(int(v[0]), s.labels["job"], v[1]) for s in streams for v in s.values]


def _page_all(store: LogStore, page: int, direction: Direction) -> list[EntryKey]:
    start, end = 0, 100
    seen: set[EntryKey] = set()
    result: list[EntryKey] = []
    while True:
        batch = sorted(_select(store, start, end, page, direction), reverse=direction == "backward")
        fresh = [entry for entry in batch if entry not in seen]
        if not fresh:
            if len(batch) < page:
                return result
            page *= 2
            continue
        result.extend(fresh)
        seen.update(fresh)
        if len(batch) < page:
            return result
        if direction == "forward":
            start = batch[-1][0]
        else:
            end = batch[-1][0] + 1


@settings(max_examples=40, deadline=None)
@given(pushes)
def test_store_keeps_distinct_entries_once(entries: list[tuple[str, int, str]]) -> None:
    store = _store(entries)

    selected = _select(store, 0, 100, 5000, "forward")

    expected = {(ts, stream, line) for stream, ts, line in entries}
    assert sorted(selected) == sorted(expected)
    assert store.total_entries == len(expected)


@settings(max_examples=40, deadline=None)
@given(pushes, st.integers(min_value=1, max_value=10), st.sampled_from(["forward", "backward"]))
def test_limit_takes_extreme_timestamps(
    entries: list[tuple[str, int, str]], limit: int, direction: Direction
) -> None:
    store = _store(entries)
    everything = {(ts, stream, line) for stream, ts, line in entries}

    selected = _select(store, 0, 100, limit, direction)

    assert len(selected) == min(limit, len(everything))
    left_out = everything - set(selected)
    if selected and left_out:
        if direction == "backward":
            assert min(e[0] for e in selected) >= max(e[0] for e in left_out)
        else:
            assert max(e[0] for e in selected) <= min(e[0] for e in left_out)


@settings(max_examples=40, deadline=None)
@given(pushes, st.integers(min_value=1, max_value=7), st.sampled_from(["forward", "backward"]))
def test_paging_returns_every_entry_once(
    entries: list[tuple[str, int, str]], page: int, direction: Direction
) -> None:
    store = _store(entries)

    paged = _page_all(store, page, direction)

    assert len(paged) == len(set(paged))
    assert set(paged) == {(ts, stream, line) for stream, ts, line in entries}
