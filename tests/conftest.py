"""Shared fixtures: an embedded Loki server on 127.0.0.1 with an ephemeral port."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import pytest

from tflog_tui.embedded import EmbeddedLoki, ServerLimits


@pytest.fixture
async def loki_server() -> AsyncIterator[EmbeddedLoki]:
    """Yield a started `EmbeddedLoki` with default limits; `.url` is its base URL."""
    server = EmbeddedLoki()
    await server.start("127.0.0.1", 0)
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture
async def make_loki_server() -> AsyncIterator[Callable[..., Awaitable[EmbeddedLoki]]]:
    """Yield a factory: `await make_loki_server(tail_max_duration_s=2.0, ...)`.

    Keyword arguments are `ServerLimits` fields, plus `now_ns` for a fixed clock.
    Every server made is stopped when the test ends.
    """
    servers: list[EmbeddedLoki] = []

    async def make(**options: Any) -> EmbeddedLoki:
        now_ns = options.pop("now_ns", None)
        server = EmbeddedLoki(ServerLimits(**options), now_ns=now_ns)
        await server.start("127.0.0.1", 0)
        servers.append(server)
        return server

    try:
        yield make
    finally:
        for server in servers:
            await server.stop()
