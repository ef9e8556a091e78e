"""A Loki-compatible HTTP and websocket server over the in-memory store."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

# NOTE: this import takes about 220 ms even from bytecode, mostly aiohttp.connector
# building two SSL contexts at import (aiohttp 3.14). Only the server's users pay it
# (`tflog` without a Loki address, `tflog serve`), because `tflog_tui.embedded`
# imports this module on first use.
from aiohttp import web
from multidict import MultiDict, MultiDictProxy

from tflog_tui import __version__
from tflog_tui.embedded.limits import NS_PER_HOUR, NS_PER_SECOND, ServerLimits
from tflog_tui.embedded.logs import (
    Direction,
    OutputStream,
    SelectionStats,
    newest_entries,
    select_entries,
)
from tflog_tui.embedded.params import (
    BadRequest,
    format_go_duration,
    parse_duration,
    parse_int,
    parse_step,
    parse_timestamp,
)
from tflog_tui.embedded.push import decode_push_body
from tflog_tui.embedded.query import (
    is_scalar,
    make_pipeline,
    parse_expression,
    parse_log_query,
    stream_matcher,
)
from tflog_tui.embedded.responses import (
    encode_streams,
    error_response,
    json_response,
    prometheus_time,
    sample_value,
    stats_object,
)
from tflog_tui.embedded.store import LogStore, Stream
from tflog_tui.embedded.tail import TailSession, close_websocket
from tflog_tui.logql.ast import LogQuery, Matcher
from tflog_tui.logql.evaluator import evaluate_instant, evaluate_metric

if TYPE_CHECKING:
    from tflog_tui.embedded.demo import DemoEntry, DemoGenerator

logger = logging.getLogger(__name__)

LOKI_VERSION = "3.4.2"
"""Version reported by `/loki/api/v1/status/buildinfo`; responses and errors follow Loki 3.x."""

CATEGORIZE_LABELS = "categorize-labels"
_DEFAULT_WINDOW_NS = NS_PER_HOUR
# Loki's HTTP API reference gives label names and values a default window of 6 hours.
_LABELS_WINDOW_NS = 6 * NS_PER_HOUR

Fetched = Iterator[tuple[Mapping[str, str], Iterable[tuple[int, str]]]]


def _now_ns() -> int:
    return time.time_ns()


class EmbeddedLoki:
    """A Loki-compatible server: push, query, labels, series, index, tail.

    `now_ns` is the clock used for defaults (`end = now`) and retention; tests
    inject a fixed one. All methods run on the server's event loop; use
    `serve_in_thread` to drive it from another thread.
    """

    def __init__(
        self,
        limits: ServerLimits | None = None,
        *,
        now_ns: Callable[[], int] | None = None,
    ) -> None:
        self.limits = limits or ServerLimits()
        self.now_ns = now_ns or _now_ns
        self.store = LogStore(self.limits.retention_ns, self.limits.max_bytes)
        self._tails: dict[int, TailSession] = {}
        self._next_tail_id = 1
        self._runner: web.AppRunner | None = None
        self._site: web.TCPSite | None = None
        self._url: str | None = None
        self._background: set[asyncio.Task[Any]] = set()
        self._tail_refusal: tuple[int, str, str] | None = None
        self.demo_generator: DemoGenerator | None = None
        self.demo_pending: list[DemoEntry] = []
        self.app = self._build_app()

    # --- lifecycle ---------------------------------------------------------

    @property
    def url(self) -> str:
        """Return the base URL, such as `http://127.0.0.1:43125`; valid after `start`."""
        if self._url is None:
            raise RuntimeError("the server is not started")
        return self._url

    async def start(self, host: str = "127.0.0.1", port: int = 0) -> str:
        """Start listening on host:port (0 picks a free port); return the base URL."""
        self._runner = web.AppRunner(self.app, access_log=None, handle_signals=False)
        await self._runner.setup()
        self._site = web.TCPSite(self._runner, host, port)
        await self._site.start()
        bound_port = self._runner.addresses[0][1] if self._runner.addresses else port
        url_host = f"[{host}]" if ":" in host else host
        self._url = f"http://{url_host}:{bound_port}"
        logger.info("embedded Loki listening on %s", self._url)
        return self._url

    async def stop(self) -> None:
        """Close every tail and stop listening."""
        for session in list(self._tails.values()):
            session.abort()
        for task in list(self._background):
            task.cancel()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None
            logger.info("embedded Loki at %s stopped", self._url)

    def start_demo_feed(self) -> asyncio.Task[Any]:
        """Start pushing live demo entries (after `demo.load_history`); stopped by `stop`."""
        from tflog_tui.embedded.demo import run_live_feed

        pending, self.demo_pending = self.demo_pending, []
        return self.spawn(run_live_feed(self, self.demo_generator, pending))

    def spawn(self, coroutine: Any) -> asyncio.Task[Any]:
        """Run a background coroutine owned by the server; it is cancelled on `stop`."""
        task = asyncio.get_running_loop().create_task(coroutine)
        self._background.add(task)
        task.add_done_callback(self._background.discard)
        return task

    # --- in-process API ----------------------------------------------------

    def push(
        self,
        labels: Mapping[str, str],
        entries: Iterable[tuple[int, str]] | Iterable[tuple[int, str, Mapping[str, str] | None]],
        metadata: Mapping[str, str] | None = None,
    ) -> int:
        """Store entries of one stream and feed open tails; return how many were stored.

        `metadata` is structured metadata applied to every entry that has none
        of its own. Exact duplicates are dropped.
        """
        if metadata:
            entries = [(e[0], e[1], (e[2] if len(e) > 2 and e[2] else metadata)) for e in entries]
        stream, accepted = self.store.append(labels, entries, self.now_ns())
        if accepted:
            self._feed_tails(stream, accepted)
        return len(accepted)

    def _feed_tails(self, stream: Stream, accepted: list[Any]) -> None:
        for session in self._tails.values():
            session.offer(stream, accepted)

    @property
    def tail_count(self) -> int:
        """Return the number of open tails."""
        return len(self._tails)

    async def drop_tail_connections(self) -> int:
        """Abort the TCP connection of every open tail; return how many were dropped."""
        sessions = list(self._tails.values())
        for session in sessions:
            logger.info("tail %d: dropping the connection (test hook)", session.session_id)
            session.abort()
        await asyncio.sleep(0)
        return len(sessions)

    async def close_tails(self, code: int = 1011, reason: str = "") -> int:
        """Close every open tail with a websocket close code and reason; return the count."""
        sessions = list(self._tails.values())
        for session in sessions:
            await session.close(code, reason)
        return len(sessions)

    def reject_tail_upgrades(
        self, status: int = 200, body: str = "", content_type: str = "text/html"
    ) -> None:
        """Reject tail requests with a plain HTTP response instead of a websocket upgrade.

        This is what a reverse proxy without websocket support does. Call
        `allow_tail_upgrades` to serve tails again.
        """
        self._tail_refusal = (status, body, content_type)

    def allow_tail_upgrades(self) -> None:
        """Serve tail requests as websockets again after `reject_tail_upgrades`."""
        self._tail_refusal = None

    # --- routing -----------------------------------------------------------

    def _build_app(self) -> web.Application:
        app = web.Application(client_max_size=64 * 1024 * 1024, middlewares=[self._errors])
        api = "/loki/api/v1"
        read_routes: list[tuple[str, Callable[..., Any]]] = [
            (f"{api}/query_range", self._query_range),
            (f"{api}/query", self._query),
            (f"{api}/labels", self._labels),
            (f"{api}/label", self._labels),
            (f"{api}/label/{{name}}/values", self._label_values),
            (f"{api}/series", self._series),
            (f"{api}/index/stats", self._index_stats),
            (f"{api}/index/volume", self._index_volume),
            (f"{api}/index/volume_range", self._index_volume_range),
        ]
        for path, handler in read_routes:
            app.router.add_get(path, handler)
            app.router.add_post(path, handler)
        app.router.add_post(f"{api}/push", self._push)
        app.router.add_get(f"{api}/tail", self._tail)
        app.router.add_get("/ready", self._ready)
        app.router.add_get(f"{api}/status/buildinfo", self._buildinfo)
        return app

    @web.middleware
    async def _errors(
        self, request: web.Request, handler: Callable[[web.Request], Any]
    ) -> web.StreamResponse:
        try:
            response: web.StreamResponse = await handler(request)
            return response
        except BadRequest as error:
            logger.info(
                "%s %s from %s: %d %s",
                request.method,
                request.path,
                request.remote,
                error.status,
                error.message,
            )
            return error_response(error.message, error.status)
        except web.HTTPNotFound:
            return error_response("404 page not found", 404)
        except web.HTTPMethodNotAllowed:
            return error_response("405 method not allowed", 405)
        except web.HTTPException:
            raise
        except Exception:
            logger.exception("%s %s failed", request.method, request.path)
            return error_response("internal server error", 500)

    async def _params(self, request: web.Request) -> MultiDict[str]:
        params: MultiDict[str] = MultiDict(request.query)
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ):
            form: MultiDictProxy[Any] = await request.post()
            for key, value in form.items():
                if isinstance(value, str):
                    params.add(key, value)
        return params

    # --- parameters ----------------------------------------------------------

    def _time_range(
        self, params: Mapping[str, str], default_window_ns: int = _DEFAULT_WINDOW_NS
    ) -> tuple[int, int]:
        now = self.now_ns()
        end_text = params.get("end")
        end = parse_timestamp(end_text, "end") if end_text else now
        start_text = params.get("start")
        since_text = params.get("since")
        if start_text:
            start = parse_timestamp(start_text, "start")
        elif since_text:
            # Loki counts `since` back from now when `end` lies in the future.
            start = min(end, now) - parse_duration(since_text, "since")
        else:
            start = end - default_window_ns
        if end < start:
            raise BadRequest("end timestamp must not be before or equal to start time")
        return start, end

    def _check_query_length(self, start_ns: int, end_ns: int) -> None:
        limit = self.limits.max_query_length_ns
        if limit and end_ns - start_ns > limit:
            raise BadRequest(
                "the query time range exceeds the limit (query length: "
                f"{format_go_duration(end_ns - start_ns)}, limit: {format_go_duration(limit)})"
            )

    def _limit(self, params: Mapping[str, str]) -> int:
        text = params.get("limit")
        limit = parse_int(text, "limit") if text else 100
        if limit <= 0:
            raise BadRequest("limit must be a positive value")
        maximum = self.limits.max_entries_limit_per_query
        if maximum and limit > maximum:
            raise BadRequest(
                "max entries limit per query exceeded, limit > max_entries_limit_per_query "
                f"({limit} > {maximum})"
            )
        return limit

    @staticmethod
    def _direction(params: Mapping[str, str]) -> Direction:
        text = (params.get("direction") or "backward").lower()
        if text == "forward":
            return "forward"
        if text == "backward":
            return "backward"
        raise BadRequest(f"invalid direction '{params.get('direction')}'")

    def _step(self, params: Mapping[str, str], start_ns: int, end_ns: int) -> int:
        text = params.get("step")
        if text:
            step = parse_step(text)
        else:
            step = max((end_ns - start_ns) // NS_PER_SECOND // 250, 1) * NS_PER_SECOND
        if step <= 0:
            raise BadRequest(
                "zero or negative query resolution step widths are not accepted. "
                "Try a positive integer"
            )
        if (end_ns - start_ns) // step > self.limits.max_query_points:
            raise BadRequest(
                f"exceeded maximum resolution of {self.limits.max_query_points:,} points per "
                "timeseries. Try decreasing the query resolution (?step=XX)"
            )
        return step

    @staticmethod
    def _categorize(request: web.Request) -> bool:
        flags = request.headers.getall("X-Loki-Response-Encoding-Flags", [])
        return any(
            flag.strip() == CATEGORIZE_LABELS for header in flags for flag in header.split(",")
        )

    def _required_query(self, params: Mapping[str, str]) -> str:
        query = params.get("query")
        if not query:
            # A missing query is parsed as an empty one, so the error is the parser's.
            parse_expression("")
            raise BadRequest("parse error at line 1, col 1: syntax error: empty query")
        return query

    # --- push ----------------------------------------------------------------

    async def _push(self, request: web.Request) -> web.Response:
        body = await request.read()
        encoding = request.headers.get("Content-Encoding", "")
        batches = decode_push_body(body, request.content_type, encoding)
        for labels, entries in batches:
            self.push(labels, entries)
        return web.Response(status=204)

    # --- queries -------------------------------------------------------------

    async def _query_range(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        query = self._required_query(params)
        start, end = self._time_range(params)
        expression = parse_expression(query)
        started = time.perf_counter()
        stats = SelectionStats()

        if isinstance(expression, LogQuery):
            limit = self._limit(params)
            direction = self._direction(params)
            self._check_query_length(start, end)
            categorize = self._categorize(request)
            streams = self._select(expression, start, end, limit, direction, categorize, stats)
            data: dict[str, Any] = {"resultType": "streams", "result": encode_streams(streams)}
            if categorize:
                data["encodingFlags"] = [CATEGORIZE_LABELS]
        else:
            step = self._step(params, start, end)
            self._check_query_length(start, end)
            series = self._evaluate_metric(expression, start, end, step, stats)
            data = {"resultType": "matrix", "result": series}
        data["stats"] = stats_object(stats, time.perf_counter() - started)
        return json_response({"status": "success", "data": data})

    def _select(
        self,
        query: LogQuery,
        start: int,
        end: int,
        limit: int,
        direction: Direction,
        categorize: bool,
        stats: SelectionStats,
    ) -> list[OutputStream]:
        pipeline = make_pipeline(query)
        start = self._retained_start(start)
        try:
            return select_entries(
                self.store, pipeline, start, end, limit, direction, categorize, stats
            )
        except ValueError as error:
            raise BadRequest(str(error)) from None

    def _retained_start(self, start: int) -> int:
        cutoff = self.store.retention_cutoff(self.now_ns())
        return start if cutoff is None else max(start, cutoff)

    def _fetch(self, stats: SelectionStats) -> Callable[[tuple[Matcher, ...], int, int], Fetched]:
        """Return the `fetch` callback metric evaluation reads streams through."""

        def fetch(selector: tuple[Matcher, ...], start_ns: int, end_ns: int) -> Fetched:
            start_ns = self._retained_start(start_ns)
            streams = self.store.streams_matching(selector, stream_matcher([selector]))
            for stream in list(streams):
                lo, hi = stream.index_range(start_ns, end_ns + 1)
                if lo >= hi:
                    continue
                stats.streams_matched += 1
                stats.lines_scanned += hi - lo
                timestamps = stream.timestamps[lo:hi]
                lines = stream.lines[lo:hi]
                yield stream.labels, zip(timestamps, lines, strict=True)

        return fetch

    def _evaluate_metric(
        self, expression: Any, start: int, end: int, step: int, stats: SelectionStats
    ) -> list[dict[str, Any]]:
        try:
            series = evaluate_metric(expression, self._fetch(stats), start, end, step)
        except ValueError as error:
            raise BadRequest(str(error)) from None
        return [
            {
                "metric": dict(item.labels),
                "values": [[prometheus_time(ts), sample_value(value)] for ts, value in item.points],
            }
            for item in series
        ]

    async def _query(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        query = self._required_query(params)
        time_text = params.get("time")
        at = parse_timestamp(time_text, "time") if time_text else self.now_ns()
        expression = parse_expression(query)
        started = time.perf_counter()
        stats = SelectionStats()

        if isinstance(expression, LogQuery):
            # NOTE: Loki 2.x returns streams for a log query here, and Loki 3.x
            # rejects it. This server selects the hour up to `time` (inclusive).
            limit = self._limit(params)
            direction = self._direction(params)
            categorize = self._categorize(request)
            streams = self._select(
                expression, at - _DEFAULT_WINDOW_NS, at + 1, limit, direction, categorize, stats
            )
            data: dict[str, Any] = {"resultType": "streams", "result": encode_streams(streams)}
        else:
            try:
                samples = evaluate_instant(expression, self._fetch(stats), at)
            except ValueError as error:
                raise BadRequest(str(error)) from None
            if is_scalar(expression) and len(samples) == 1:
                value = samples[0].value
                data = {
                    "resultType": "scalar",
                    "result": [prometheus_time(at), sample_value(value)],
                }
            else:
                data = {
                    "resultType": "vector",
                    "result": [
                        {
                            "metric": dict(s.labels),
                            "value": [prometheus_time(at), sample_value(s.value)],
                        }
                        for s in samples
                    ],
                }
        data["stats"] = stats_object(stats, time.perf_counter() - started)
        return json_response({"status": "success", "data": data})

    # --- labels and series -----------------------------------------------------

    def _streams_in_range(
        self,
        params: Mapping[str, str],
        selectors: list[tuple[Matcher, ...]] | None,
        default_window_ns: int = _DEFAULT_WINDOW_NS,
    ) -> Iterator[Stream]:
        start, end = self._time_range(params, default_window_ns)
        start = self._retained_start(start)
        if selectors is None:
            streams: Iterable[Stream] = self.store.iter_streams()
        else:
            streams = self.store.streams_matching(tuple(selectors), stream_matcher(selectors))
        for stream in streams:
            lo, hi = stream.index_range(start, end + 1)
            if lo < hi:
                yield stream

    def _optional_selector(self, params: Mapping[str, str]) -> list[tuple[Matcher, ...]] | None:
        query = params.get("query")
        if not query:
            return None
        return [parse_log_query(query).selector]

    async def _labels(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        selectors = self._optional_selector(params)
        names: set[str] = set()
        for stream in self._streams_in_range(params, selectors, _LABELS_WINDOW_NS):
            names.update(stream.labels)
        if not names:
            return json_response({"status": "success"})
        return json_response({"status": "success", "data": sorted(names)})

    async def _label_values(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        name = request.match_info["name"]
        selectors = self._optional_selector(params)
        values: set[str] = set()
        for stream in self._streams_in_range(params, selectors, _LABELS_WINDOW_NS):
            value = stream.labels.get(name)
            if value is not None:
                values.add(value)
        if not values:
            return json_response({"status": "success"})
        return json_response({"status": "success", "data": sorted(values)})

    async def _series(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        matches = params.getall("match[]", [])
        if not matches:
            # Loki's HTTP API reference requires at least one selector here.
            raise BadRequest("at least one match[] argument must be provided")
        selectors = [parse_log_query(text).selector for text in matches]
        data = [
            dict(stream.labels)
            for stream in sorted(self._streams_in_range(params, selectors), key=lambda s: s.key)
        ]
        return json_response({"status": "success", "data": data})

    # --- index -------------------------------------------------------------------

    async def _index_stats(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        selector = parse_log_query(self._required_query(params)).selector
        start, end = self._time_range(params)
        start = self._retained_start(start)
        matches = stream_matcher([selector])
        streams = entries = size = 0
        for stream in self.store.iter_streams():
            if not matches(stream.labels):
                continue
            lo, hi = stream.index_range(start, end + 1)
            if lo >= hi:
                continue
            streams += 1
            entries += hi - lo
            size += sum(len(line.encode("utf-8", "surrogatepass")) for line in stream.lines[lo:hi])
        # NOTE: there are no chunks in memory; one chunk per stream is reported.
        return json_response(
            {"streams": streams, "chunks": streams, "entries": entries, "bytes": size}
        )

    def _volume_groups(
        self, params: Mapping[str, str], start: int, end: int, step: int | None
    ) -> dict[tuple[tuple[str, str], ...], dict[int, int]]:
        query = parse_log_query(self._required_query(params))
        selector = query.selector
        target_text = params.get("targetLabels") or ""
        targets = [name.strip() for name in target_text.split(",") if name.strip()]
        aggregate_by = (params.get("aggregateBy") or "series").lower()
        if aggregate_by not in ("series", "labels"):
            raise BadRequest(f"invalid aggregateBy '{params.get('aggregateBy')}'")
        group_names = targets or [m.name for m in selector]
        start = self._retained_start(start)

        groups: dict[tuple[tuple[str, str], ...], dict[int, int]] = {}
        matches = stream_matcher([selector])
        for stream in self.store.iter_streams():
            if not matches(stream.labels):
                continue
            lo, hi = stream.index_range(start, end + 1)
            if lo >= hi:
                continue
            if aggregate_by == "labels":
                # One result per label name, as `{name: ""}`, as Loki's reference describes.
                keys: list[tuple[tuple[str, str], ...]] = [
                    ((name, ""),) for name in stream.labels if not targets or name in targets
                ]
            else:
                present = [(n, stream.labels[n]) for n in group_names if n in stream.labels]
                keys = [tuple(present)]
            buckets: dict[int, int] = {}
            for index in range(lo, hi):
                bucket = 0 if step is None else (stream.timestamps[index] - start) // step
                size = len(stream.lines[index].encode("utf-8", "surrogatepass"))
                buckets[bucket] = buckets.get(bucket, 0) + size
            for key in keys:
                target = groups.setdefault(key, {})
                for bucket, size in buckets.items():
                    target[bucket] = target.get(bucket, 0) + size
        return groups

    def _volume_limit(self, params: Mapping[str, str]) -> int:
        text = params.get("limit")
        limit = parse_int(text, "limit") if text else 100
        if limit <= 0:
            raise BadRequest("limit must be a positive value")
        return limit

    async def _index_volume(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        start, end = self._time_range(params)
        limit = self._volume_limit(params)
        groups = self._volume_groups(params, start, end, None)
        totals = sorted(
            ((sum(b.values()), key) for key, b in groups.items()), key=lambda t: (-t[0], t[1])
        )[:limit]
        result = [
            {"metric": dict(key), "value": [prometheus_time(end), str(total)]}
            for total, key in totals
        ]
        return json_response(
            {"status": "success", "data": {"resultType": "vector", "result": result}}
        )

    async def _index_volume_range(self, request: web.Request) -> web.Response:
        params = await self._params(request)
        start, end = self._time_range(params)
        step = self._step(params, start, end)
        limit = self._volume_limit(params)
        groups = self._volume_groups(params, start, end, step)
        ranked = sorted(groups.items(), key=lambda item: (-sum(item[1].values()), item[0]))
        result = [
            {
                "metric": dict(key),
                "values": [
                    [prometheus_time(start + bucket * step), str(size)]
                    for bucket, size in sorted(buckets.items())
                ],
            }
            for key, buckets in ranked[:limit]
        ]
        return json_response(
            {"status": "success", "data": {"resultType": "matrix", "result": result}}
        )

    # --- status ------------------------------------------------------------------

    async def _ready(self, request: web.Request) -> web.Response:
        return web.Response(text="ready\n", content_type="text/plain")

    async def _buildinfo(self, request: web.Request) -> web.Response:
        return json_response(
            {
                "version": LOKI_VERSION,
                "revision": f"tflog-{__version__}",
                "branch": "embedded",
                "buildUser": "tflog",
                "buildDate": "",
                "goVersion": "",
            }
        )

    # --- tail --------------------------------------------------------------------

    async def _tail(self, request: web.Request) -> web.StreamResponse:
        if self._tail_refusal is not None:
            status, body, content_type = self._tail_refusal
            logger.info("tail from %s rejected with status %d (test hook)", request.remote, status)
            return web.Response(status=status, text=body, content_type=content_type)

        params = await self._params(request)
        query = self._required_query(params)
        now = self.now_ns()
        start_text = params.get("start")
        start = parse_timestamp(start_text, "start") if start_text else now - NS_PER_HOUR
        limit_text = params.get("limit")
        limit = parse_int(limit_text, "limit") if limit_text else 100
        maximum = self.limits.max_entries_limit_per_query
        if maximum and limit > maximum:
            raise BadRequest(
                "max entries limit per query exceeded, limit > max_entries_limit_per_query "
                f"({limit} > {maximum})"
            )
        delay_text = params.get("delay_for")
        delay_for = parse_int(delay_text, "delay_for") if delay_text else 0
        if delay_for > self.limits.tail_max_delay_for_s:
            raise BadRequest(f"delay_for can't be greater than {self.limits.tail_max_delay_for_s}")

        transport = request.transport
        ws = web.WebSocketResponse(autoping=True, max_msg_size=1024 * 1024)
        await ws.prepare(request)
        session_id = self._next_tail_id
        self._next_tail_id += 1
        peer = request.remote or "?"

        # Loki reports these after the upgrade, as a close frame with code 1011.
        try:
            pipeline = make_pipeline(parse_log_query(query))
        except BadRequest as error:
            logger.info("tail %d from %s rejected: %s", session_id, peer, error.message)
            await close_websocket(ws, transport, 1011, error.message)
            return ws

        count = len(self._tails) + 1
        if count > self.limits.max_concurrent_tails:
            reason = (
                "max concurrent tail requests limit exceeded, count > limit "
                f"({count} > {self.limits.max_concurrent_tails})"
            )
            logger.info("tail %d from %s rejected: %s", session_id, peer, reason)
            await close_websocket(ws, transport, 1011, reason)
            return ws

        session = TailSession(
            session_id,
            ws,
            transport,
            pipeline,
            query,
            delay_for,
            self.limits.tail_queue_size,
            peer,
        )
        self._replay_and_register(session, start, now, limit)
        logger.info("tail %d opened from %s: %s", session_id, peer, query)
        await self._run_tail(session)
        return ws

    def _replay_and_register(self, session: TailSession, start: int, now: int, limit: int) -> None:
        """Queue the historic entries and subscribe to pushes in one step, so none is lost."""
        replay = newest_entries(
            self.store, session.pipeline, self._retained_start(start), now + 1, limit
        )
        session.queue_replay(replay)
        self._tails[session.session_id] = session

    async def _run_tail(self, session: TailSession) -> None:
        ws = session.ws
        sender = asyncio.ensure_future(session.run_sender())
        pinger = asyncio.ensure_future(session.run_pinger(self.limits.tail_ping_interval_s))
        reader = asyncio.ensure_future(_drain_incoming(ws))
        reason = "client closed"
        try:
            done, _ = await asyncio.wait(
                {sender, pinger, reader},
                timeout=self.limits.tail_max_duration_s,
                return_when=asyncio.FIRST_COMPLETED,
            )
            if not done:
                reason = "reached tail max duration limit"
                await session.close(1011, reason)
            else:
                for task in done:
                    error = task.exception()
                    if error is not None:
                        reason = f"send failed: {error!r}"
                if session.close_reason:
                    reason = session.close_reason
        except (ConnectionResetError, asyncio.CancelledError) as error:
            reason = f"connection lost: {error!r}"
            if isinstance(error, asyncio.CancelledError):
                raise
        finally:
            for task in (sender, pinger, reader):
                task.cancel()
            self._tails.pop(session.session_id, None)
            logger.info(
                "tail %d closed (%s): %d entries sent, %d dropped",
                session.session_id,
                reason,
                session.sent_total,
                session.dropped_total,
            )


async def _drain_incoming(ws: web.WebSocketResponse) -> None:
    async for _ in ws:
        pass
