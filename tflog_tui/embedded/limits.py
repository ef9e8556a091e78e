"""Limits of the embedded server, named and defaulted like Loki's `limits_config`."""

from __future__ import annotations

from dataclasses import dataclass

NS_PER_SECOND = 1_000_000_000
NS_PER_HOUR = 3600 * NS_PER_SECOND


@dataclass
class ServerLimits:
    """Per-server limits; the defaults are Loki 3.x defaults where Loki has one.

    `retention_ns` and `max_bytes` bound the in-memory store (None: unbounded).
    `tail_queue_size` is the number of entries buffered for one tail before
    new entries are dropped and reported in `dropped_entries`.
    """

    max_entries_limit_per_query: int = 5000
    max_query_length_ns: int = 721 * NS_PER_HOUR
    tail_max_duration_s: float = 3600.0
    max_concurrent_tails: int = 10
    tail_ping_interval_s: float = 1.0
    tail_max_delay_for_s: int = 5
    tail_queue_size: int = 10_000
    retention_ns: int | None = None
    max_bytes: int | None = None
    max_query_points: int = 11_000
