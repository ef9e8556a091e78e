"""Errors of the embedded server: plain text, Loki's wording and status codes."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest
from embedded_helpers import API, BASE_NS, NS

from tflog_tui.embedded import EmbeddedLoki

MakeServer = Callable[..., Awaitable[EmbeddedLoki]]
HOUR = 3600 * NS


async def _get(server: EmbeddedLoki, path: str, params: Any) -> httpx.Response:
    async with httpx.AsyncClient(base_url=server.url) as client:
        return await client.get(API + path, params=params)


async def test_parse_error_is_plain_text(loki_server: EmbeddedLoki) -> None:
    response = await _get(loki_server, "/query_range", {"query": '{job="a"'})

    assert response.status_code == 400
    assert response.headers["content-type"].startswith("text/plain")
    assert response.text.startswith("parse error at line 1, col ")


async def test_limit_above_maximum(loki_server: EmbeddedLoki) -> None:
    response = await _get(loki_server, "/query_range", {"query": '{job="a"}', "limit": 6000})

    assert response.status_code == 400
    assert response.text == (
        "max entries limit per query exceeded, limit > max_entries_limit_per_query (6000 > 5000)\n"
    )


async def test_limit_maximum_is_configurable(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(max_entries_limit_per_query=10)

    response = await _get(server, "/query_range", {"query": '{job="a"}', "limit": 11})

    assert response.status_code == 400
    assert "(11 > 10)" in response.text


async def test_query_length_above_maximum(loki_server: EmbeddedLoki) -> None:
    response = await _get(
        loki_server,
        "/query_range",
        {"query": '{job="a"}', "start": BASE_NS, "end": BASE_NS + 744 * HOUR},
    )

    assert response.status_code == 400
    assert response.text == (
        "the query time range exceeds the limit (query length: 744h0m0s, limit: 721h0m0s)\n"
    )


async def test_end_before_start(loki_server: EmbeddedLoki) -> None:
    response = await _get(
        loki_server, "/query_range", {"query": '{job="a"}', "start": BASE_NS, "end": BASE_NS - 1}
    )

    assert response.status_code == 400
    assert response.text == "end timestamp must not be before or equal to start time\n"


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"start": "yesterday"}, 'invalid start: cannot parse "yesterday" to a valid timestamp'),
        ({"end": "soon"}, 'invalid end: cannot parse "soon" to a valid timestamp'),
        ({"limit": "many"}, 'invalid limit: strconv.Atoi: parsing "many": invalid syntax'),
        ({"limit": "0"}, "limit must be a positive value"),
        ({"direction": "sideways"}, "invalid direction 'sideways'"),
        ({"since": "a while"}, 'invalid since: cannot parse "a while" to a valid duration'),
    ],
)
async def test_invalid_parameters(
    loki_server: EmbeddedLoki, params: dict[str, str], message: str
) -> None:
    response = await _get(loki_server, "/query_range", {"query": '{job="a"}', **params})

    assert response.status_code == 400
    assert response.text == message + "\n"


async def test_unknown_path_is_plain_404(loki_server: EmbeddedLoki) -> None:
    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        response = await client.get("/loki/api/v1/nothing")

    assert response.status_code == 404
    assert response.text == "404 page not found\n"


async def test_series_without_match_is_rejected(loki_server: EmbeddedLoki) -> None:
    response = await _get(loki_server, "/series", {})

    assert response.status_code == 400
    assert response.text == "at least one match[] argument must be provided\n"
