"""A pane buffer of many entries, built once for the tests that scan a whole buffer."""

from __future__ import annotations

import pytest

from tflog_tui.buffer import PaneBuffer
from tflog_tui.loki.models import Entry, Labels

ROWS = 100_000

WORDS = ["alpha", "beta", "charge", "failed", "retry", "upstream", "task", "sync"]


def _many_rows() -> PaneBuffer:
    """Build ROWS rows: every 50th at ERROR (by label), the rest at INFO.

    Row i ends with `{WORDS[i % 8]} {WORDS[i % 7]}`.
    """
    info = Labels({"service_name": "billing-sync", "level": "info"})
    error = Labels({"service_name": "billing-sync", "level": "error"})
    buffer = PaneBuffer()
    for start in range(0, ROWS, 10_000):
        buffer.append(
            Entry(
                index,
                f"2024-05-01T12:00:00Z task_id={index:08x} {WORDS[index % 8]} {WORDS[index % 7]}",
                error if index % 50 == 0 else info,
            )
            for index in range(start, start + 10_000)
        )
    return buffer


@pytest.fixture(scope="session")
def many_rows() -> PaneBuffer:
    """Return the shared ROWS-row buffer; tests must not change it."""
    return _many_rows()
