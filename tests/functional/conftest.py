"""Fixtures for the app tests: an embedded Loki on 127.0.0.1 with a fixed data set."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from app_helpers import NOW_NS, load_fixed_data

from tflog_tui.embedded import EmbeddedLoki, ServerLimits


@pytest.fixture
async def fixed_server() -> AsyncIterator[EmbeddedLoki]:
    """Yield an embedded Loki on 127.0.0.1 with the fixed data set and the frozen clock."""
    server = EmbeddedLoki(ServerLimits(tail_ping_interval_s=0.2), now_ns=lambda: NOW_NS)
    await server.start("127.0.0.1", 0)
    load_fixed_data(server)
    try:
        yield server
    finally:
        await server.stop()


@pytest.fixture(autouse=True)
def no_animations(monkeypatch: pytest.MonkeyPatch) -> None:
    """Turn off animations: Pilot waits for every animation to finish after each key."""
    monkeypatch.setattr("textual.constants.TEXTUAL_ANIMATIONS", "none")
