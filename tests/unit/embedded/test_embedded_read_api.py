"""The read API of the embedded server, exercised over HTTP on 127.0.0.1."""

from __future__ import annotations

import gzip
import socket
from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import orjson
import pytest
from embedded_helpers import API, BASE_NS, NS, flatten, get_json, page_all

from tflog_tui.embedded import EmbeddedLoki, serve_in_thread

MakeServer = Callable[..., Awaitable[EmbeddedLoki]]


def _push_body(labels: dict[str, str], values: list[list[Any]]) -> bytes:
    return orjson.dumps({"streams": [{"stream": labels, "values": values}]})


async def _get(server: EmbeddedLoki, path: str, params: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url) as client:
        return await client.get(API + path, params=params)


def _range(query: str, **extra: Any) -> dict[str, Any]:
    params: dict[str, Any] = {"query": query, "start": BASE_NS - NS, "end": BASE_NS + 100 * NS}
    params.update(extra)
    return params


async def test_push_then_query_range_streams(loki_server: EmbeddedLoki) -> None:
    body = _push_body({"service_name": "billing-sync"}, [[str(BASE_NS + 5), "hello"]])
    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        pushed = await client.post(
            API + "/push", content=body, headers={"Content-Type": "application/json"}
        )
    payload = await get_json(loki_server, "/query_range", _range('{service_name="billing-sync"}'))

    assert pushed.status_code == 204
    assert payload["status"] == "success"
    assert payload["data"]["resultType"] == "streams"
    assert payload["data"]["result"] == [
        {"stream": {"service_name": "billing-sync"}, "values": [[str(BASE_NS + 5), "hello"]]}
    ]
    assert payload["data"]["stats"]["summary"]["totalEntriesReturned"] == 1


async def test_push_gzip_body(loki_server: EmbeddedLoki) -> None:
    body = gzip.compress(_push_body({"job": "a"}, [[str(BASE_NS), "zipped"]]))
    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        pushed = await client.post(
            API + "/push",
            content=body,
            headers={"Content-Type": "application/json", "Content-Encoding": "gzip"},
        )
    payload = await get_json(loki_server, "/query_range", _range('{job="a"}'))

    assert pushed.status_code == 204
    assert payload["data"]["result"][0]["values"] == [[str(BASE_NS), "zipped"]]


async def test_push_numeric_timestamp_is_rejected(loki_server: EmbeddedLoki) -> None:
    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        response = await client.post(
            API + "/push",
            content=_push_body({"job": "n"}, [[BASE_NS, "number"]]),
            headers={"Content-Type": "application/json"},
        )

    assert response.status_code == 400
    assert response.text.startswith("invalid push request: the timestamp 1700000000000000000")


async def test_push_without_labels_is_rejected(loki_server: EmbeddedLoki) -> None:
    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        response = await client.post(
            API + "/push",
            content=_push_body({}, [[str(BASE_NS), "x"]]),
            headers={"Content-Type": "application/json"},
        )

    assert response.status_code == 400
    assert response.text == "error at least one label pair is required per stream\n"


async def test_timestamps_are_nanosecond_strings(loki_server: EmbeddedLoki) -> None:
    ts = BASE_NS + 123_456_789
    loki_server.push({"job": "ns"}, [(ts, "precise")])

    payload = await get_json(loki_server, "/query_range", _range('{job="ns"}'))

    value = payload["data"]["result"][0]["values"][0]
    assert value[0] == "1700000000123456789"
    assert isinstance(value[0], str)


@pytest.mark.parametrize(
    ("start", "end"),
    [
        ("1700000000", "1700000001"),
        ("1700000000.0", "1700000001.0"),
        ("2023-11-14T22:13:20Z", "2023-11-14T22:13:21Z"),
        ("2023-11-14T23:13:20.000000000+01:00", "2023-11-14T22:13:21.000Z"),
        (str(BASE_NS), str(BASE_NS + NS)),
    ],
)
async def test_time_parameter_forms(loki_server: EmbeddedLoki, start: str, end: str) -> None:
    loki_server.push(
        {"job": "t"}, [(BASE_NS - 1, "before"), (BASE_NS, "first"), (BASE_NS + NS, "at end")]
    )

    payload = await get_json(
        loki_server, "/query_range", {"query": '{job="t"}', "start": start, "end": end}
    )

    assert [entry[2] for entry in flatten(payload)] == ["first"]


async def test_since_sets_start_before_end(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"job": "s"}, [(BASE_NS - 120 * NS, "old"), (BASE_NS - 30 * NS, "recent")])

    payload = await get_json(
        loki_server, "/query_range", {"query": '{job="s"}', "end": BASE_NS, "since": "1m"}
    )

    assert [entry[2] for entry in flatten(payload)] == ["recent"]


async def test_limit_takes_newest_across_streams(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"job": "a"}, [(BASE_NS + i * NS, f"a{i}") for i in range(0, 10, 2)])
    loki_server.push({"job": "b"}, [(BASE_NS + i * NS, f"b{i}") for i in range(1, 10, 2)])

    backward = flatten(await get_json(loki_server, "/query_range", _range('{job=~"a|b"}', limit=3)))
    forward = flatten(
        await get_json(
            loki_server, "/query_range", _range('{job=~"a|b"}', limit=3, direction="forward")
        )
    )

    assert sorted(entry[2] for entry in backward) == ["a8", "b7", "b9"]
    assert sorted(entry[2] for entry in forward) == ["a0", "a2", "b1"]


async def test_values_sorted_by_direction(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"job": "o"}, [(BASE_NS + 3, "c"), (BASE_NS + 1, "a"), (BASE_NS + 2, "b")])

    backward = await get_json(loki_server, "/query_range", _range('{job="o"}'))
    forward = await get_json(loki_server, "/query_range", _range('{job="o"}', direction="FORWARD"))

    assert [v[1] for v in backward["data"]["result"][0]["values"]] == ["c", "b", "a"]
    assert [v[1] for v in forward["data"]["result"][0]["values"]] == ["a", "b", "c"]


async def test_equal_timestamps_keep_distinct_lines(loki_server: EmbeddedLoki) -> None:
    texts = ["one", "two", "three"]
    loki_server.push({"stream": "A"}, [(BASE_NS, text) for text in texts])
    loki_server.push({"stream": "B"}, [(BASE_NS, text) for text in texts])
    stored_again = loki_server.push({"stream": "A"}, [(BASE_NS, "two")])

    payload = await get_json(loki_server, "/query_range", _range('{stream=~"A|B"}'))

    assert stored_again == 0
    assert len(flatten(payload)) == 6
    for page in (1, 2, 4, 5000):
        for direction in ("forward", "backward"):
            paged = await page_all(
                loki_server, '{stream=~"A|B"}', BASE_NS - NS, BASE_NS + NS, page, direction
            )
            assert len(paged) == 6, (page, direction)


async def test_paging_two_streams_every_page_size(loki_server: EmbeddedLoki) -> None:
    # Stream b shares 4 timestamps with stream a, and 2 of its lines repeat a's text.
    a = [(BASE_NS + i * NS, f"a line {i}") for i in range(16)]
    b = [(BASE_NS + (i + 12) * NS, f"b line {i}") for i in range(16)]
    b[0] = (b[0][0], "a line 12")
    b[1] = (b[1][0], "a line 13")
    loki_server.push({"job": "pa"}, a)
    loki_server.push({"job": "pb"}, b)
    expected = {(ts, (("job", "pa"),), line) for ts, line in a} | {
        (ts, (("job", "pb"),), line) for ts, line in b
    }

    for page in (1, 2, 3, 4, 5, 7, 16, 5000):
        for direction in ("forward", "backward"):
            entries = await page_all(
                loki_server, '{job=~"pa|pb"}', BASE_NS, BASE_NS + 60 * NS, page, direction
            )
            assert len(entries) == 32, (page, direction)
            assert set(entries) == expected, (page, direction)


async def test_categorize_labels_flag(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"job": "c"}, [(BASE_NS, "with metadata", {"trace_id": "abc"})])
    params = _range('{job="c"}')

    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        plain = (await client.get(API + "/query_range", params=params)).json()
        categorized = (
            await client.get(
                API + "/query_range",
                params=params,
                headers={"X-Loki-Response-Encoding-Flags": "categorize-labels"},
            )
        ).json()

    assert plain["data"]["result"][0]["stream"] == {"job": "c", "trace_id": "abc"}
    assert plain["data"]["result"][0]["values"][0] == [str(BASE_NS), "with metadata"]
    assert categorized["data"]["encodingFlags"] == ["categorize-labels"]
    assert categorized["data"]["result"][0]["stream"] == {"job": "c"}
    assert categorized["data"]["result"][0]["values"][0] == [
        str(BASE_NS),
        "with metadata",
        {"structuredMetadata": {"trace_id": "abc"}},
    ]


async def test_post_form_query_range(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"job": "form"}, [(BASE_NS, "posted")])

    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        response = await client.post(API + "/query_range", data=_range('{job="form"}'))

    assert response.status_code == 200
    assert flatten(response.json())[0][2] == "posted"


async def test_instant_log_query_returns_streams(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"job": "i"}, [(BASE_NS - NS, "earlier"), (BASE_NS + NS, "later")])

    payload = await get_json(loki_server, "/query", {"query": '{job="i"}', "time": BASE_NS})

    assert payload["data"]["resultType"] == "streams"
    assert [entry[2] for entry in flatten(payload)] == ["earlier"]


async def test_labels_and_values(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"service_name": "a", "level": "info"}, [(BASE_NS, "x")])
    loki_server.push({"service_name": "b", "level": "error"}, [(BASE_NS, "y")])
    window = {"start": BASE_NS - NS, "end": BASE_NS + NS}

    labels = await get_json(loki_server, "/labels", window)
    values = await get_json(loki_server, "/label/service_name/values", window)
    scoped = await get_json(
        loki_server, "/label/service_name/values", {**window, "query": '{level="error"}'}
    )

    assert labels == {"status": "success", "data": ["level", "service_name"]}
    assert values == {"status": "success", "data": ["a", "b"]}
    assert scoped == {"status": "success", "data": ["b"]}


async def test_default_windows(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(now_ns=lambda: BASE_NS)
    server.push({"recent": "yes"}, [(BASE_NS - 30 * 60 * NS, "x")])
    server.push({"hours_ago": "yes"}, [(BASE_NS - 2 * 3600 * NS, "y")])
    server.push({"old": "yes"}, [(BASE_NS - 7 * 3600 * NS, "z")])

    labels = await get_json(server, "/labels", {})
    values = await get_json(server, "/label/hours_ago/values", {})
    series = await get_json(server, "/series", {"match[]": '{hours_ago="yes"}'})
    logs = await get_json(server, "/query_range", {"query": '{hours_ago="yes"}'})

    # Label names and values look back 6 hours by default, series and queries 1 hour.
    assert labels == {"status": "success", "data": ["hours_ago", "recent"]}
    assert values == {"status": "success", "data": ["yes"]}
    assert series == {"status": "success", "data": []}
    assert flatten(logs) == []


async def test_label_values_unknown_has_no_data(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"service_name": "a"}, [(BASE_NS, "x")])

    payload = await get_json(
        loki_server, "/label/nope/values", {"start": BASE_NS - NS, "end": BASE_NS + NS}
    )

    assert payload == {"status": "success"}


async def test_series_repeated_match(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"service_name": "a"}, [(BASE_NS, "x")])
    loki_server.push({"service_name": "b"}, [(BASE_NS, "y")])
    loki_server.push({"service_name": "c"}, [(BASE_NS, "z")])

    payload = await get_json(
        loki_server,
        "/series",
        [
            ("match[]", '{service_name="a"}'),
            ("match[]", '{service_name="c"}'),
            ("start", str(BASE_NS - NS)),
            ("end", str(BASE_NS + NS)),
        ],
    )

    assert payload == {
        "status": "success",
        "data": [{"service_name": "a"}, {"service_name": "c"}],
    }


async def test_index_stats(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"job": "s", "host": "1"}, [(BASE_NS, "abcd"), (BASE_NS + 1, "ef")])
    loki_server.push({"job": "s", "host": "2"}, [(BASE_NS, "ghi")])

    payload = await get_json(loki_server, "/index/stats", _range('{job="s"}'))

    assert payload == {"streams": 2, "chunks": 2, "entries": 3, "bytes": 9}


async def test_index_volume_by_target_label(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"job": "v", "host": "1"}, [(BASE_NS, "aaaa")])
    loki_server.push({"job": "v", "host": "2"}, [(BASE_NS, "bb")])

    payload = await get_json(loki_server, "/index/volume", _range('{job="v"}', targetLabels="host"))

    result = payload["data"]["result"]
    assert payload["data"]["resultType"] == "vector"
    assert [item["metric"] for item in result] == [{"host": "1"}, {"host": "2"}]
    assert [item["value"][1] for item in result] == ["4", "2"]


async def test_index_volume_range_buckets(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"job": "vr"}, [(BASE_NS, "aa"), (BASE_NS + 61 * NS, "bbb")])

    payload = await get_json(
        loki_server,
        "/index/volume_range",
        {"query": '{job="vr"}', "start": BASE_NS, "end": BASE_NS + 120 * NS, "step": "60s"},
    )

    assert payload["data"]["resultType"] == "matrix"
    assert payload["data"]["result"] == [
        {"metric": {"job": "vr"}, "values": [[1700000000, "2"], [1700000060, "3"]]}
    ]


async def test_ready_and_buildinfo(loki_server: EmbeddedLoki) -> None:
    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        ready = await client.get("/ready")
        info = await client.get(API + "/status/buildinfo")

    assert ready.status_code == 200
    assert ready.text.strip() == "ready"
    assert info.json()["version"].startswith("3.")


def test_serve_in_thread_push_and_query() -> None:
    with serve_in_thread(EmbeddedLoki()) as threaded:
        stored = threaded.push({"job": "threaded"}, [(BASE_NS, "a"), (BASE_NS, "a")])
        answer = httpx.get(
            threaded.url + API + "/query_range",
            params={"query": '{job="threaded"}', "start": BASE_NS, "end": BASE_NS + 1},
        )

    assert stored == 1
    assert answer.json()["data"]["result"][0]["values"] == [[str(BASE_NS), "a"]]


async def test_backslash_label_value_needs_escaping(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"path": "C:\\temp\\new"}, [(BASE_NS, "windows")])

    escaped = await get_json(loki_server, "/query_range", _range('{path="C:\\\\temp\\\\new"}'))
    backquoted = await get_json(loki_server, "/query_range", _range("{path=`C:\\temp\\new`}"))
    raw = await get_json(loki_server, "/query_range", _range('{path="C:\\temp\\new"}'))

    assert [entry[2] for entry in flatten(escaped)] == ["windows"]
    assert [entry[2] for entry in flatten(backquoted)] == ["windows"]
    assert flatten(raw) == []


async def test_push_invalid_utf8_is_replaced(loki_server: EmbeddedLoki) -> None:
    body = (
        b'{"streams":[{"stream":{"job":"u"},"values":[["'
        + str(BASE_NS).encode()
        + b'","bad \xff bytes \\ud800 here"]]}]}'
    )
    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        pushed = await client.post(
            API + "/push", content=body, headers={"Content-Type": "application/json"}
        )
    payload = await get_json(loki_server, "/query_range", _range('{job="u"}'))

    assert pushed.status_code == 204
    assert flatten(payload)[0][2] == "bad \ufffd bytes \ufffd here"


@pytest.mark.parametrize(
    ("path", "params", "expected"),
    [
        ("/labels", {}, {"status": "success", "data": ["job"]}),
        ("/label/job/values", {}, {"status": "success", "data": ["form"]}),
        ("/series", {"match[]": '{job="form"}'}, {"status": "success", "data": [{"job": "form"}]}),
        (
            "/index/stats",
            {"query": '{job="form"}'},
            {"streams": 1, "chunks": 1, "entries": 1, "bytes": 6},
        ),
    ],
)
async def test_post_form_read_endpoints(
    loki_server: EmbeddedLoki, path: str, params: dict[str, str], expected: Any
) -> None:
    loki_server.push({"job": "form"}, [(BASE_NS, "posted")])
    form = {"start": str(BASE_NS - NS), "end": str(BASE_NS + NS), **params}

    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        response = await client.post(API + path, data=form)

    assert response.status_code == 200
    assert response.json() == expected


async def test_out_of_order_push_is_returned_in_order(loki_server: EmbeddedLoki) -> None:
    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        for ts, line in [(BASE_NS + 3, "third"), (BASE_NS + 1, "first"), (BASE_NS + 2, "second")]:
            await client.post(
                API + "/push",
                content=_push_body({"job": "ooo"}, [[str(ts), line]]),
                headers={"Content-Type": "application/json"},
            )
    payload = await get_json(
        loki_server, "/query_range", _range('{job="ooo"}', direction="forward")
    )

    assert [entry[2] for entry in flatten(payload)] == ["first", "second", "third"]


async def test_max_bytes_evicts_oldest(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(max_bytes=5 * (10 + 24))
    server.push({"job": "a"}, [(BASE_NS + i * NS, f"line {i:05d}") for i in range(0, 8, 2)])
    server.push({"job": "b"}, [(BASE_NS + i * NS, f"line {i:05d}") for i in range(1, 8, 2)])

    payload = await get_json(server, "/query_range", _range('{job=~"a|b"}', direction="forward"))

    entries = sorted(flatten(payload))
    assert [entry[2] for entry in entries] == [f"line {i:05d}" for i in range(3, 8)]


def test_serve_in_thread_port_in_use() -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]

        with pytest.raises(RuntimeError, match="failed to start"):
            serve_in_thread(EmbeddedLoki(), "127.0.0.1", port)


async def test_since_counts_from_now_for_future_end(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(now_ns=lambda: BASE_NS)
    server.push({"job": "f"}, [(BASE_NS - 90 * NS, "too old"), (BASE_NS - 30 * NS, "recent")])

    payload = await get_json(
        server, "/query_range", {"query": '{job="f"}', "end": BASE_NS + 3600 * NS, "since": "1m"}
    )

    assert [entry[2] for entry in flatten(payload)] == ["recent"]
