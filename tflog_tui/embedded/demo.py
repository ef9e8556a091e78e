"""Synthetic logs of systemd services that run tasks on a few hosts.

Every stream has the labels `service_name`, `task_id`, `level` and
`hostname`. A task starts, logs progress, sometimes retries, and ends with
success or with a Python traceback (one multi-line entry). Lines are JSON,
logfmt or plain text depending on the service. The generator is seeded and
its clock injectable, so screenshots and tests see the same data each time.
"""

from __future__ import annotations

import asyncio
import bisect
import functools
import logging
import random
import re
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import orjson

from tflog_tui.embedded.limits import NS_PER_SECOND
from tflog_tui.embedded.server import EmbeddedLoki
from tflog_tui.embedded.store import LogStore

logger = logging.getLogger(__name__)

LineFormat = Literal["json", "logfmt", "plain"]
StreamKey = tuple[tuple[str, str], ...]

HOSTS = ("app-01", "app-02", "worker-01")


@dataclass(frozen=True)
class DemoService:
    """A systemd service that runs one task every `interval_s` seconds."""

    name: str
    interval_s: int
    line_format: LineFormat
    steps: tuple[str, ...]
    failure_rate: float
    error: str
    module: str


SERVICES: tuple[DemoService, ...] = (
    DemoService(
        "billing-sync",
        300,
        "json",
        ("fetch accounts", "reconcile invoices", "post ledger entries"),
        0.08,
        "requests.exceptions.ReadTimeout: HTTPSConnectionPool(host='api.billing.internal', "
        "port=443): Read timed out. (read timeout=30)",
        "billing_sync",
    ),
    DemoService(
        "invoice-render",
        90,
        "logfmt",
        ("load template", "render pdf", "upload to storage"),
        0.05,
        "OSError: [Errno 28] No space left on device: '/var/tmp/invoices/render.pdf'",
        "invoice_render",
    ),
    DemoService(
        "report-builder",
        900,
        "plain",
        ("query warehouse", "aggregate metrics", "write report"),
        0.1,
        "psycopg2.errors.QueryCanceled: canceling statement due to statement timeout",
        "report_builder",
    ),
    DemoService(
        "mail-dispatch",
        45,
        "logfmt",
        ("claim outbox batch", "send messages"),
        0.03,
        "smtplib.SMTPServerDisconnected: Connection unexpectedly closed",
        "mail_dispatch",
    ),
    DemoService(
        "search-indexer",
        180,
        "json",
        ("scan changed documents", "index batch", "commit segment"),
        0.04,
        "elasticsearch.exceptions.ConnectionTimeout: ConnectionTimeout caused by - "
        "ReadTimeoutError(HTTPConnectionPool(host='search-01', port=9200): Read timed out.)",
        "search_indexer",
    ),
    DemoService(
        "backup-rotate",
        3600,
        "plain",
        ("snapshot volumes", "prune old snapshots", "verify checksums"),
        0.12,
        "subprocess.CalledProcessError: Command '['restic', 'forget', '--prune']' "
        "returned non-zero exit status 1.",
        "backup_rotate",
    ),
    DemoService(
        "cache-warmer",
        600,
        "json",
        ("load hot keys", "warm cache"),
        0.02,
        "redis.exceptions.ConnectionError: Error 111 connecting to cache-01:6379. "
        "Connection refused.",
        "cache_warmer",
    ),
    DemoService(
        "ledger-export",
        1800,
        "logfmt",
        ("select closed periods", "export csv", "transfer to sftp"),
        0.15,
        "paramiko.ssh_exception.SSHException: Error reading SSH protocol banner",
        "ledger_export",
    ),
)


@dataclass
class DemoEntry:
    """One generated entry: time in ns, stream labels (sorted items), line."""

    ts_ns: int
    labels: StreamKey
    line: str


class DemoGenerator:
    """Generate tasks deterministically from `seed`, relative to `now_ns`."""

    def __init__(self, seed: int = 7, now_ns: int | None = None) -> None:
        self.seed = seed
        self.now_ns = time.time_ns() if now_ns is None else now_ns
        self._rng = random.Random(seed)

    def task_id(self) -> str:
        """Return a new 8-hex-digit task id."""
        return f"{self._rng.getrandbits(32):08x}"

    def tasks_between(self, start_ns: int, end_ns: int) -> list[DemoEntry]:
        """Generate every task that starts in [start_ns, end_ns); return entries by time.

        Entries of tasks still running at `end_ns` have later timestamps.
        """
        entries: list[DemoEntry] = []
        for index, service in enumerate(SERVICES):
            interval_ns = service.interval_s * NS_PER_SECOND
            # Stagger services so their tasks do not all start on the same second.
            phase_ns = (index * 37 + 11) * NS_PER_SECOND
            first = (start_ns - phase_ns) // interval_ns * interval_ns + phase_ns
            if first < start_ns:
                first += interval_ns
            for task_start in range(first, end_ns, interval_ns):
                jitter = self._rng.randrange(0, 20 * NS_PER_SECOND)
                entries.extend(self._task(service, task_start + jitter))
        entries.sort(key=lambda entry: entry.ts_ns)
        return entries

    def _task(self, service: DemoService, start_ns: int) -> list[DemoEntry]:
        rng = self._rng
        task_id = self.task_id()
        host = rng.choice(HOSTS)
        clock = start_ns
        out: list[DemoEntry] = []

        def emit(level: str, message: str, raw: bool = False, **fields: object) -> None:
            nonlocal clock
            clock += rng.randrange(1_000_000, 1_500 * 1_000_000)
            labels: StreamKey = (
                ("hostname", host),
                ("level", level),
                ("service_name", service.name),
                ("task_id", task_id),
            )
            if raw and service.line_format != "json":
                # The traceback stays raw text: one entry of many lines, as a shipper
                # with multi-line joining sends it.
                line = message
            elif raw:
                line = _format_line(
                    service, clock, level, task_id, "step failed", {"exc_info": message}
                )
            else:
                line = _format_line(service, clock, level, task_id, message, fields)
            out.append(DemoEntry(clock, labels, line))

        emit("info", "task started", step_count=len(service.steps))
        failed = rng.random() < service.failure_rate
        failing_step = rng.randrange(len(service.steps)) if failed else -1
        for number, step in enumerate(service.steps):
            emit("debug", f"step {number + 1}/{len(service.steps)}: {step}")
            items = rng.randrange(5, 400)
            for batch in range(rng.randrange(2, 15)):
                emit("debug", "progress", step=step, batch=batch + 1, items=items)
            if rng.random() < 0.02:
                # A burst: a step that logs one line per item.
                for item in range(rng.randrange(30, 80)):
                    emit("debug", "processed item", step=step, item=item + 1)
            if number == failing_step:
                for attempt in range(1, 4):
                    emit(
                        "warning",
                        "step failed, retrying",
                        step=step,
                        attempt=attempt,
                        max_attempts=3,
                        backoff_s=2**attempt,
                    )
                emit("error", _traceback(service, step), raw=True)
                emit("error", "task failed", step=step, attempts=3)
                return out
            if rng.random() < 0.1:
                emit("warning", "slow step", step=step, duration_s=round(rng.uniform(20, 90), 1))
            emit("info", "step done", step=step, items=items)
        emit("info", "task finished", duration_s=round((clock - start_ns) / NS_PER_SECOND, 2))
        return out


def _format_line(
    service: DemoService,
    ts_ns: int,
    level: str,
    task_id: str,
    message: str,
    fields: dict[str, object],
) -> str:
    if service.line_format == "json":
        milliseconds = ts_ns % NS_PER_SECOND // 1_000_000
        record: dict[str, object] = {
            "ts": f"{_utc_second(ts_ns // NS_PER_SECOND)}.{milliseconds:03d}Z",
            "level": level,
            "msg": message,
            "task_id": task_id,
        }
        record.update(fields)
        return orjson.dumps(record).decode("utf-8")
    if service.line_format == "logfmt":
        parts = [f"level={level}", f"msg={_logfmt_value(message)}", f"task_id={task_id}"]
        parts.extend(f"{key}={_logfmt_value(str(value))}" for key, value in fields.items())
        return " ".join(parts)
    extra = " ".join(f"{key}={value}" for key, value in fields.items())
    text = f"{level.upper():<7} [{service.name}] task_id={task_id} {message}"
    return f"{text} {extra}" if extra else text


_LOGFMT_NEEDS_QUOTES = re.compile(r'[\s"=]')


@functools.lru_cache(maxsize=4096)
def _utc_second(seconds: int) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(seconds))


def _logfmt_value(value: str) -> str:
    if value and _LOGFMT_NEEDS_QUOTES.search(value) is None:
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _traceback(service: DemoService, step: str) -> str:
    module = service.module
    function = step.replace(" ", "_")
    return (
        f"step {step!r} failed after 3 attempts\n"
        "Traceback (most recent call last):\n"
        f'  File "/opt/taskflows/{module}/runner.py", line 212, in run_step\n'
        "    result = step.execute(context)\n"
        f'  File "/opt/taskflows/{module}/steps.py", line 88, in {function}\n'
        "    response = self.client.call(payload, timeout=30)\n"
        f'  File "/opt/taskflows/{module}/client.py", line 41, in call\n'
        "    raise self._translate(exc)\n"
        f"{service.error}"
    )


def _group_by_stream(entries: list[DemoEntry]) -> dict[StreamKey, list[tuple[int, str]]]:
    streams: dict[StreamKey, list[tuple[int, str]]] = {}
    for entry in entries:
        streams.setdefault(entry.labels, []).append((entry.ts_ns, entry.line))
    return streams


def load_history(
    target: EmbeddedLoki | LogStore, hours: float = 24, generator: DemoGenerator | None = None
) -> list[DemoEntry]:
    """Store `hours` of history ending at the generator's clock; return the future entries.

    The returned entries belong to tasks still running at `now`; `run_live_feed`
    pushes them when their time comes.
    """
    generator = generator or DemoGenerator()
    now = generator.now_ns
    entries = generator.tasks_between(now - int(hours * 3600 * NS_PER_SECOND), now)
    split = bisect.bisect_right([entry.ts_ns for entry in entries], now)
    past, future = entries[:split], entries[split:]
    for labels, values in _group_by_stream(past).items():
        if isinstance(target, EmbeddedLoki):
            target.push(dict(labels), values)
        else:
            target.append(dict(labels), values)
    logger.info("loaded %d demo entries covering %s hours", len(past), hours)
    return future


async def run_live_feed(
    server: EmbeddedLoki,
    generator: DemoGenerator | None = None,
    pending: list[DemoEntry] | None = None,
    clock: Callable[[], int] = time.time_ns,
    tick_s: float = 0.25,
) -> None:
    """Push generated entries as their timestamps pass, forever (cancel to stop).

    New tasks are generated a minute ahead of `clock()`; `pending` are the
    entries of tasks that were running when the history was loaded.
    """
    generator = generator or DemoGenerator(now_ns=clock())
    queue: list[DemoEntry] = sorted(pending or [], key=lambda entry: entry.ts_ns)
    generated_until = max(generator.now_ns, clock())
    lookahead_ns = 60 * NS_PER_SECOND
    while True:
        now = clock()
        if now + lookahead_ns > generated_until:
            fresh = generator.tasks_between(generated_until, now + lookahead_ns)
            generated_until = now + lookahead_ns
            queue.extend(fresh)
            queue.sort(key=lambda entry: entry.ts_ns)
        split = bisect.bisect_right([entry.ts_ns for entry in queue], now)
        due, queue = queue[:split], queue[split:]
        for labels, values in _group_by_stream(due).items():
            server.push(dict(labels), values)
        await asyncio.sleep(tick_s)
