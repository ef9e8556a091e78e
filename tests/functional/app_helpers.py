"""Helpers for driving the app with Pilot against an embedded Loki on 127.0.0.1.

The data set is small and fixed, and the app and the server share one frozen
clock, so ranges, task times and snapshots do not depend on when tests run.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable
from typing import Any

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.loki import LokiSettings

NOW_NS = 1_796_385_600_000_000_000
"""The frozen clock: 2026-12-04T12:00:00Z, in nanoseconds since the epoch."""

SECOND_NS = 1_000_000_000
MINUTE_NS = 60 * SECOND_NS

BILLING_OLD_TASK = "7f3a9c2e"
BILLING_NEW_TASK = "c0ffee42"
MAILER_TASK = "0badf00d"


def billing_entries(task_id: str, start_ns: int) -> list[tuple[int, str]]:
    """Build the JSON lines of one billing-sync run: 10 entries, one error."""
    steps = [
        ("info", "task started"),
        ("debug", "loading accounts"),
        ("info", "fetched 120 invoices"),
        ("warning", "slow response from ledger"),
        ("info", "posting batch 1"),
        ("info", "posting batch 2"),
        ("error", "ledger rejected invoice INV-2201"),
        ("info", "retrying invoice INV-2201"),
        ("debug", "closing connections"),
        ("info", "task finished"),
    ]
    lines = []
    for index, (level, message) in enumerate(steps):
        document = {"level": level, "msg": message, "task_id": task_id, "step": index}
        lines.append((start_ns + index * SECOND_NS, json.dumps(document)))
    return lines


def mailer_entries(start_ns: int) -> list[tuple[int, str]]:
    """Build the logfmt lines of one mailer run: 6 entries, one critical."""
    steps = [
        ("info", "queue opened"),
        ("info", "sent 40 mails"),
        ("warn", "bounce from example.org"),
        ("critical", "smtp relay unreachable"),
        ("info", "queue closed"),
        ("trace", "socket released"),
    ]
    return [
        (start_ns + index * SECOND_NS, f'level={level} msg="{message}" attempt={index}')
        for index, (level, message) in enumerate(steps)
    ]


def load_fixed_data(server: EmbeddedLoki) -> int:
    """Push the fixed data set; return the number of entries pushed."""
    pushed = 0
    billing = {"service_name": "billing-sync", "hostname": "web-1"}
    old = billing_entries(BILLING_OLD_TASK, NOW_NS - 40 * MINUTE_NS)
    new = billing_entries(BILLING_NEW_TASK, NOW_NS - 10 * MINUTE_NS)
    pushed += server.push({**billing, "task_id": BILLING_OLD_TASK}, old)
    pushed += server.push({**billing, "task_id": BILLING_NEW_TASK}, new)
    mailer = {"service_name": "mailer", "hostname": "web-2", "task_id": MAILER_TASK}
    pushed += server.push(mailer, mailer_entries(NOW_NS - 20 * MINUTE_NS))
    return pushed


def make_settings(url: str, **overrides: Any) -> Any:
    """Build the app settings for a server at `url`, marked as the embedded demo server."""
    values: dict[str, Any] = {
        "loki": LokiSettings(addr=url, retries=0, timeout_s=5.0),
        "query": None,
        "time_from": "now-1h",
        "time_to": "now",
        "limit": 5000,
        "tail": False,
        "embedded_url": url,
        "capacity": 100_000,
        "utc": True,
    }
    values.update(overrides)
    try:
        from tflog_tui.settings import AppSettings, GrafanaSettings
    except ImportError:
        from types import SimpleNamespace

        return SimpleNamespace(grafana=None, **values)
    return AppSettings(grafana=GrafanaSettings(), **values)


async def wait_for(
    pilot: Any, condition: Callable[[], bool], timeout_s: float = 5.0, what: str = "condition"
) -> None:
    """Let the app run until `condition()` is true; fail after `timeout_s` seconds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout_s
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout_s} s waiting for {what}")
        await pilot.pause(0.05)


WaitFor = Callable[..., Awaitable[None]]


class NotifyRecorder:
    """Record the app's notifications (message, severity) while still showing them."""

    def __init__(self, app: Any) -> None:
        self.messages: list[tuple[str, str]] = []
        original = app.notify

        def notify(message: str, *args: Any, **kwargs: Any) -> None:
            self.messages.append((str(message), str(kwargs.get("severity", "information"))))
            original(message, *args, **kwargs)

        app.notify = notify

    def errors(self) -> list[str]:
        """Return the messages notified with severity error."""
        return [message for message, severity in self.messages if severity == "error"]


PAYMENTS_FAILED_TASK = "5e1f0a11"
PAYMENTS_CLEAN_TASK = "5e1f0a22"


def load_leveled_data(server: EmbeddedLoki) -> int:
    """Push a payments service whose streams carry a `level` label, as Fluent Bit ships them.

    The failed task logs 3 errors and 1 critical entry, the clean task none.
    Return the number of entries pushed.
    """
    pushed = 0
    start_ns = NOW_NS - 30 * MINUTE_NS
    streams = [
        (PAYMENTS_FAILED_TASK, "info", 5),
        (PAYMENTS_FAILED_TASK, "error", 3),
        (PAYMENTS_FAILED_TASK, "critical", 1),
        (PAYMENTS_CLEAN_TASK, "info", 4),
        (PAYMENTS_CLEAN_TASK, "warning", 2),
    ]
    for offset, (task_id, level, count) in enumerate(streams):
        labels = {
            "service_name": "payments",
            "hostname": "web-3",
            "task_id": task_id,
            "level": level,
        }
        lines = [
            (start_ns + (offset * 10 + n) * SECOND_NS, f"{level} payment step {n}")
            for n in range(count)
        ]
        pushed += server.push(labels, lines)
    return pushed
