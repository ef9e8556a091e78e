"""A pane buffer holding 1,000,000 entries, built once for the timing tests."""

from __future__ import annotations

import pytest

from tflog_tui.buffer import PaneBuffer
from tflog_tui.loki.models import Entry, Labels

WORDS = ["alpha", "beta", "charge", "failed", "retry", "upstream", "task", "sync"]


def _million_rows() -> PaneBuffer:
    """Build 1,000,000 rows: every 50th at ERROR (by label), the rest at INFO.

    Row i ends with `{WORDS[i % 8]} {WORDS[i % 7]}`.
    """
    info = Labels({"service_name": "billing-sync", "level": "info"})
    error = Labels({"service_name": "billing-sync", "level": "error"})
    buffer = PaneBuffer()
    for start in range(0, 1_000_000, 50_000):
        buffer.append(
            Entry(
                index,
                f"2024-05-01T12:00:00Z task_id={index:08x} {WORDS[index % 8]} {WORDS[index % 7]}",
                error if index % 50 == 0 else info,
            )
            for index in range(start, start + 50_000)
        )
    return buffer


@pytest.fixture(scope="session")
def million_rows() -> PaneBuffer:
    """Return the shared 1,000,000-row buffer; tests must not change it."""
    return _million_rows()
