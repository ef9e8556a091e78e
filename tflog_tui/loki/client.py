"""The Loki HTTP client: exact range queries, metric queries, labels, series, volume."""

from __future__ import annotations

import asyncio
import logging
import random
import ssl
from collections import deque
from collections.abc import AsyncGenerator, AsyncIterator, Callable
from dataclasses import dataclass
from types import TracebackType
from typing import Any, Final
from urllib.parse import quote

import httpx

from tflog_tui.loki.decode import (
    DecodeError,
    MatrixSeries,
    VectorSample,
    decode_matrix,
    decode_query_page,
    decode_vector,
    load_json,
    success_data,
)
from tflog_tui.loki.errors import (
    LokiAuthError,
    LokiBadRequestError,
    LokiConnectionError,
    LokiError,
    LokiRateLimitedError,
    LokiResponseError,
    LokiServerError,
    LokiTimeoutError,
    LokiTLSError,
    first_line,
    looks_like_html,
)
from tflog_tui.loki.models import Entry, EntryPage, LabelInterner, Labels
from tflog_tui.loki.paging import (
    ROOT_PARTITIONS,
    Direction,
    LinePartition,
    PageCursor,
    parse_max_entries_limit,
    parse_max_query_length,
    sort_page,
    split_range,
)
from tflog_tui.loki.settings import LokiSettings
from tflog_tui.loki.tail import TailSession
from tflog_tui.loki.transport import Transport

logger = logging.getLogger(__name__)

RETRY_STATUSES: Final = frozenset({429, 502, 503, 504})
MAX_RETRY_DELAY_S: Final = 8.0
MAX_DETAIL_CHARS: Final = 500
# Maximum queries for reading one nanosecond that contains more entries than a page.
MAX_NANOSECOND_QUERIES: Final = 10_000
CATEGORIZE_HEADER: Final = {"X-Loki-Response-Encoding-Flags": "categorize-labels"}

Params = list[tuple[str, str]]


@dataclass(frozen=True, slots=True)
class QueryProgress:
    """Progress of a range query: pages fetched, entries yielded, response bytes read,
    and `position_ns`, how far into `[start_ns, end_ns)` the yielded entries reach."""

    pages: int
    entries: int
    bytes: int
    position_ns: int
    start_ns: int
    end_ns: int


ProgressCallback = Callable[[QueryProgress], None]


class _Counters:
    """Pages and bytes of one range query, and its label interner shared by all pages."""

    def __init__(self) -> None:
        self.pages = 0
        self.bytes = 0
        self.interner = LabelInterner()


@dataclass(frozen=True, slots=True)
class _Page:
    entries: EntryPage
    requested: int


def ns_text(value_ns: int) -> str:
    """Write a timestamp for Loki: integer nanoseconds in decimal."""
    return str(int(value_ns))


def seconds_text(value_ns: int) -> str:
    """Write a duration in nanoseconds as decimal seconds without rounding (`15`, `0.25`)."""
    seconds, rest = divmod(int(value_ns), 1_000_000_000)
    if rest == 0:
        return str(seconds)
    return f"{seconds}.{rest:09d}".rstrip("0")


class LokiClient:
    """An async client of one Loki server; use it as `async with LokiClient(settings)`."""

    def __init__(self, settings: LokiSettings) -> None:
        self.settings = settings
        self.transport = Transport(settings)
        self.server = self.transport.server
        self.max_page_size = max(1, settings.max_entries_per_page)
        self.max_query_length_ns = max(1, settings.max_query_length_ns)
        self._http: httpx.AsyncClient | None = None

    async def __aenter__(self) -> LokiClient:
        self._client()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close the HTTP connections."""
        if self._http is not None:
            await self._http.aclose()
            self._http = None

    def _client(self) -> httpx.AsyncClient:
        if self._http is None:
            self._http = self.transport.http_client()
        return self._http

    # Requests and errors

    async def get_bytes(
        self, path: str, params: Params | None = None, *, headers: dict[str, str] | None = None
    ) -> bytes:
        """GET `path` under the Loki address and return the body of a 200 response.

        Retries 429, 502, 503, 504 and failed connections up to
        `settings.retries` times with exponential backoff and jitter; raises
        a `LokiError` for everything else.
        """
        attempt = 0
        while True:
            outcome = await self._attempt(path, params or [], headers)
            if isinstance(outcome, bytes):
                if attempt:
                    logger.info("%s succeeded after %d retries", path, attempt)
                return outcome

            error = outcome
            retryable = isinstance(error, LokiConnectionError) or error.status in RETRY_STATUSES
            if isinstance(error, LokiTLSError) or not retryable or attempt >= self.settings.retries:
                logger.info("request %s failed: %s", path, error)
                raise error

            delay = min(self.settings.retry_backoff_s * 2**attempt, MAX_RETRY_DELAY_S)
            delay *= random.uniform(0.5, 1.0)
            attempt += 1
            logger.warning(
                "request %s failed (%s); retry %d of %d in %.2f s",
                path,
                error,
                attempt,
                self.settings.retries,
                delay,
            )
            await asyncio.sleep(delay)

    async def _attempt(
        self, path: str, params: Params, headers: dict[str, str] | None
    ) -> bytes | LokiError:
        try:
            request_headers = self.transport.auth_headers()
        except LokiError as error:
            return error
        if headers:
            request_headers.update(headers)
        try:
            response = await self._client().get(
                path, params=tuple(params), headers=request_headers
            )
        except httpx.ConnectTimeout as error:
            return LokiConnectionError(
                self.server, f"connecting timed out after {self.settings.timeout_s:g} s ({error})"
            )
        except httpx.TimeoutException:
            return LokiTimeoutError(
                self.server, f"{path} timed out after {self.settings.timeout_s:g} s"
            )
        except httpx.ConnectError as error:
            if _is_tls_failure(error):
                return LokiTLSError(self.server, f"TLS handshake failed: {_cause_text(error)}")
            return LokiConnectionError(self.server, f"cannot connect: {_cause_text(error)}")
        except (httpx.RemoteProtocolError, httpx.ReadError, httpx.WriteError) as error:
            return LokiConnectionError(
                self.server, f"the connection broke during {path}: {_cause_text(error)}"
            )
        except httpx.HTTPError as error:
            return LokiConnectionError(self.server, f"request {path} failed: {_cause_text(error)}")

        if response.status_code == 200:
            return response.content
        return self.status_error(response.status_code, response.content, path)

    def status_error(self, status: int, body: bytes, path: str) -> LokiError:
        """Build the error for a non-200 response from its status and body."""
        if looks_like_html(body):
            return LokiResponseError(
                self.server,
                "an HTML page, not Loki's API",
                status=status,
                hint="Is the address behind a login page or proxy?",
            )

        detail = _error_text(body) or f"an empty response to {path}"
        if status == 400:
            return LokiBadRequestError(self.server, detail, status=status)
        if status in (401, 403):
            return LokiAuthError(self.server, detail, status=status)
        if status == 429:
            return LokiRateLimitedError(self.server, detail, status=status)
        if status == 504:
            return LokiServerError(
                self.server,
                detail,
                status=status,
                hint="Loki or a proxy timed out; narrow the time range or the selector.",
            )
        if status >= 500:
            return LokiServerError(self.server, detail, status=status)
        if status == 404:
            return LokiResponseError(
                self.server,
                f"{path} not found ({detail})",
                status=status,
                hint="Check that the address is Loki's root URL, without /loki/api/v1.",
            )
        return LokiResponseError(self.server, detail, status=status)

    async def get_data(
        self, path: str, params: Params | None = None, *, headers: dict[str, str] | None = None
    ) -> Any:
        """GET `path` and return the `data` of Loki's success response (None when absent)."""
        body = await self.get_bytes(path, params, headers=headers)
        try:
            return success_data(load_json(body))
        except DecodeError as error:
            raise self.decode_error(body, error) from error

    def decode_error(self, body: bytes, error: DecodeError) -> LokiResponseError:
        """Build the error for a 200 response that is not the JSON Loki sends."""
        if looks_like_html(body):
            return LokiResponseError(
                self.server,
                "an HTML page, not Loki's API",
                status=200,
                hint="Is the address behind a login page or proxy?",
            )
        return LokiResponseError(
            self.server,
            f"a response that is not Loki's JSON: {error}",
            status=200,
            hint="Check that the address points at Loki or a proxy that passes its API through.",
        )

    # Log queries

    async def query_range(
        self,
        query: str,
        *,
        start_ns: int,
        end_ns: int,
        direction: Direction = "backward",
        limit: int | None = None,
        page_size: int | None = None,
        progress: ProgressCallback | None = None,
    ) -> AsyncIterator[EntryPage]:
        """Yield every entry of a log query in `[start_ns, end_ns)` as batches in `direction` order.

        `start_ns` is inclusive and `end_ns` exclusive, nanoseconds since the
        epoch. `limit` caps the number of entries (None: everything in the
        range); `page_size` caps one request and never exceeds the server's
        maximum. No entry is lost or repeated at page or window boundaries,
        even when thousands share one nanosecond. Ranges longer than
        `max_query_length_ns` are fetched as windows, `split_parallelism` at a time.
        To stop early, cancel the task or close the iterator (for example with
        `contextlib.aclosing`), which cancels the windows being prefetched.
        A batch is an `EntryPage`: a sequence of entries stored as columns.
        """
        if direction not in ("forward", "backward"):
            raise ValueError(f"direction must be 'forward' or 'backward', not {direction!r}")
        if limit is not None and limit <= 0:
            return

        counters = _Counters()
        yielded = 0
        finished = False
        while not finished:
            windows = split_range(start_ns, end_ns, max(1, self.max_query_length_ns), direction)
            if len(windows) > 1:
                logger.info(
                    "splitting %s into %d windows of at most %d ns",
                    query,
                    len(windows),
                    self.max_query_length_ns,
                )
            batches = self._read_windows(query, windows, direction, limit, page_size, counters)
            try:
                async for batch in batches:
                    if limit is not None and yielded + len(batch) > limit:
                        batch = batch[: limit - yielded]
                    if not batch:
                        continue
                    yielded += len(batch)
                    if progress is not None:
                        progress(
                            QueryProgress(
                                counters.pages,
                                yielded,
                                counters.bytes,
                                batch.ts_ns[-1],
                                start_ns,
                                end_ns,
                            )
                        )
                    yield batch
                    if limit is not None and yielded >= limit:
                        break
                finished = True
            except LokiBadRequestError as error:
                allowed = parse_max_query_length(error.detail)
                if yielded or allowed is None or allowed >= self.max_query_length_ns:
                    raise
                logger.info(
                    "Loki at %s allows ranges of %d ns; splitting into shorter windows",
                    self.server,
                    allowed,
                )
                self.max_query_length_ns = allowed
            finally:
                await batches.aclose()

        if progress is not None:
            final_position = end_ns if direction == "forward" else start_ns
            summary = QueryProgress(
                counters.pages, yielded, counters.bytes, final_position, start_ns, end_ns
            )
            progress(summary)

    async def _read_windows(
        self,
        query: str,
        windows: list[tuple[int, int]],
        direction: Direction,
        limit: int | None,
        page_size: int | None,
        counters: _Counters,
    ) -> AsyncGenerator[EntryPage, None]:
        if len(windows) == 1 or self.settings.split_parallelism <= 1:
            for window_start, window_end in windows:
                async for batch in self._read_window(
                    query, window_start, window_end, direction, limit, page_size, counters
                ):
                    yield batch
            return

        # TODO: against the embedded server this is no faster than one sequential
        # pass (bench/bench_paging.py, 0.94x). That server selects entries on its
        # event loop, one request at a time, and the client is busy for about a
        # quarter of the read (0.31 s of CPU in 1.25 s for 200,000 entries).
        pending = iter(windows)
        active: deque[tuple[asyncio.Task[None], asyncio.Queue[Any]]] = deque()

        def launch() -> None:
            window = next(pending, None)
            if window is None:
                return
            queue: asyncio.Queue[Any] = asyncio.Queue(maxsize=2)
            task = asyncio.create_task(
                self._pump_window(query, window, direction, limit, page_size, counters, queue)
            )
            active.append((task, queue))

        for _ in range(self.settings.split_parallelism):
            launch()
        try:
            while active:
                task, queue = active[0]
                item = await queue.get()
                if item is None:
                    active.popleft()
                    await task
                    launch()
                    continue
                if isinstance(item, BaseException):
                    raise item
                yield item
        finally:
            tasks = [task for task, _ in active]
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)

    async def _pump_window(
        self,
        query: str,
        window: tuple[int, int],
        direction: Direction,
        limit: int | None,
        page_size: int | None,
        counters: _Counters,
        queue: asyncio.Queue[Any],
    ) -> None:
        try:
            async for batch in self._read_window(
                query, window[0], window[1], direction, limit, page_size, counters
            ):
                await queue.put(batch)
        except Exception as error:
            # The consumer re-raises it in window order; without it, it would wait forever.
            await queue.put(error)
            return
        await queue.put(None)

    async def _read_window(
        self,
        query: str,
        start_ns: int,
        end_ns: int,
        direction: Direction,
        limit: int | None,
        page_size: int | None,
        counters: _Counters,
    ) -> AsyncIterator[EntryPage]:
        cursor = PageCursor(start_ns, end_ns, direction)
        remaining = limit
        while not cursor.done:
            request_limit = self._page_limit(page_size)
            if remaining is not None:
                request_limit = min(request_limit, remaining + len(cursor.seen_at_boundary))

            page = await self._fetch_page(
                query, cursor.start_ns, cursor.end_ns, direction, request_limit, counters
            )
            fresh, stuck = cursor.accept(page.entries, page.requested)
            if stuck:
                crowded_ns = page.entries.ts_ns[0]
                seen = cursor.seen_at_boundary
                everything = await self._read_nanosecond(query, crowded_ns, counters)
                fresh = fresh + [entry for entry in everything if entry.key not in seen]
                cursor.skip_timestamp(crowded_ns)

            if fresh:
                if remaining is not None:
                    fresh = fresh[:remaining]
                    remaining -= len(fresh)
                yield fresh
            if remaining is not None and remaining <= 0:
                return

    def _page_limit(self, page_size: int | None) -> int:
        if page_size is None:
            return self.max_page_size
        return max(1, min(page_size, self.max_page_size))

    async def _fetch_page(
        self,
        query: str,
        start_ns: int,
        end_ns: int,
        direction: Direction,
        limit: int,
        counters: _Counters,
    ) -> _Page:
        """Fetch one page; lower the page size and ask again when Loki names a smaller maximum."""
        headers = CATEGORIZE_HEADER if self.settings.categorize_labels else None
        while True:
            params = [
                ("query", query),
                ("start", ns_text(start_ns)),
                ("end", ns_text(end_ns)),
                ("limit", str(limit)),
                ("direction", direction),
            ]
            try:
                body = await self.get_bytes("/loki/api/v1/query_range", params, headers=headers)
            except LokiBadRequestError as error:
                maximum = parse_max_entries_limit(error.detail)
                if maximum is None or maximum >= limit or maximum < 1:
                    raise
                logger.info(
                    "Loki at %s allows %d entries per query; lowering the page size from %d",
                    self.server,
                    maximum,
                    limit,
                )
                self.max_page_size = min(self.max_page_size, maximum)
                limit = maximum
                continue

            counters.pages += 1
            counters.bytes += len(body)
            try:
                entries = decode_query_page(body, counters.interner)
            except DecodeError as error:
                raise self.decode_error(body, error) from error
            return _Page(sort_page(entries, direction), limit)

    async def _read_nanosecond(self, query: str, ts_ns: int, counters: _Counters) -> list[Entry]:
        """Read every entry at `ts_ns`, splitting by line content while a page comes back full."""
        logger.info(
            "reading nanosecond %d alone because it contains more entries than a page", ts_ns
        )
        collected: dict[tuple[int, Labels, str], Entry] = {}
        pending: list[LinePartition | None] = [None]
        queries = 0
        while pending:
            partition = pending.pop()
            queries += 1
            if queries > MAX_NANOSECOND_QUERIES:
                logger.warning(
                    "gave up splitting nanosecond %d after %d queries; some entries may be missing",
                    ts_ns,
                    MAX_NANOSECOND_QUERIES,
                )
                break

            text = query if partition is None else f"{query}\n{partition.line_filter()}"
            page = await self._fetch_page(
                text, ts_ns, ts_ns + 1, "forward", self.max_page_size, counters
            )
            for entry in page.entries:
                collected.setdefault(entry.key, entry)
            if len(page.entries) < page.requested:
                continue

            children = self._split_partition(partition, page.entries, ts_ns)
            pending.extend(reversed(children))
        return list(collected.values())

    def _split_partition(
        self, partition: LinePartition | None, entries: EntryPage, ts_ns: int
    ) -> list[LinePartition]:
        if partition is None:
            return list(ROOT_PARTITIONS)

        lines = entries.lines
        if not all(partition.contains(line) for line in lines):
            logger.warning(
                "Loki at %s ignored a line filter while splitting nanosecond %d; "
                "some entries at it may be missing",
                self.server,
                ts_ns,
            )
            return []
        children = partition.split(lines)
        if not children:
            # NOTE: this is reached only when more than a page of entries share
            # one nanosecond and one line (in different streams). Reading them
            # all would need a split by stream labels.
            logger.warning(
                "more than %d entries share nanosecond %d and one line; some may be missing",
                len(entries),
                ts_ns,
            )
        return children

    # Metric queries

    async def query_range_matrix(
        self, query: str, *, start_ns: int, end_ns: int, step_ns: int
    ) -> list[MatrixSeries]:
        """Run a metric query over `[start_ns, end_ns]` every `step_ns` nanoseconds."""
        params = [
            ("query", query),
            ("start", ns_text(start_ns)),
            ("end", ns_text(end_ns)),
            ("step", seconds_text(step_ns)),
        ]
        data = await self.get_data("/loki/api/v1/query_range", params)
        return self._matrix(data)

    async def query_instant(
        self, query: str, *, time_ns: int | None = None
    ) -> list[VectorSample]:
        """Run a metric query at one instant (`time_ns`, default now on the server)."""
        params = [("query", query)]
        if time_ns is not None:
            params.append(("time", ns_text(time_ns)))
        data = await self.get_data("/loki/api/v1/query", params)
        return self._vector(data)

    def _matrix(self, data: Any) -> list[MatrixSeries]:
        try:
            return decode_matrix(data, LabelInterner())
        except DecodeError as error:
            raise self._shape_error(error) from error

    def _vector(self, data: Any) -> list[VectorSample]:
        try:
            return decode_vector(data, LabelInterner())
        except DecodeError as error:
            raise self._shape_error(error) from error

    def _shape_error(self, error: DecodeError) -> LokiResponseError:
        return LokiResponseError(self.server, f"an unexpected result: {error}", status=200)

    # Labels, series, index

    async def labels(
        self, start_ns: int | None = None, end_ns: int | None = None, query: str | None = None
    ) -> list[str]:
        """List label names in a range (Loki's default: the last hour)."""
        data = await self.get_data("/loki/api/v1/labels", _range_params(start_ns, end_ns, query))
        return _string_list(data)

    async def label_values(
        self,
        name: str,
        *,
        query: str | None = None,
        start_ns: int | None = None,
        end_ns: int | None = None,
    ) -> list[str]:
        """List the values of label `name`, optionally only in streams matching `query`."""
        path = f"/loki/api/v1/label/{quote(name, safe='')}/values"
        data = await self.get_data(path, _range_params(start_ns, end_ns, query))
        return _string_list(data)

    async def series(self, match: list[str], *, start_ns: int, end_ns: int) -> list[Labels]:
        """List the label sets of streams matching any selector in `match`."""
        params: Params = [("match[]", selector) for selector in match]
        params += [("start", ns_text(start_ns)), ("end", ns_text(end_ns))]
        data = await self.get_data("/loki/api/v1/series", params)
        interner = LabelInterner()
        if not data:
            return []
        if not isinstance(data, list):
            raise LokiResponseError(self.server, "an unexpected series response", status=200)
        return [interner.intern(item) for item in data]

    async def index_stats(self, query: str, *, start_ns: int, end_ns: int) -> dict[str, int]:
        """Return Loki's index statistics: `streams`, `chunks`, `entries`, `bytes`."""
        params = [("query", query), ("start", ns_text(start_ns)), ("end", ns_text(end_ns))]
        body = await self.get_bytes("/loki/api/v1/index/stats", params)
        try:
            document = load_json(body)
        except DecodeError as error:
            raise self.decode_error(body, error) from error
        if not isinstance(document, dict):
            raise LokiResponseError(self.server, "an unexpected index stats response", status=200)
        return {key: int(value) for key, value in document.items() if isinstance(value, int)}

    async def index_volume(
        self,
        query: str,
        *,
        start_ns: int,
        end_ns: int,
        limit: int | None = None,
        target_labels: list[str] | None = None,
        aggregate_by: str | None = None,
    ) -> list[VectorSample]:
        """Return the bytes ingested per stream or label set (`/index/volume`)."""
        params = self._volume_params(query, start_ns, end_ns, limit, target_labels, aggregate_by)
        data = await self.get_data("/loki/api/v1/index/volume", params)
        return self._vector(data)

    async def index_volume_range(
        self,
        query: str,
        *,
        start_ns: int,
        end_ns: int,
        step_ns: int,
        limit: int | None = None,
        target_labels: list[str] | None = None,
        aggregate_by: str | None = None,
    ) -> list[MatrixSeries]:
        """Return bytes ingested per step (`/index/volume_range`)."""
        params = self._volume_params(query, start_ns, end_ns, limit, target_labels, aggregate_by)
        params.append(("step", seconds_text(step_ns)))
        data = await self.get_data("/loki/api/v1/index/volume_range", params)
        return self._matrix(data)

    @staticmethod
    def _volume_params(
        query: str,
        start_ns: int,
        end_ns: int,
        limit: int | None,
        target_labels: list[str] | None,
        aggregate_by: str | None,
    ) -> Params:
        params = [("query", query), ("start", ns_text(start_ns)), ("end", ns_text(end_ns))]
        if limit is not None:
            params.append(("limit", str(limit)))
        if target_labels:
            params.append(("targetLabels", ",".join(target_labels)))
        if aggregate_by:
            params.append(("aggregateBy", aggregate_by))
        return params

    async def buildinfo(self) -> dict[str, Any]:
        """Return `/loki/api/v1/status/buildinfo` (version, revision, branch, goVersion)."""
        body = await self.get_bytes("/loki/api/v1/status/buildinfo")
        try:
            document = load_json(body)
        except DecodeError as error:
            raise self.decode_error(body, error) from error
        if not isinstance(document, dict):
            raise LokiResponseError(self.server, "an unexpected buildinfo response", status=200)
        return document

    async def ready(self) -> bool:
        """Tell whether `/ready` answers 200; False for any error."""
        try:
            await self.get_bytes("/ready")
        except LokiError as error:
            logger.info("Loki at %s is not ready: %s", self.server, error)
            return False
        return True

    # Tail

    def tail(
        self,
        query: str,
        *,
        start_ns: int | None = None,
        limit: int = 100,
        delay_for: int = 0,
    ) -> TailSession:
        """Open a live tail: `async with client.tail(q) as events: async for event in events`.

        `start_ns` is where the first connection starts (default: Loki's,
        one hour ago). `limit` is the number of past entries Loki replays.
        `delay_for` (0 to 5 seconds) delays live entries so late ones arrive first.
        """
        return TailSession(self, query, start_ns=start_ns, limit=limit, delay_for=delay_for)


def _range_params(start_ns: int | None, end_ns: int | None, query: str | None) -> Params:
    params: Params = []
    if start_ns is not None:
        params.append(("start", ns_text(start_ns)))
    if end_ns is not None:
        params.append(("end", ns_text(end_ns)))
    if query:
        params.append(("query", query))
    return params


def _string_list(data: Any) -> list[str]:
    if not data:
        return []
    return [str(item) for item in data]


def _error_text(body: bytes) -> str:
    """Return Loki's error text: the plain body, or `error`/`message` of a JSON body."""
    text = body.decode("utf-8", errors="replace").strip()
    if text.startswith("{"):
        try:
            document = load_json(body)
        except DecodeError:
            document = None
        if isinstance(document, dict):
            for key in ("error", "message"):
                if isinstance(document.get(key), str):
                    text = document[key]
                    break
    text = text.strip()
    if len(text) > MAX_DETAIL_CHARS:
        text = text[:MAX_DETAIL_CHARS] + "…"
    return text


def _is_tls_failure(error: BaseException) -> bool:
    current: BaseException | None = error
    while current is not None:
        if isinstance(current, ssl.SSLError):
            return True
        current = current.__cause__ or current.__context__
    return "SSL" in str(error) or "CERTIFICATE" in str(error)


def _cause_text(error: BaseException) -> str:
    text = str(error)
    if not text and error.__cause__ is not None:
        text = str(error.__cause__)
    return first_line(text) or type(error).__name__
