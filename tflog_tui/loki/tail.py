"""Live tail over Loki's websocket, resumed without losing or repeating entries.

A tail resumes after a dropped connection, an abnormal close (1006) or
Loki's `reached tail max duration limit` (1011). Before it connects again it
reads the gap with an exact forward range query from the last timestamp
seen, then tails from the newest timestamp read. Entries at that timestamp
whose (labels, line) were already delivered are dropped; a different entry
at the same nanosecond is still delivered once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import ssl
import time
from collections.abc import AsyncGenerator, AsyncIterator, Sequence
from dataclasses import dataclass, field
from types import TracebackType
from typing import TYPE_CHECKING, Literal

import httpx

from tflog_tui.loki.decode import DecodeError, decode_tail_frame
from tflog_tui.loki.errors import (
    LokiAuthError,
    LokiBadRequestError,
    LokiError,
    LokiResponseError,
    LokiTailClosedError,
    LokiTLSError,
    first_line,
    looks_like_html,
)
from tflog_tui.loki.models import Entry, LabelInterner, Labels
from tflog_tui.loki.paging import parse_max_entries_limit

# websockets is imported where a tail connects or reads, so the app's start-up
# does not pay for its import (about 16 ms) until a tail starts.
if TYPE_CHECKING:
    from websockets.asyncio.client import ClientConnection
    from websockets.exceptions import ConnectionClosed, InvalidMessage

    from tflog_tui.loki.client import LokiClient

logger = logging.getLogger(__name__)

TAIL_PATH = "/loki/api/v1/tail"
MAX_DURATION_REASON = "reached tail max duration limit"
# Handshake statuses that a restarting Loki or its proxy sends for a moment.
_TRANSIENT_STATUSES = frozenset({429, 502, 503, 504})
# Past entries replayed after a resume; repeats are dropped, so more is safer.
_RESUME_REPLAY_LIMIT = 5000
# Statuses a websocket endpoint sends to a GET without upgrade headers:
# gorilla/websocket, which Loki uses, sends 400, and some servers 426.
_WEBSOCKET_ENDPOINT_STATUSES = frozenset({400, 426})
# Bytes of a page read by the plain GET that explains a failed handshake.
_PROBE_BODY_BYTES = 4096

TailStateName = Literal["connecting", "live", "reconnecting", "stopped"]


@dataclass(frozen=True, slots=True)
class TailEntries:
    """New entries, ascending by timestamp within the batch."""

    entries: list[Entry]


@dataclass(frozen=True, slots=True)
class TailDropped:
    """Entries Loki dropped because the reader was too slow: (timestamp ns, labels)."""

    count: int
    entries: list[tuple[int, Labels]] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class TailState:
    """A change of the tail's connection state.

    `attempt` counts reconnects since the last successful connect, `reason`
    explains the change and `error` is set when the tail stopped on
    an error or is retrying after one.
    """

    state: TailStateName
    attempt: int = 0
    reason: str = ""
    error: LokiError | None = None


TailEvent = TailEntries | TailDropped | TailState


class _Stop(Exception):
    """Raised inside the tail loop to end it with a final error."""

    def __init__(self, error: LokiError) -> None:
        super().__init__(str(error))
        self.error = error


class _Retry(Exception):
    """Raised inside the tail loop to reconnect after a delay."""

    def __init__(
        self, reason: str, error: LokiError | None = None, immediate: bool = False
    ) -> None:
        super().__init__(reason)
        self.reason = reason
        self.error = error
        self.immediate = immediate


class TailSession:
    """An async context manager and async iterator of tail events."""

    def __init__(
        self,
        client: LokiClient,
        query: str,
        *,
        start_ns: int | None = None,
        limit: int = 100,
        delay_for: int = 0,
    ) -> None:
        self.client = client
        self.query = query
        self.start_ns = start_ns
        self.limit = limit
        self.delay_for = delay_for
        self.reconnects = 0
        self.last_ns: int | None = None
        self._seen_at_last: set[tuple[Labels, str]] = set()
        self._interner = LabelInterner()
        self._events: AsyncGenerator[TailEvent, None] | None = None
        self._closed = False
        self._closing = asyncio.Event()
        self._ws: ClientConnection | None = None

    async def __aenter__(self) -> TailSession:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    def __aiter__(self) -> TailSession:
        return self

    async def __anext__(self) -> TailEvent:
        if self._closed:
            raise StopAsyncIteration
        if self._events is None:
            self._events = self._run()
        return await self._events.__anext__()

    async def aclose(self) -> None:
        """Close the websocket and end the iteration, also when another task iterates."""
        self._closed = True
        self._closing.set()
        if self._ws is not None:
            await self._ws.close()
        if self._events is not None:
            events = self._events
            self._events = None
            # RuntimeError: another task is inside the generator, and it ends
            # at its next step because the websocket is closed.
            with contextlib.suppress(RuntimeError):
                await events.aclose()

    # Deduplication

    def admit(self, entries: Sequence[Entry]) -> list[Entry]:
        """Return the entries not yet delivered, given in ascending order.

        Only entries at the newest timestamp delivered can repeat after a
        resume, so only their (labels, line) keys are kept. An entry older
        than that timestamp is a late write and is delivered.

        NOTE: a late entry (older than the newest timestamp delivered) that
        arrives while the tail is disconnected is missed, because the gap is
        read from that newest timestamp on.
        """
        fresh = []
        for entry in entries:
            ts_ns = entry.ts_ns
            last_ns = self.last_ns
            if last_ns is None or ts_ns > last_ns:
                self.last_ns = ts_ns
                self._seen_at_last = {(entry.labels, entry.line)}
                fresh.append(entry)
            elif ts_ns == last_ns:
                key = (entry.labels, entry.line)
                if key not in self._seen_at_last:
                    self._seen_at_last.add(key)
                    fresh.append(entry)
            else:
                fresh.append(entry)
        return fresh

    # The loop

    async def _run(self) -> AsyncGenerator[TailEvent, None]:
        server = self.client.server
        settings = self.client.settings
        attempt = 0
        delay_s = settings.tail_backoff_initial_s
        connected_once = False

        while not self._closed:
            if not connected_once and attempt == 0:
                yield TailState("connecting")
            try:
                if connected_once:
                    async for batch in self._fill_gap():
                        yield TailEntries(batch)
                ws = await self._connect(resumed=connected_once)
            except _Stop as stop:
                logger.error("tail of %s stopped: %s", server, stop.error)
                yield TailState("stopped", attempt, _reason_of(stop.error), stop.error)
                return
            except _Retry as retry:
                if retry.immediate:
                    continue
                attempt += 1
                pause_s = delay_s * random.uniform(0.8, 1.2)
                delay_s = min(delay_s * 2, settings.tail_backoff_max_s)
                logger.warning(
                    "tail of %s: %s; reconnect %d in %.1f s", server, retry.reason, attempt, pause_s
                )
                yield TailState("reconnecting", attempt, retry.reason, retry.error)
                await self._pause(pause_s)
                continue

            if connected_once:
                self.reconnects += 1
            connected_once = True
            attempt = 0
            delay_s = settings.tail_backoff_initial_s
            logger.info("tail of %s connected: %s", server, self.query)
            self._ws = ws
            yield TailState("live")

            outcome: _Stop | _Retry
            try:
                async for event in self._read(ws):
                    yield event
                outcome = _Retry("the tail ended")
            except (_Stop, _Retry) as ended:
                outcome = ended
            finally:
                self._ws = None
                await ws.close()

            if self._closed:
                return
            if isinstance(outcome, _Stop):
                logger.error("tail of %s stopped: %s", server, outcome.error)
                yield TailState("stopped", 0, _reason_of(outcome.error), outcome.error)
                return

            attempt = 1
            if outcome.immediate:
                logger.info("tail of %s: %s; reconnecting now", server, outcome.reason)
                yield TailState("reconnecting", attempt, outcome.reason, outcome.error)
                continue
            pause_s = delay_s * random.uniform(0.8, 1.2)
            delay_s = min(delay_s * 2, settings.tail_backoff_max_s)
            logger.warning("tail of %s: %s; reconnect in %.1f s", server, outcome.reason, pause_s)
            yield TailState("reconnecting", attempt, outcome.reason, outcome.error)
            await self._pause(pause_s)

    async def _pause(self, seconds: float) -> None:
        """Sleep before a reconnect; `aclose` cuts the sleep short."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._closing.wait(), seconds)

    async def _read(self, ws: ClientConnection) -> AsyncIterator[TailEvent]:
        from websockets.exceptions import ConnectionClosed

        server = self.client.server
        while True:
            try:
                message = await ws.recv()
            except ConnectionClosed as closed:
                raise self._close_outcome(closed) from closed

            try:
                frame = decode_tail_frame(message, self._interner)
            except DecodeError as error:
                logger.warning("tail of %s: skipped a frame that does not decode: %s",
                               server, error)
                continue

            if frame.dropped:
                logger.warning("tail of %s: Loki dropped %d entries", server, len(frame.dropped))
                yield TailDropped(len(frame.dropped), frame.dropped)
            fresh = self.admit(frame.entries)
            if fresh:
                yield TailEntries(fresh)

    def _close_outcome(self, closed: ConnectionClosed) -> _Stop | _Retry:
        server = self.client.server
        code = closed.rcvd.code if closed.rcvd is not None else 1006
        reason = closed.rcvd.reason if closed.rcvd is not None else ""
        if code == 1011 and MAX_DURATION_REASON in reason:
            return _Retry(reason, immediate=True)
        if code == 1011:
            return _Stop(
                LokiTailClosedError(
                    server,
                    f"closed the tail with code 1011: {reason or 'no reason given'}",
                    code=code,
                    reason=reason,
                    hint=_close_hint(reason),
                )
            )
        text = f"the tail connection closed (code {code}{': ' + reason if reason else ''})"
        return _Retry(text)

    async def _fill_gap(self) -> AsyncIterator[list[Entry]]:
        """Read what arrived while disconnected, from the last timestamp delivered until now."""
        if self.last_ns is None:
            return
        now_ns = time.time_ns()
        oldest_ns = now_ns - self.client.max_query_length_ns + 1_000_000_000
        start_ns = max(self.last_ns, oldest_ns)
        if start_ns >= now_ns:
            return
        try:
            async for batch in self.client.query_range(
                self.query, start_ns=start_ns, end_ns=now_ns, direction="forward"
            ):
                fresh = self.admit(batch)
                if fresh:
                    yield fresh
        except (LokiBadRequestError, LokiAuthError, LokiTLSError) as error:
            raise _Stop(error) from error
        except LokiError as error:
            raise _Retry(f"reading the gap failed: {error}", error) from error

    def _start_param(self, resumed: bool) -> int | None:
        start_ns = self.last_ns if resumed and self.last_ns is not None else self.start_ns
        if start_ns is None:
            return None
        oldest_ns = time.time_ns() - self.client.max_query_length_ns + 1_000_000_000
        return max(start_ns, oldest_ns)

    async def _connect(self, resumed: bool) -> ClientConnection:
        from websockets.asyncio.client import connect
        from websockets.exceptions import (
            InvalidHandshake,
            InvalidMessage,
            InvalidStatus,
            InvalidURI,
        )

        transport = self.client.transport
        server = self.client.server
        params = {"query": self.query}
        start_ns = self._start_param(resumed)
        if start_ns is not None:
            params["start"] = str(start_ns)
        limit = self.limit
        if resumed:
            limit = max(limit, _RESUME_REPLAY_LIMIT)
        params["limit"] = str(min(limit, self.client.max_page_size))
        if self.delay_for:
            params["delay_for"] = str(self.delay_for)
        url = transport.websocket_url(TAIL_PATH, params)

        try:
            options = transport.websocket_options()
            return await connect(url, **options)
        except LokiError as error:
            raise _Stop(error) from error
        except InvalidStatus as invalid:
            response = invalid.response
            raise self._handshake_outcome(
                response.status_code,
                response.headers.get("Content-Type", ""),
                bytes(response.body or b""),
            ) from invalid
        except InvalidMessage as invalid:
            raise await self._unparsed_handshake_outcome(params, invalid) from invalid
        except ssl.SSLError as error:
            raise _Stop(LokiTLSError(server, f"TLS handshake failed: {error}")) from error
        except InvalidURI as error:
            raise _Stop(LokiResponseError(server, f"invalid tail address: {error}")) from error
        except (OSError, TimeoutError, InvalidHandshake) as error:
            raise _Retry(_connect_failure(error)) from error

    async def _unparsed_handshake_outcome(
        self, params: dict[str, str], invalid: InvalidMessage
    ) -> _Stop | _Retry:
        """Decide what a handshake response that websockets could not parse means.

        websockets parses only HTTP/1.1 responses, so an HTTP/1.0 page (as
        `python -m http.server` sends) or a connection closed mid-response
        ends as `InvalidMessage`, with no status. One plain GET of the same
        address separates a page that is not Loki's API (stop) from a dropped
        connection (retry).
        """
        server = self.client.server
        retry = _Retry(_connect_failure(invalid))
        answer = await self._probe(params)
        if answer is None:
            return retry

        status, content_type, body = answer
        logger.warning(
            "tail of %s: the handshake response did not parse (%s); a plain GET got HTTP %d (%s)",
            server,
            invalid.__cause__ or invalid,
            status,
            content_type or "no Content-Type",
        )
        if status in _WEBSOCKET_ENDPOINT_STATUSES and not looks_like_html(body):
            return retry

        return self._handshake_outcome(status, content_type, body)

    async def _probe(self, params: dict[str, str]) -> tuple[int, str, bytes] | None:
        """GET the tail address without an upgrade through the client's HTTP transport.

        Returns the status, the Content-Type and up to `_PROBE_BODY_BYTES`
        bytes of the body, or None when no HTTP response arrived.
        """
        transport = self.client.transport
        try:
            headers = transport.auth_headers()
            async with (
                transport.http_client() as http,
                http.stream("GET", TAIL_PATH, params=params, headers=headers) as response,
            ):
                body = b""
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) >= _PROBE_BODY_BYTES:
                        break

                content_type = response.headers.get("Content-Type", "")
                return response.status_code, content_type, body[:_PROBE_BODY_BYTES]
        except (httpx.HTTPError, LokiError) as error:
            logger.info(
                "tail of %s: the plain GET of the tail address failed: %s",
                self.client.server,
                error,
            )
            return None

    def _handshake_outcome(self, status: int, content_type: str, body: bytes) -> _Stop | _Retry:
        """Decide whether to stop or retry after a handshake got `status` instead of 101."""
        server = self.client.server
        line = first_line(body.decode("utf-8", errors="replace")) or "(empty body)"
        html = looks_like_html(body)
        if status in _TRANSIENT_STATUSES and not html:
            return _Retry(f"the tail request got HTTP {status}: {line}")
        maximum = parse_max_entries_limit(line) if status == 400 else None
        if maximum is not None and 0 < maximum < self.client.max_page_size:
            logger.info("Loki at %s allows %d entries per tail replay", server, maximum)
            self.client.max_page_size = maximum
            return _Retry(f"lowered the replay limit to {maximum}", immediate=True)

        if html:
            # The range query's error for a page, so both read the same.
            page = self.client.status_error(status, body, TAIL_PATH)
            media = content_type or "no Content-Type"
            detail = f"the tail request got {page.detail} ({media}, first line: {line})"
            return _Stop(
                LokiTailClosedError(server, detail, status=status, reason=line, hint=page.hint)
            )

        detail = f"the tail request got HTTP {status} instead of a websocket upgrade (101): {line}"
        if status in (401, 403):
            hint = LokiAuthError.default_hint
        elif status == 400:
            hint = (
                "Check the query and the tail parameters; if Loki did not send this, "
                "check that the proxy in front of Loki passes websocket upgrades."
            )
        else:
            hint = (
                "Check that the proxy in front of Loki passes websocket upgrades "
                "(the Upgrade and Connection headers)."
            )
        return _Stop(LokiTailClosedError(server, detail, status=status, reason=line, hint=hint))


def _connect_failure(error: Exception) -> str:
    text = first_line(str(error)) or type(error).__name__
    return f"cannot connect the tail: {text}"


def _reason_of(error: LokiError) -> str:
    if isinstance(error, LokiTailClosedError) and error.reason:
        return error.reason
    return error.detail


def _close_hint(reason: str) -> str:
    if "max concurrent tail" in reason:
        return "Close other tails, or raise max_concurrent_tail_requests in Loki's limits."
    if "parse error" in reason or "syntax error" in reason:
        return "Check the query syntax."
    return "Check the query, then start the tail again."
