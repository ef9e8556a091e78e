"""Live tail against the embedded server and small aiohttp stand-ins on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.loki import (
    LokiClient,
    LokiSettings,
    LokiTailClosedError,
    TailEntries,
    TailEvent,
    TailSession,
    TailState,
)

MakeServer = Callable[..., Awaitable[EmbeddedLoki]]


async def next_entries(events: TailSession, timeout: float = 5.0) -> list[str]:
    """Return the lines of the next TailEntries event."""
    async with asyncio.timeout(timeout):
        async for event in events:
            if isinstance(event, TailEntries):
                return [entry.line for entry in event.entries]
    raise AssertionError("the tail ended")


async def wait_live(events: TailSession, log: list[TailEvent], timeout: float = 5.0) -> None:
    async with asyncio.timeout(timeout):
        async for event in events:
            log.append(event)
            if isinstance(event, TailState) and event.state == "live":
                return
    raise AssertionError("the tail ended before it was live")


async def final_state(events: TailSession, timeout: float = 5.0) -> list[TailState]:
    """Read events until the iteration ends; return the states seen."""
    states = []
    async with asyncio.timeout(timeout):
        async for event in events:
            if isinstance(event, TailState):
                states.append(event)
    return states


async def test_max_duration_every_number_once(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(tail_max_duration_s=2.0)
    settings = LokiSettings(addr=server.url)
    received: list[int] = []
    states: list[TailState] = []

    async def push_numbers() -> None:
        for number in range(120):
            server.push({"app": "count"}, [(time.time_ns(), str(number))])
            await asyncio.sleep(0.05)

    async with LokiClient(settings) as client, client.tail('{app="count"}') as events:
        pusher = asyncio.create_task(push_numbers())
        async with asyncio.timeout(15):
            async for event in events:
                if isinstance(event, TailState):
                    states.append(event)
                elif isinstance(event, TailEntries):
                    received.extend(int(entry.line) for entry in event.entries)
                if len(received) >= 120:
                    break
        await pusher
        reconnects = events.reconnects

    assert received == list(range(120))
    assert reconnects >= 2
    assert any(state.reason == "reached tail max duration limit" for state in states)


async def test_reconnect_replays_without_duplicates(loki_server: EmbeddedLoki) -> None:
    ts = time.time_ns()
    settings = LokiSettings(addr=loki_server.url, tail_backoff_initial_s=0.2)
    log: list[TailEvent] = []

    async with LokiClient(settings) as client, client.tail('{app="replay"}') as events:
        await wait_live(events, log)
        loki_server.push({"app": "replay"}, [(ts, "first at T")])
        assert await next_entries(events) == ["first at T"]

        dropped = await loki_server.drop_tail_connections()
        loki_server.push({"app": "replay"}, [(ts, "second at T during the gap")])
        after = await next_entries(events)
        loki_server.push({"app": "replay"}, [(ts + 1, "after the gap")])
        later = await next_entries(events)

    assert dropped == 1
    assert after == ["second at T during the gap"]
    assert later == ["after the gap"]


async def test_drops_and_end_keep_every_number(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(max_concurrent_tails=50)
    settings = LokiSettings(addr=server.url, tail_backoff_initial_s=0.3)
    total = 5000
    received: list[int] = []
    reasons: list[str] = []

    async def push_numbers() -> None:
        # 1,000 lines/s in batches of 10; pairs of lines share one nanosecond.
        for first in range(0, total, 10):
            now = time.time_ns()
            server.push(
                {"app": "numbers"},
                [
                    (now + (number - first) // 2, f"{number:05d}")
                    for number in range(first, first + 10)
                ],
            )
            await asyncio.sleep(0.01)

    async def interrupt() -> None:
        for round_number in range(6):
            await asyncio.sleep(0.6)
            if round_number == 3:
                await server.close_tails(1011, "reached tail max duration limit")
            else:
                await server.drop_tail_connections()

    async with LokiClient(settings) as client, client.tail('{app="numbers"}') as events:
        log: list[TailEvent] = []
        await wait_live(events, log)
        pusher = asyncio.create_task(push_numbers())
        chaos = asyncio.create_task(interrupt())
        async with asyncio.timeout(14):
            async for event in events:
                if isinstance(event, TailEntries):
                    received.extend(int(entry.line) for entry in event.entries)
                elif isinstance(event, TailState) and event.reason:
                    reasons.append(event.reason)
                if len(received) >= total:
                    break
        await chaos
        await pusher

    assert len(received) == total
    assert received == list(range(total))
    assert "reached tail max duration limit" in reasons
    assert sum("code 1006" in reason for reason in reasons) >= 5


async def test_delay_for_too_large_stops(loki_server: EmbeddedLoki) -> None:
    async with (
        LokiClient(LokiSettings(addr=loki_server.url)) as client,
        client.tail('{app="x"}', delay_for=6) as events,
    ):
        states = await final_state(events)

    assert [state.state for state in states] == ["connecting", "stopped"]
    error = states[-1].error
    assert isinstance(error, LokiTailClosedError)
    assert error.status == 400
    assert "delay_for can't be greater than 5" in str(error)


async def test_close_1011_other_reason_stops(loki_server: EmbeddedLoki) -> None:
    reason = "max concurrent tail requests limit exceeded, count > limit (11 > 10)"
    async with (
        LokiClient(LokiSettings(addr=loki_server.url)) as client,
        client.tail('{app="x"}') as events,
    ):
        log: list[TailEvent] = []
        await wait_live(events, log)
        await loki_server.close_tails(1011, reason)
        states = await final_state(events)

    assert [state.state for state in states] == ["stopped"]
    error = states[0].error
    assert isinstance(error, LokiTailClosedError)
    assert error.code == 1011
    assert error.reason == reason
    assert reason in str(error)


async def test_invalid_query_stops(loki_server: EmbeddedLoki) -> None:
    async with (
        LokiClient(LokiSettings(addr=loki_server.url)) as client,
        client.tail('{app="x"') as events,
    ):
        states = await final_state(events)

    assert states[-1].state == "stopped"
    assert states[-1].error is not None
    assert "parse error" in str(states[-1].error)


@pytest.fixture
async def not_upgrading_proxy() -> AsyncIterator[tuple[str, list[web.Request]]]:
    """Serve a proxy stand-in that responds to the tail path without upgrading."""
    seen: list[web.Request] = []

    async def tail_200(request: web.Request) -> web.Response:
        seen.append(request)
        page = "<!DOCTYPE html>\n<html><title>Sign in</title><body>Sign in</body></html>"
        return web.Response(text=page, content_type="text/html")

    async def tail_400(request: web.Request) -> web.Response:
        seen.append(request)
        return web.Response(status=400, text="Bad Request: websocket not supported\nmore")

    async def query_range(request: web.Request) -> web.Response:
        body = '{"status":"success","data":{"resultType":"streams","result":[]}}'
        return web.Response(body=body, content_type="application/json")

    app = web.Application()
    app.router.add_get("/a/loki/api/v1/tail", tail_200)
    app.router.add_get("/b/loki/api/v1/tail", tail_400)
    app.router.add_get("/a/loki/api/v1/query_range", query_range)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"http://127.0.0.1:{port}", seen
    finally:
        await runner.cleanup()


async def test_proxy_200_html_stops(not_upgrading_proxy: tuple[str, list[web.Request]]) -> None:
    base, seen = not_upgrading_proxy
    settings = LokiSettings(addr=base + "/a", retries=0)
    async with LokiClient(settings) as client, client.tail('{app="x"}') as events:
        states = await final_state(events)
        now = time.time_ns()
        batches = [
            batch
            async for batch in client.query_range(
                '{app="x"}', start_ns=now - 3600 * 10**9, end_ns=now
            )
        ]

    error = states[-1].error
    assert states[-1].state == "stopped"
    assert isinstance(error, LokiTailClosedError)
    assert error.status == 200
    assert "<!DOCTYPE html>" in str(error)
    assert "proxy" in str(error)
    assert len(seen) == 1
    assert batches == []


async def test_proxy_400_text_stops(not_upgrading_proxy: tuple[str, list[web.Request]]) -> None:
    base, seen = not_upgrading_proxy
    async with (
        LokiClient(LokiSettings(addr=base + "/b")) as client,
        client.tail('{app="x"}') as events,
    ):
        states = await final_state(events)

    error = states[-1].error
    assert isinstance(error, LokiTailClosedError)
    assert error.status == 400
    assert "Bad Request: websocket not supported" in str(error)
    assert "more" not in str(error)
    assert "proxy" in str(error)
    assert len(seen) == 1


async def test_tail_sends_auth_headers(
    not_upgrading_proxy: tuple[str, list[web.Request]], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    base, seen = not_upgrading_proxy
    settings = LokiSettings(
        addr=base + "/b", bearer_token="s3cret-token", org_id="tenant-7", headers={"X-Team": "ops"}
    )
    async with (
        LokiClient(settings) as client,
        client.tail('{app="x"}', start_ns=1_700_000_000_123_456_789) as events,
    ):
        states = await final_state(events)

    headers = seen[0].headers
    assert headers["Authorization"] == "Bearer s3cret-token"
    assert headers["X-Scope-OrgID"] == "tenant-7"
    assert headers["X-Team"] == "ops"
    assert headers["User-Agent"].startswith("tflog/")
    assert seen[0].query["query"] == '{app="x"}'
    assert "s3cret-token" not in str(states[-1].error)
    assert "s3cret-token" not in caplog.text


async def test_close_from_another_task(loki_server: EmbeddedLoki) -> None:
    events_seen: list[TailEvent] = []

    async with LokiClient(LokiSettings(addr=loki_server.url)) as client:
        session = client.tail('{app="x"}')

        async def consume() -> None:
            async for event in session:
                events_seen.append(event)

        reader = asyncio.create_task(consume())
        async with asyncio.timeout(5):
            while loki_server.tail_count == 0:
                await asyncio.sleep(0.01)
        await session.aclose()
        await asyncio.wait_for(reader, 2)

    assert [event.state for event in events_seen if isinstance(event, TailState)] == [
        "connecting",
        "live",
    ]


async def test_replay_limit_lowered(make_loki_server: MakeServer) -> None:
    server = await make_loki_server(max_entries_limit_per_query=50)
    ts = time.time_ns()
    server.push({"app": "small"}, [(ts + index, f"line {index}") for index in range(80)])

    async with (
        LokiClient(LokiSettings(addr=server.url)) as client,
        client.tail('{app="small"}', start_ns=ts - 10**9, limit=100) as events,
    ):
        lines = await next_entries(events)
        page_size = client.max_page_size

    assert page_size == 50
    assert lines == [f"line {index}" for index in range(30, 80)]
