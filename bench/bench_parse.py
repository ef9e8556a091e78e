"""Parse: a 10 KB query, and 10,000 typical queries of the kind users type."""

from __future__ import annotations

from bench._common import Figure, median_seconds
from tflog_tui.logql import parse

TYPICAL = [
    '{service_name="billing-sync"}',
    '{service_name="billing-sync", task_id="7f3a9c2e"} |= "error"',
    '{namespace="prod", app=~"api|web"} |~ "(?i)timeout" != "healthz"',
    '{service_name="mailer"} | logfmt | level="error" | duration > 250ms',
    '{job="ingress"} | json | status >= 500 | line_format "{{.method}} {{.path}}"',
    'sum by (level) (count_over_time({service_name="billing-sync"} | json [5m]))',
    'rate({job="ingress"} |= "GET" [1m])',
    'topk(5, sum by (path) (rate({job="ingress"} | json | status >= 500 [5m])))',
    '{service_name="worker"} | pattern "<ip> - <user> [<_>] \\"<method> <path>\\""',
    'quantile_over_time(0.99, {job="api"} | logfmt | unwrap latency_ms [10m]) by (route)',
]


def _long_query() -> str:
    """Build a log query of about 10 KB: a selector and many filter and label stages."""
    stages = []
    index = 0
    while sum(len(stage) + 1 for stage in stages) < 10_000:
        stages.append(f'|= "needle-{index}" | logfmt | field_{index}=~"v{index}.*"')
        index += 1
    return '{service_name="billing-sync", namespace="prod"} ' + " ".join(stages)


def run() -> list[Figure]:
    """Measure parse times of one long query and of many typical ones."""
    long_query = _long_query()
    batch = (TYPICAL * 1000)[:10_000]

    def parse_batch() -> None:
        for text in batch:
            parse(text)

    long_s = median_seconds(lambda: parse(long_query), runs=7)
    batch_s = median_seconds(parse_batch, runs=5)
    return [
        Figure("parse", f"one {len(long_query) / 1000:.0f} KB query", long_s * 1000, "ms"),
        Figure("parse", "10 KB queries per second", 1 / long_s, "queries/s"),
        Figure("parse", "10,000 typical queries", batch_s * 1000, "ms"),
        Figure("parse", "typical queries per second", len(batch) / batch_s, "queries/s"),
    ]
