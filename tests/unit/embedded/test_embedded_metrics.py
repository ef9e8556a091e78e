"""Metric queries through the embedded server: matrix, vector, scalar and pipelines."""

from __future__ import annotations

import httpx
import pytest
from embedded_helpers import API, BASE_NS, NS, flatten, get_json

from tflog_tui.embedded import EmbeddedLoki


@pytest.fixture
def metric_server(loki_server: EmbeddedLoki) -> EmbeddedLoki:
    """Return the server with 12 info lines 10 s apart and 4 error lines 30 s apart."""
    loki_server.push(
        {"job": "m", "level": "info"},
        [(BASE_NS + i * 10 * NS, f"level=info n={i}") for i in range(12)],
    )
    loki_server.push(
        {"job": "m", "level": "error"},
        [(BASE_NS + i * 30 * NS, f"level=error n={i}") for i in range(4)],
    )
    return loki_server


async def test_count_over_time_matrix(metric_server: EmbeddedLoki) -> None:
    payload = await get_json(
        metric_server,
        "/query_range",
        {
            "query": 'count_over_time({job="m"}[1m])',
            "start": BASE_NS,
            "end": BASE_NS + 120 * NS,
            "step": "60s",
        },
    )

    assert payload["data"]["resultType"] == "matrix"
    assert payload["data"]["result"] == [
        {
            "metric": {"job": "m", "level": "error"},
            "values": [[1700000000, "1"], [1700000060, "2"], [1700000120, "1"]],
        },
        {
            "metric": {"job": "m", "level": "info"},
            "values": [[1700000000, "1"], [1700000060, "6"], [1700000120, "5"]],
        },
    ]
    assert "stats" in payload["data"]


async def test_step_as_float_seconds(metric_server: EmbeddedLoki) -> None:
    payload = await get_json(
        metric_server,
        "/query_range",
        {
            "query": 'sum(count_over_time({job="m"}[1m]))',
            "start": BASE_NS,
            "end": BASE_NS + 120 * NS,
            "step": "60.0",
        },
    )

    assert payload["data"]["result"] == [
        {"metric": {}, "values": [[1700000000, "2"], [1700000060, "8"], [1700000120, "6"]]}
    ]


async def test_instant_vector_and_scalar(metric_server: EmbeddedLoki) -> None:
    at = BASE_NS + 120 * NS

    vector = await get_json(
        metric_server, "/query", {"query": 'sum(count_over_time({job="m"}[5m]))', "time": at}
    )
    scalar = await get_json(metric_server, "/query", {"query": "1 + 1", "time": at})

    assert vector["data"]["resultType"] == "vector"
    assert vector["data"]["result"] == [{"metric": {}, "value": [1700000120, "16"]}]
    assert scalar["data"]["resultType"] == "scalar"
    assert scalar["data"]["result"] == [1700000120, "2"]


async def test_pipeline_labels_in_streams(metric_server: EmbeddedLoki) -> None:
    params: dict[str, str | int] = {
        "query": '{job="m"} | logfmt | n > 9',
        "start": BASE_NS,
        "end": BASE_NS + 200 * NS,
    }

    plain = await get_json(metric_server, "/query_range", params)
    async with httpx.AsyncClient(base_url=metric_server.url) as client:
        categorized = (
            await client.get(
                API + "/query_range",
                params=params,
                headers={"X-Loki-Response-Encoding-Flags": "categorize-labels"},
            )
        ).json()

    # Without categorized labels, extracted labels split the output into one stream per n.
    assert sorted(entry[2] for entry in flatten(plain)) == ["level=info n=10", "level=info n=11"]
    assert plain["data"]["result"][1]["stream"] == {
        "job": "m",
        "level": "info",
        "level_extracted": "info",
        "n": "11",
    }
    assert categorized["data"]["result"][0]["stream"] == {"job": "m", "level": "info"}
    assert categorized["data"]["result"][0]["values"][0][2] == {
        "parsed": {"level_extracted": "info", "n": "11"}
    }


async def test_zero_step_is_rejected(metric_server: EmbeddedLoki) -> None:
    async with httpx.AsyncClient(base_url=metric_server.url) as client:
        response = await client.get(
            API + "/query_range",
            params={"query": 'count_over_time({job="m"}[1m])', "step": "0"},
        )

    assert response.status_code == 400
    assert response.text == (
        "zero or negative query resolution step widths are not accepted. Try a positive integer\n"
    )


async def test_too_many_points_is_rejected(metric_server: EmbeddedLoki) -> None:
    async with httpx.AsyncClient(base_url=metric_server.url) as client:
        response = await client.get(
            API + "/query_range",
            params={
                "query": 'count_over_time({job="m"}[1m])',
                "start": BASE_NS,
                "end": BASE_NS + 24 * 3600 * NS,
                "step": "1s",
            },
        )

    assert response.status_code == 400
    assert response.text == (
        "exceeded maximum resolution of 11,000 points per timeseries. "
        "Try decreasing the query resolution (?step=XX)\n"
    )
