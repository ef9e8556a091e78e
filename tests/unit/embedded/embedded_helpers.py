"""Helpers for the embedded server's tests: HTTP calls and a reference pager."""

from __future__ import annotations

from typing import Any

import httpx

from tflog_tui.embedded import EmbeddedLoki

NS = 1_000_000_000
BASE_NS = 1_700_000_000 * NS
API = "/loki/api/v1"

EntryKey = tuple[int, tuple[tuple[str, str], ...], str]


async def get_json(server: EmbeddedLoki, path: str, params: Any) -> Any:
    """GET an API path and return the decoded JSON body, asserting status 200."""
    async with httpx.AsyncClient(base_url=server.url) as client:
        response = await client.get(API + path, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def flatten(payload: Any) -> list[EntryKey]:
    """Return the (ts, labels, line) of every entry of a `streams` response."""
    entries: list[EntryKey] = []
    for stream in payload["data"]["result"]:
        labels = tuple(sorted(stream["stream"].items()))
        for value in stream["values"]:
            entries.append((int(value[0]), labels, value[1]))
    return entries


async def page_all(
    server: EmbeddedLoki, query: str, start: int, end: int, page: int, direction: str
) -> list[EntryKey]:
    """Read a whole range page by page, resuming at the boundary timestamp.

    Entries already seen at the boundary are dropped by (ts, labels, line),
    the exact rule a client must follow when lines share one nanosecond. A
    full page of entries already seen means more entries share the boundary
    nanosecond than a page holds, so the page size doubles for the next request.
    """
    seen: set[EntryKey] = set()
    result: list[EntryKey] = []
    async with httpx.AsyncClient(base_url=server.url) as client:
        while True:
            params: dict[str, str | int] = {
                "query": query,
                "start": start,
                "end": end,
                "limit": page,
                "direction": direction,
            }
            response = await client.get(API + "/query_range", params=params)
            assert response.status_code == 200, response.text
            batch = flatten(response.json())
            batch.sort(key=lambda e: e[0], reverse=direction == "backward")
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
