"""The in-memory store: ordering, duplicates, retention and size eviction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from embedded_helpers import BASE_NS, NS, flatten, get_json

from tflog_tui.embedded import EmbeddedLoki, LogStore

MakeServer = Callable[..., Awaitable[EmbeddedLoki]]
HOUR = 3600 * NS


def _lines(store: LogStore, labels: dict[str, str]) -> list[str]:
    stream = store.stream_for(labels)
    return stream.lines[stream.head :]


def test_out_of_order_entries_are_inserted_in_order() -> None:
    store = LogStore()

    store.append({"job": "a"}, [(30, "c"), (10, "a")])
    store.append({"job": "a"}, [(20, "b"), (5, "first")])

    stream = store.stream_for({"job": "a"})
    assert list(stream.timestamps) == [5, 10, 20, 30]
    assert _lines(store, {"job": "a"}) == ["first", "a", "b", "c"]


def test_exact_duplicates_are_dropped() -> None:
    store = LogStore()

    _, first = store.append({"job": "a"}, [(10, "x"), (10, "y"), (10, "x")])
    _, again = store.append({"job": "a"}, [(10, "y"), (11, "y")])
    _, other_stream = store.append({"job": "b"}, [(10, "x")])

    assert [line for _, line, _ in first] == ["x", "y"]
    assert [(ts, line) for ts, line, _ in again] == [(11, "y")]
    assert len(other_stream) == 1
    assert store.total_entries == 4


def test_equal_timestamps_keep_insertion_order() -> None:
    store = LogStore()

    store.append({"job": "a"}, [(10, "one"), (20, "later")])
    store.append({"job": "a"}, [(10, "two"), (10, "three")])

    assert _lines(store, {"job": "a"}) == ["one", "two", "three", "later"]


def test_label_sets_are_interned() -> None:
    store = LogStore()

    first, _ = store.append({"b": "2", "a": "1"}, [(1, "x")])
    second, _ = store.append({"a": "1", "b": "2"}, [(2, "y")])

    assert first is second
    assert str(first.labels) == '{a="1", b="2"}'


def test_retention_evicts_old_entries() -> None:
    store = LogStore(retention_ns=HOUR)
    store.append({"job": "a"}, [(BASE_NS - 2 * HOUR, "old"), (BASE_NS - 10, "new")])

    evicted = store.expire(BASE_NS)

    assert evicted == 1
    assert _lines(store, {"job": "a"}) == ["new"]
    assert store.total_entries == 1


def test_max_bytes_evicts_oldest_across_streams() -> None:
    line = "x" * 100
    store = LogStore(max_bytes=3 * (100 + 24))

    store.append({"job": "a"}, [(1, line), (4, line)])
    store.append({"job": "b"}, [(2, line), (3, line)])

    assert store.total_entries == 3
    assert store.total_bytes <= 3 * 124
    assert list(
        store.stream_for({"job": "a"}).timestamps[store.stream_for({"job": "a"}).head :]
    ) == [4]
    assert store.evicted_entries == 1


async def test_retention_applies_to_queries(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(retention_ns=HOUR, now_ns=lambda: BASE_NS)
    server.push({"job": "r"}, [(BASE_NS - 2 * HOUR, "expired"), (BASE_NS - 60 * NS, "kept")])

    payload = await get_json(
        server,
        "/query_range",
        {"query": '{job="r"}', "start": BASE_NS - 3 * HOUR, "end": BASE_NS},
    )

    assert [entry[2] for entry in flatten(payload)] == ["kept"]
    assert server.store.total_entries == 1


async def test_queries_skip_expired_before_sweep(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(retention_ns=HOUR, now_ns=lambda: BASE_NS)
    server.push({"job": "r"}, [(BASE_NS - 60 * NS, "kept")])
    # The sweep ran on the first push; the next one within a second does not sweep.
    server.push({"job": "r"}, [(BASE_NS - 2 * HOUR, "expired")])

    payload = await get_json(
        server,
        "/query_range",
        {"query": '{job="r"}', "start": BASE_NS - 3 * HOUR, "end": BASE_NS},
    )

    assert server.store.total_entries == 2
    assert [entry[2] for entry in flatten(payload)] == ["kept"]


def test_ascending_batch_from_generator() -> None:
    store = LogStore()
    store.append({"job": "a"}, [(10, "x")])

    _, appended = store.append({"job": "a"}, ((ts, f"line {ts}") for ts in (11, 12)))
    _, inserted = store.append({"job": "a"}, ((ts, "again") for ts in (12, 5)))
    _, with_metadata = store.append({"job": "a"}, [(20, "m", {"trace_id": "t"})])

    assert [ts for ts, _, _ in appended] == [11, 12]
    assert [ts for ts, _, _ in inserted] == [12, 5]
    assert dict(with_metadata[0][2]) == {"trace_id": "t"}
    assert list(store.stream_for({"job": "a"}).timestamps) == [5, 10, 11, 12, 12, 20]
