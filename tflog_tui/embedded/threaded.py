"""Run an `EmbeddedLoki` on its own event loop in a background thread."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable, Mapping
from types import TracebackType
from typing import Any, TypeVar

from tflog_tui.embedded.server import EmbeddedLoki

logger = logging.getLogger(__name__)

T = TypeVar("T")

_START_TIMEOUT_S = 30.0


class ThreadedServer:
    """An `EmbeddedLoki` serving from a daemon thread; every method is thread-safe."""

    def __init__(self, server: EmbeddedLoki, host: str = "127.0.0.1", port: int = 0) -> None:
        self.server = server
        self._host = host
        self._port = port
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._url: str | None = None
        self._thread = threading.Thread(target=self._run, name="embedded-loki", daemon=True)

    @property
    def url(self) -> str:
        """Return the base URL of the running server."""
        if self._url is None:
            raise RuntimeError("the server is not started")
        return self._url

    @property
    def loop(self) -> asyncio.AbstractEventLoop:
        """Return the event loop the server runs on."""
        return self._loop

    def start(self) -> str:
        """Start the thread and wait until the server listens; return its URL."""
        self._thread.start()
        if not self._ready.wait(_START_TIMEOUT_S):
            raise RuntimeError("the embedded Loki server did not start in time")
        if self._error is not None:
            raise RuntimeError(f"the embedded Loki server failed to start: {self._error}")
        return self.url

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._url = self._loop.run_until_complete(self.server.start(self._host, self._port))
        except BaseException as error:  # reported to the starting thread
            logger.error(
                "embedded Loki failed to start on %s:%d: %s", self._host, self._port, error
            )
            self._error = error
            self._loop.close()
            self._ready.set()
            return
        self._ready.set()
        try:
            self._loop.run_forever()
        finally:
            self._loop.run_until_complete(self.server.stop())
            self._loop.close()

    def call(self, coroutine_function: Callable[[], Awaitable[T]], timeout: float = 30.0) -> T:
        """Run `coroutine_function()` on the server's loop and return its result."""

        async def runner() -> T:
            return await coroutine_function()

        return asyncio.run_coroutine_threadsafe(runner(), self._loop).result(timeout)

    def push(
        self,
        labels: Mapping[str, str],
        entries: Iterable[tuple[int, str]] | Iterable[tuple[int, str, Mapping[str, str] | None]],
        metadata: Mapping[str, str] | None = None,
    ) -> int:
        """Push entries on the server's loop; return how many were stored."""
        materialized: list[Any] = list(entries)

        async def push() -> int:
            return self.server.push(labels, materialized, metadata)

        return self.call(push)

    def stop(self, timeout: float = 10.0) -> None:
        """Stop the server and its thread."""
        if not self._thread.is_alive():
            return
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout)

    def __enter__(self) -> ThreadedServer:
        if not self._thread.is_alive() and self._url is None:
            self.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def serve_in_thread(
    server: EmbeddedLoki | None = None, host: str = "127.0.0.1", port: int = 0
) -> ThreadedServer:
    """Start `server` (a new one by default) in a background thread; return the handle."""
    threaded = ThreadedServer(server or EmbeddedLoki(), host, port)
    threaded.start()
    return threaded
