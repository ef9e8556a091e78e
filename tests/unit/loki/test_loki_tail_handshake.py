"""Tail handshakes that get a page instead of an upgrade, and handshakes cut short.

websockets raises `InvalidStatus` for a well-formed non-101 response and
`InvalidMessage` for one it cannot parse (an HTTP/1.0 status line, a
connection closed mid-response). Each server here runs on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field

import pytest
from aiohttp import web

from tflog_tui.loki import LokiClient, LokiSettings, LokiTailClosedError, TailSession, TailState

PAGE = "<!DOCTYPE html>\n<html><title>Sign in</title><body>Sign in</body></html>\n"
HINT = "Is the address behind a login page or proxy?"


def fast_settings(addr: str) -> LokiSettings:
    """Settings whose reconnect backoff takes milliseconds."""
    return LokiSettings(addr=addr, tail_backoff_initial_s=0.01, tail_backoff_max_s=0.05)


async def states_until_stop(events: TailSession, timeout: float = 5.0) -> list[TailState]:
    """Read events until the iteration ends; return the states seen."""
    states = []
    async with asyncio.timeout(timeout):
        async for event in events:
            if isinstance(event, TailState):
                states.append(event)
    return states


async def reconnect_states(events: TailSession, count: int) -> list[TailState]:
    """Read events until `count` reconnecting states arrived; return every state seen."""
    states = []
    async with asyncio.timeout(5.0):
        async for event in events:
            if isinstance(event, TailState):
                states.append(event)
                if sum(state.state == "reconnecting" for state in states) >= count:
                    return states
    raise AssertionError(f"the tail ended: {states}")


@dataclass
class RawServer:
    """A raw asyncio server: `url`, and the request heads received, one per connection."""

    url: str = ""
    requests: list[str] = field(default_factory=list)


Respond = Callable[[str, asyncio.StreamWriter], Awaitable[None]]


@pytest.fixture
async def raw_server() -> AsyncIterator[Callable[[Respond], Awaitable[RawServer]]]:
    """Yield a factory that starts a raw server calling `respond(request_head, writer)`."""
    servers: list[asyncio.Server] = []

    async def start(respond: Respond) -> RawServer:
        state = RawServer()

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1")
                state.requests.append(head)
                await respond(head, writer)
            except (asyncio.IncompleteReadError, ConnectionError):
                pass
            finally:
                writer.close()

        server = await asyncio.start_server(handle, "127.0.0.1", 0)
        servers.append(server)
        port = server.sockets[0].getsockname()[1]
        state.url = f"http://127.0.0.1:{port}"
        return state

    try:
        yield start
    finally:
        for server in servers:
            server.close()
            await server.wait_closed()


async def http10_page(head: str, writer: asyncio.StreamWriter) -> None:
    """Respond like `python3 -m http.server`: HTTP/1.0, no Content-Length, then close."""
    writer.write(b"HTTP/1.0 200 OK\r\nContent-Type: text/html\r\n\r\n" + PAGE.encode())
    await writer.drain()


async def close_at_once(head: str, writer: asyncio.StreamWriter) -> None:
    """Close the connection without a response."""


async def test_aiohttp_login_page_stops() -> None:
    requests: list[web.Request] = []

    async def page(request: web.Request) -> web.Response:
        requests.append(request)
        return web.Response(text=PAGE, content_type="text/html")

    app = web.Application()
    app.router.add_get("/{path:.*}", page)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    base = f"http://127.0.0.1:{port}"
    try:
        async with LokiClient(fast_settings(base)) as client, client.tail('{app="x"}') as events:
            states = await states_until_stop(events)
            await asyncio.sleep(0.2)
    finally:
        await runner.cleanup()

    assert [state.state for state in states] == ["connecting", "stopped"]
    error = states[-1].error
    assert isinstance(error, LokiTailClosedError)
    assert error.status == 200
    assert str(error) == (
        f"Loki at {base} answered 200: the tail request got an HTML page, not Loki's API "
        f"(text/html; charset=utf-8, first line: <!DOCTYPE html>). {HINT}"
    )
    assert len(requests) == 1


async def test_http10_login_page_stops(
    raw_server: Callable[[Respond], Awaitable[RawServer]],
) -> None:
    server = await raw_server(http10_page)

    async with (
        LokiClient(fast_settings(server.url)) as client,
        client.tail('{app="x"}') as events,
    ):
        states = await states_until_stop(events)
        await asyncio.sleep(0.2)

    assert [state.state for state in states] == ["connecting", "stopped"]
    error = states[-1].error
    assert isinstance(error, LokiTailClosedError)
    assert error.status == 200
    assert error.server == server.url
    assert str(error) == (
        f"Loki at {server.url} answered 200: the tail request got an HTML page, "
        f"not Loki's API (text/html, first line: <!DOCTYPE html>). {HINT}"
    )
    assert len(server.requests) == 2
    handshake, plain_get = server.requests
    assert "upgrade: websocket" in handshake.lower()
    assert "upgrade:" not in plain_get.lower()
    assert plain_get.split(" ")[1] == handshake.split(" ")[1]
    assert plain_get.startswith("GET /loki/api/v1/tail?query=")


async def test_http10_json_answer_stops(
    raw_server: Callable[[Respond], Awaitable[RawServer]],
) -> None:
    async def json_answer(head: str, writer: asyncio.StreamWriter) -> None:
        writer.write(b'HTTP/1.0 200 OK\r\nContent-Type: application/json\r\n\r\n{"status":"ok"}')
        await writer.drain()

    server = await raw_server(json_answer)

    async with (
        LokiClient(fast_settings(server.url)) as client,
        client.tail('{app="x"}') as events,
    ):
        states = await states_until_stop(events)

    assert [state.state for state in states] == ["connecting", "stopped"]
    error = states[-1].error
    assert isinstance(error, LokiTailClosedError)
    assert error.status == 200
    assert 'instead of a websocket upgrade (101): {"status":"ok"}' in str(error)
    assert len(server.requests) == 2


async def test_dropped_connection_retries(
    raw_server: Callable[[Respond], Awaitable[RawServer]],
) -> None:
    server = await raw_server(close_at_once)

    async with (
        LokiClient(fast_settings(server.url)) as client,
        client.tail('{app="x"}') as events,
    ):
        states = await reconnect_states(events, 3)

    assert [state.state for state in states] == [
        "connecting",
        "reconnecting",
        "reconnecting",
        "reconnecting",
    ]
    assert [state.attempt for state in states[1:]] == [1, 2, 3]
    assert states[-1].reason == "cannot connect the tail: did not receive a valid HTTP response"
    assert len(server.requests) >= 3


async def test_cut_handshake_to_websocket_endpoint_retries(
    raw_server: Callable[[Respond], Awaitable[RawServer]],
) -> None:
    async def websocket_endpoint(head: str, writer: asyncio.StreamWriter) -> None:
        if "upgrade: websocket" in head.lower():
            writer.write(b"HTTP/1.1 101 Switching")
        else:
            writer.write(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 11\r\n\r\nBad Request")
        await writer.drain()

    server = await raw_server(websocket_endpoint)

    async with (
        LokiClient(fast_settings(server.url)) as client,
        client.tail('{app="x"}') as events,
    ):
        states = await reconnect_states(events, 2)

    assert [state.state for state in states] == ["connecting", "reconnecting", "reconnecting"]
    assert all(state.error is None for state in states)
    assert states[-1].reason == "cannot connect the tail: did not receive a valid HTTP response"


async def test_refused_connection_retries() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    async with (
        LokiClient(fast_settings(f"http://127.0.0.1:{port}")) as client,
        client.tail('{app="x"}') as events,
    ):
        states = await reconnect_states(events, 2)

    assert [state.state for state in states] == ["connecting", "reconnecting", "reconnecting"]
    assert states[-1].reason.startswith("cannot connect the tail: ")
