"""The websocket tail of the embedded server: replay, live entries, limits, hooks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import orjson
import websockets

from tflog_tui.embedded import EmbeddedLoki

NS = 1_000_000_000
MakeServer = Callable[..., Awaitable[EmbeddedLoki]]


def _tail_url(server: EmbeddedLoki, **params: Any) -> str:
    ws_base = server.url.replace("http://", "ws://", 1)
    return f"{ws_base}/loki/api/v1/tail?{urlencode(params)}"


async def _next_frame(ws: Any, timeout: float = 5.0) -> dict[str, Any]:
    raw = await asyncio.wait_for(ws.recv(), timeout)
    frame: dict[str, Any] = orjson.loads(raw)
    return frame


def _lines(frame: dict[str, Any]) -> list[str]:
    return [value[1] for stream in frame["streams"] for value in stream["values"]]


async def test_tail_replays_then_streams_live(loki_server: EmbeddedLoki) -> None:
    now = time.time_ns()
    loki_server.push({"job": "t"}, [(now - 3 * NS, "old-1"), (now - 2 * NS, "old-2")])

    async with websockets.connect(_tail_url(loki_server, query='{job="t"}')) as ws:
        replay = await _next_frame(ws)
        loki_server.push({"job": "t"}, [(time.time_ns(), "live-1")])
        live = await _next_frame(ws)

    assert _lines(replay) == ["old-1", "old-2"]
    assert replay["streams"][0]["stream"] == {"job": "t"}
    assert replay["dropped_entries"] is None
    assert _lines(live) == ["live-1"]
