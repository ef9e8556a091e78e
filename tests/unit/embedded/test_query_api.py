"""The read API of the embedded server, exercised over HTTP on 127.0.0.1."""

from __future__ import annotations

import gzip
from typing import Any

import httpx
import orjson

from tflog_tui.embedded import EmbeddedLoki

NS = 1_000_000_000
BASE_NS = 1_700_000_000 * NS
API = "/loki/api/v1"


async def _get(server: EmbeddedLoki, path: str, **params: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url) as client:
        return await client.get(API + path, params=params)


def _push_body(labels: dict[str, str], values: list[list[Any]]) -> bytes:
    return orjson.dumps({"streams": [{"stream": labels, "values": values}]})


async def test_push_then_query_range_streams(loki_server: EmbeddedLoki) -> None:
    body = _push_body({"service_name": "billing-sync"}, [[str(BASE_NS + 5), "hello"]])
    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        pushed = await client.post(
            API + "/push", content=body, headers={"Content-Type": "application/json"}
        )
        answer = await client.get(
            API + "/query_range",
            params={
                "query": '{service_name="billing-sync"}',
                "start": BASE_NS,
                "end": BASE_NS + NS,
            },
        )

    assert pushed.status_code == 204
    assert answer.status_code == 200
    payload = answer.json()
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
    answer = await _get(
        loki_server, "/query_range", query='{job="a"}', start=BASE_NS, end=BASE_NS + NS
    )

    assert pushed.status_code == 204
    assert answer.json()["data"]["result"][0]["values"] == [[str(BASE_NS), "zipped"]]


async def test_labels_and_values(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"service_name": "a", "level": "info"}, [(BASE_NS, "x")])
    loki_server.push({"service_name": "b", "level": "error"}, [(BASE_NS, "y")])

    labels = await _get(loki_server, "/labels", start=BASE_NS - NS, end=BASE_NS + NS)
    values = await _get(
        loki_server, "/label/service_name/values", start=BASE_NS - NS, end=BASE_NS + NS
    )
    scoped = await _get(
        loki_server,
        "/label/service_name/values",
        start=BASE_NS - NS,
        end=BASE_NS + NS,
        query='{level="error"}',
    )

    assert labels.json() == {"status": "success", "data": ["level", "service_name"]}
    assert values.json() == {"status": "success", "data": ["a", "b"]}
    assert scoped.json() == {"status": "success", "data": ["b"]}


async def test_label_values_unknown_has_no_data(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"service_name": "a"}, [(BASE_NS, "x")])

    answer = await _get(loki_server, "/label/nope/values", start=BASE_NS - NS, end=BASE_NS + NS)

    assert answer.status_code == 200
    assert answer.json() == {"status": "success"}


async def test_series_repeated_match(loki_server: EmbeddedLoki) -> None:
    loki_server.push({"service_name": "a"}, [(BASE_NS, "x")])
    loki_server.push({"service_name": "b"}, [(BASE_NS, "y")])
    loki_server.push({"service_name": "c"}, [(BASE_NS, "z")])

    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        answer = await client.get(
            API + "/series",
            params=[
                ("match[]", '{service_name="a"}'),
                ("match[]", '{service_name="c"}'),
                ("start", str(BASE_NS - NS)),
                ("end", str(BASE_NS + NS)),
            ],
        )

    assert answer.json() == {
        "status": "success",
        "data": [{"service_name": "a"}, {"service_name": "c"}],
    }


async def test_ready_and_buildinfo(loki_server: EmbeddedLoki) -> None:
    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        ready = await client.get("/ready")
        info = await client.get(API + "/status/buildinfo")

    assert ready.status_code == 200
    assert ready.text.strip() == "ready"
    assert info.json()["version"].startswith("3.")


def test_serve_in_thread_push_and_query() -> None:
    from tflog_tui.embedded import serve_in_thread

    with serve_in_thread(EmbeddedLoki()) as threaded:
        stored = threaded.push({"job": "threaded"}, [(BASE_NS, "a"), (BASE_NS, "a")])
        answer = httpx.get(
            threaded.url + API + "/query_range",
            params={"query": '{job="threaded"}', "start": BASE_NS, "end": BASE_NS + 1},
        )

    assert stored == 1
    assert answer.json()["data"]["result"][0]["values"] == [[str(BASE_NS), "a"]]
