"""The websocket tail of the embedded server: replay, live entries, limits, hooks."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Any
from urllib.parse import urlencode

import aiohttp
import orjson
import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

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


async def _wait_for_tails(server: EmbeddedLoki, count: int) -> None:
    for _ in range(200):
        if server.tail_count == count:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"expected {count} open tails, found {server.tail_count}")


async def _closed(ws: Any, timeout: float = 5.0) -> ConnectionClosed:
    try:
        while True:
            await asyncio.wait_for(ws.recv(), timeout)
    except ConnectionClosed as closed:
        return closed


async def test_tail_replays_then_streams_live(loki_server: EmbeddedLoki) -> None:
    now = time.time_ns()
    loki_server.push({"job": "t"}, [(now - 3 * NS, "old-1"), (now - 2 * NS, "old-2")])

    async with websockets.connect(_tail_url(loki_server, query='{job="t"}')) as ws:
        replay = await _next_frame(ws)
        loki_server.push({"job": "t"}, [(time.time_ns(), "live-1")])
        loki_server.push({"job": "other"}, [(time.time_ns(), "not selected")])
        loki_server.push({"job": "t"}, [(time.time_ns(), "live-2")])
        live = _lines(await _next_frame(ws))
        if len(live) < 2:
            live += _lines(await _next_frame(ws))

    assert _lines(replay) == ["old-1", "old-2"]
    assert replay["streams"][0]["stream"] == {"job": "t"}
    assert replay["streams"][0]["values"][0][0] == str(now - 3 * NS)
    assert replay["dropped_entries"] is None
    assert live == ["live-1", "live-2"]


async def test_tail_replay_limit_and_start(loki_server: EmbeddedLoki) -> None:
    now = time.time_ns()
    loki_server.push({"job": "r"}, [(now - (10 - i) * NS, f"line {i}") for i in range(10)])

    url = _tail_url(loki_server, query='{job="r"}', limit=3, start=now - 5 * NS)
    async with websockets.connect(url) as ws:
        replay = await _next_frame(ws)
    url = _tail_url(loki_server, query='{job="r"}', start=now - 3 * NS)
    async with websockets.connect(url) as ws:
        from_start = await _next_frame(ws)

    assert _lines(replay) == ["line 7", "line 8", "line 9"]
    assert _lines(from_start) == ["line 7", "line 8", "line 9"]


async def test_tail_frames_hold_at_most_100_ascending(loki_server: EmbeddedLoki) -> None:
    async with websockets.connect(_tail_url(loki_server, query='{job="many"}')) as ws:
        await _wait_for_tails(loki_server, 1)
        base = time.time_ns()
        loki_server.push({"job": "many"}, [(base + i, f"n{i}") for i in range(250)][::-1])
        frames = [await _next_frame(ws) for _ in range(3)]

    sizes = [len(_lines(frame)) for frame in frames]
    assert sizes == [100, 100, 50]
    received = [line for frame in frames for line in _lines(frame)]
    assert sorted(received) == sorted(f"n{i}" for i in range(250))
    for frame in frames:
        stamps = [int(v[0]) for s in frame["streams"] for v in s["values"]]
        assert stamps == sorted(stamps)


async def test_tail_filters_lines(loki_server: EmbeddedLoki) -> None:
    query = '{job="f"} |= "keep"'
    async with websockets.connect(_tail_url(loki_server, query=query)) as ws:
        await _wait_for_tails(loki_server, 1)
        now = time.time_ns()
        loki_server.push({"job": "f"}, [(now, "drop this"), (now + 1, "keep this")])
        frame = await _next_frame(ws)

    assert _lines(frame) == ["keep this"]


async def test_tail_sends_pings(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(tail_ping_interval_s=0.1)
    url = _tail_url(server, query='{job="p"}')

    async with (
        aiohttp.ClientSession() as session,
        session.ws_connect(url, autoping=False) as ws,
    ):
        message = await ws.receive(timeout=5)

    assert message.type == aiohttp.WSMsgType.PING


async def test_tail_max_duration_closes_1011(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(tail_max_duration_s=0.3)

    async with websockets.connect(_tail_url(server, query='{job="d"}')) as ws:
        closed = await _closed(ws)

    assert closed.rcvd is not None
    assert closed.rcvd.code == 1011
    assert closed.rcvd.reason == "reached tail max duration limit"
    await _wait_for_tails(server, 0)


async def test_tail_concurrent_limit(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(max_concurrent_tails=1)

    async with websockets.connect(_tail_url(server, query='{job="c"}')):
        await _wait_for_tails(server, 1)
        async with websockets.connect(_tail_url(server, query='{job="c"}')) as second:
            closed = await _closed(second)

    assert closed.rcvd is not None
    assert closed.rcvd.code == 1011
    assert closed.rcvd.reason == (
        "max concurrent tail requests limit exceeded, count > limit (2 > 1)"
    )


async def test_tail_parse_error_closes_1011(loki_server: EmbeddedLoki) -> None:
    async with websockets.connect(_tail_url(loki_server, query='{job="x"')) as ws:
        closed = await _closed(ws)

    assert closed.rcvd is not None
    assert closed.rcvd.code == 1011
    assert closed.rcvd.reason.startswith("parse error at line 1, col ")


async def test_tail_long_close_reason_aborts(loki_server: EmbeddedLoki) -> None:
    # The error message quotes the 150-character pattern: too long for a close frame.
    query = '{job=~"(?<=' + "a" * 150 + ')"}'

    async with websockets.connect(_tail_url(loki_server, query=query)) as ws:
        closed = await _closed(ws)

    assert closed.rcvd is None
    assert ws.close_code == 1006


async def test_tail_delay_for_above_maximum(loki_server: EmbeddedLoki) -> None:
    with pytest.raises(InvalidStatus) as raised:
        async with websockets.connect(_tail_url(loki_server, query='{job="x"}', delay_for=6)):
            pass

    response = raised.value.response
    assert response.status_code == 400
    assert response.body == b"delay_for can't be greater than 5\n"


async def test_tail_delay_for_holds_entries(loki_server: EmbeddedLoki) -> None:
    async with websockets.connect(_tail_url(loki_server, query='{job="dl"}', delay_for=1)) as ws:
        await _wait_for_tails(loki_server, 1)
        pushed_at = time.monotonic()
        loki_server.push({"job": "dl"}, [(time.time_ns(), "late")])
        frame = await _next_frame(ws)
        waited = time.monotonic() - pushed_at

    assert _lines(frame) == ["late"]
    assert waited >= 0.9


async def test_tail_slow_reader_gets_dropped_entries(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(tail_queue_size=20)
    line = "x" * 20_000

    async with websockets.connect(
        _tail_url(server, query='{job="slow"}'), max_size=None, max_queue=1
    ) as ws:
        await _wait_for_tails(server, 1)
        base = time.time_ns()
        # Push far more than the socket buffers hold while the client reads nothing.
        for batch in range(40):
            server.push({"job": "slow"}, [(base + batch * 100 + i, line) for i in range(50)])
            await asyncio.sleep(0.005)
        dropped: list[dict[str, Any]] = []
        received = 0
        while received + len(dropped) < 2000:
            frame = await _next_frame(ws)
            received += len(_lines(frame))
            dropped += frame["dropped_entries"] or []

    assert dropped
    assert received + len(dropped) == 2000
    assert dropped[0]["labels"] == {"job": "slow"}
    assert int(dropped[0]["timestamp"]) >= base


async def test_drop_tail_connections_hook(loki_server: EmbeddedLoki) -> None:
    async with websockets.connect(_tail_url(loki_server, query='{job="h"}')) as ws:
        await _wait_for_tails(loki_server, 1)
        dropped = await loki_server.drop_tail_connections()
        closed = await _closed(ws)

    assert dropped == 1
    assert closed.rcvd is None
    assert ws.close_code == 1006
    await _wait_for_tails(loki_server, 0)


async def test_close_tails_hook(loki_server: EmbeddedLoki) -> None:
    async with websockets.connect(_tail_url(loki_server, query='{job="h"}')) as ws:
        await _wait_for_tails(loki_server, 1)
        closing = asyncio.ensure_future(loki_server.close_tails(1001, "going away"))
        closed = await _closed(ws)
        assert await closing == 1

    assert closed.rcvd is not None
    assert closed.rcvd.code == 1001
    assert closed.rcvd.reason == "going away"


async def test_rejected_upgrade_is_plain_http(loki_server: EmbeddedLoki) -> None:
    loki_server.reject_tail_upgrades(200, "<html><body>Sign in</body></html>")

    with pytest.raises(InvalidStatus) as raised:
        async with websockets.connect(_tail_url(loki_server, query='{job="x"}')):
            pass
    loki_server.allow_tail_upgrades()
    async with websockets.connect(_tail_url(loki_server, query='{job="x"}')):
        await _wait_for_tails(loki_server, 1)

    response = raised.value.response
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert response.body == b"<html><body>Sign in</body></html>"
