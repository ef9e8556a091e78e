"""Run the embedded server in the foreground, as `tflog serve` does."""

from __future__ import annotations

import asyncio
import logging
import time

from tflog_tui.embedded.demo import DemoGenerator, load_history
from tflog_tui.embedded.limits import ServerLimits
from tflog_tui.embedded.server import EmbeddedLoki

logger = logging.getLogger(__name__)


def create_server(
    demo: bool = False,
    retention_ns: int | None = None,
    limits: ServerLimits | None = None,
    seed: int = 7,
) -> EmbeddedLoki:
    """Return an unstarted server; with `demo`, 24 hours of demo history are loaded."""
    limits = limits or ServerLimits()
    if retention_ns is not None:
        limits.retention_ns = retention_ns
    server = EmbeddedLoki(limits)
    if demo:
        started = time.perf_counter()
        generator = DemoGenerator(seed=seed)
        server.demo_pending = load_history(server, 24, generator)
        server.demo_generator = generator
        logger.info(
            "demo history loaded: %d entries in %d streams in %.2f s",
            server.store.total_entries,
            len(server.store.streams),
            time.perf_counter() - started,
        )
    return server


async def serve_forever(
    host: str = "127.0.0.1",
    port: int = 3100,
    demo: bool = False,
    retention_ns: int | None = None,
    limits: ServerLimits | None = None,
) -> None:
    """Serve until cancelled; with `demo`, also push a live feed of demo entries."""
    server = create_server(demo, retention_ns, limits)
    url = await server.start(host, port)
    logger.info("serving Loki's HTTP API at %s (push to %s/loki/api/v1/push)", url, url)
    if demo:
        server.start_demo_feed()
    try:
        await asyncio.Event().wait()
    finally:
        await server.stop()


def run_server(
    host: str = "127.0.0.1",
    port: int = 3100,
    demo: bool = False,
    retention_ns: int | None = None,
    limits: ServerLimits | None = None,
) -> None:
    """Serve on host:port until Ctrl-C."""
    try:
        asyncio.run(serve_forever(host, port, demo, retention_ns, limits))
    except KeyboardInterrupt:
        logger.info("interrupted, server stopped")
