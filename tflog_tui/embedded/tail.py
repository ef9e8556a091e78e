"""Live tail sessions: one per websocket, fed by pushes, framed like Loki's tail."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Iterable
from typing import Any

import orjson
from aiohttp import web

from tflog_tui.embedded.store import Stream
from tflog_tui.logql.evaluator import LogQueryEvaluator
from tflog_tui.loki.models import Labels

MAX_ENTRIES_PER_FRAME = 100
"""Maximum entries in one websocket frame; a burst is split over several frames."""

# Largest close reason a websocket close frame can carry: 125 bytes of payload
# minus the 2-byte close code.
MAX_CLOSE_REASON_BYTES = 123

_Pending = tuple[float, int, tuple[tuple[str, str], ...], str]


class TailSession:
    """One open tail: a bounded queue of matching entries and the drops it caused.

    `offer` runs synchronously in the push path on the event loop thread. The
    sender task drains the queue into frames of at most `MAX_ENTRIES_PER_FRAME`
    entries, ascending within a frame. When the queue is full, new entries are
    dropped and reported in the next frame's `dropped_entries`.
    """

    def __init__(
        self,
        session_id: int,
        ws: web.WebSocketResponse,
        transport: asyncio.Transport | None,
        pipeline: LogQueryEvaluator,
        query: str,
        delay_s: float,
        queue_size: int,
        peer: str,
    ) -> None:
        self.session_id = session_id
        self.ws = ws
        self.transport = transport
        self.pipeline = pipeline
        self.query = query
        self.delay_s = delay_s
        self.queue_size = queue_size
        self.peer = peer
        self.queue: deque[_Pending] = deque()
        self.dropped: list[dict[str, Any]] = []
        self.dropped_total = 0
        self.sent_total = 0
        self.wakeup = asyncio.Event()
        self._stream_match: dict[Labels, bool] = {}
        self.close_reason = ""

    def offer(self, stream: Stream, entries: Iterable[tuple[int, str, Labels]]) -> None:
        """Queue the entries of one push that this tail's query selects."""
        matches = self._stream_match.get(stream.labels)
        if matches is None:
            matches = self.pipeline.matches_stream(stream.labels)
            self._stream_match[stream.labels] = matches
        if not matches:
            return
        arrival = time.monotonic()
        queued = False
        for ts_ns, line, metadata in entries:
            processed = self.pipeline.process(ts_ns, stream.labels, line, metadata or None)
            if processed is None:
                continue
            labels = {**metadata, **processed.labels}
            key = tuple(sorted(labels.items()))
            if len(self.queue) >= self.queue_size:
                # NOTE: drops are kept until the next frame is sent, so a reader
                # that stops reading entirely makes this list grow without bound.
                self.dropped.append({"timestamp": str(ts_ns), "labels": dict(key)})
                self.dropped_total += 1
                continue
            self.queue.append((arrival, ts_ns, key, processed.line))
            queued = True
        if queued or self.dropped:
            self.wakeup.set()

    def queue_replay(self, entries: list[tuple[int, tuple[tuple[str, str], ...], str]]) -> None:
        """Queue historic entries (ascending) ahead of live ones, unbounded by the queue size."""
        for ts_ns, key, line in reversed(entries):
            self.queue.appendleft((0.0, ts_ns, key, line))
        if entries:
            self.wakeup.set()

    async def run_sender(self) -> None:
        """Send queued entries as frames until the websocket closes."""
        while not self.ws.closed:
            await self.wakeup.wait()
            self.wakeup.clear()
            while (self.queue or self.dropped) and not self.ws.closed:
                if self.delay_s > 0 and self.queue:
                    wait = self.queue[0][0] + self.delay_s - time.monotonic()
                    if wait > 0:
                        await asyncio.sleep(wait)
                        continue
                await self._send_frame()

    async def _send_frame(self) -> None:
        cutoff = time.monotonic() - self.delay_s
        batch: list[_Pending] = []
        while self.queue and len(batch) < MAX_ENTRIES_PER_FRAME:
            if self.delay_s > 0 and self.queue[0][0] > cutoff:
                break
            batch.append(self.queue.popleft())
        batch.sort(key=lambda item: item[1])

        streams: list[dict[str, Any]] = []
        previous_key: tuple[tuple[str, str], ...] | None = None
        for _, ts_ns, key, line in batch:
            if key == previous_key:
                streams[-1]["values"].append([str(ts_ns), line])
                continue
            streams.append({"stream": dict(key), "values": [[str(ts_ns), line]]})
            previous_key = key

        dropped = self.dropped or None
        self.dropped = []
        frame = orjson.dumps({"streams": streams, "dropped_entries": dropped})
        self.sent_total += len(batch)
        await self.ws.send_str(frame.decode("utf-8"))

    async def run_pinger(self, interval_s: float) -> None:
        """Send a websocket ping every `interval_s` seconds."""
        while not self.ws.closed:
            await asyncio.sleep(interval_s)
            if self.ws.closed:
                return
            await self.ws.ping()

    async def close(self, code: int, reason: str) -> None:
        """Close the websocket with `code` and `reason`, or abort when the reason is too long."""
        self.close_reason = reason
        await close_websocket(self.ws, self.transport, code, reason)

    def abort(self) -> None:
        """Drop the TCP connection without a close frame; the client sees code 1006."""
        if self.transport is not None:
            self.transport.abort()


async def close_websocket(
    ws: web.WebSocketResponse, transport: asyncio.Transport | None, code: int, reason: str
) -> None:
    """Close with `code` and `reason`; abort the connection when the reason does not fit.

    A close frame carries at most 123 bytes of reason. Loki does not send a
    close frame then and its client sees code 1006, so this does the same.
    """
    encoded = reason.encode("utf-8")
    if len(encoded) > MAX_CLOSE_REASON_BYTES:
        if transport is not None:
            transport.abort()
        return
    await ws.close(code=code, message=encoded)
