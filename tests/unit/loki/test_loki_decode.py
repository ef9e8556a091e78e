"""Decoding Loki's JSON bodies into entries, samples and tail frames."""

from __future__ import annotations

import orjson
import pytest

from tflog_tui.loki.decode import (
    DecodeError,
    decode_matrix,
    decode_query_streams,
    decode_tail_frame,
    decode_vector,
    load_json,
    success_data,
)
from tflog_tui.loki.models import EMPTY_LABELS, LabelInterner


def streams_body(*streams: tuple[dict[str, str], list[list[object]]]) -> bytes:
    result = [{"stream": labels, "values": values} for labels, values in streams]
    return orjson.dumps(
        {"status": "success", "data": {"resultType": "streams", "result": result, "stats": {}}}
    )


def test_streams_decode_entries() -> None:
    body = streams_body(
        ({"app": "a"}, [["1700000000000000001", "one"], ["1700000000000000002", "two"]]),
        ({"app": "b"}, [["1700000000000000003", "three"]]),
    )

    entries = decode_query_streams(body, LabelInterner())

    assert [(entry.ts_ns, entry.line) for entry in entries] == [
        (1700000000000000001, "one"),
        (1700000000000000002, "two"),
        (1700000000000000003, "three"),
    ]
    assert isinstance(entries[0].ts_ns, int)
    assert entries[2].labels == {"app": "b"}


def test_equal_label_sets_share_one_object() -> None:
    body = streams_body(
        ({"app": "a", "level": "info"}, [["1", "x"]]),
        ({"level": "info", "app": "a"}, [["2", "y"]]),
    )

    entries = decode_query_streams(body, LabelInterner())

    assert entries[0].labels is entries[1].labels


def test_categorized_labels() -> None:
    categories = {"structuredMetadata": {"trace_id": "abc"}, "parsed": {"status": "500"}}
    body = streams_body(({"app": "a"}, [["5", "with", categories], ["6", "plain", {}]]))

    entries = decode_query_streams(body, LabelInterner())

    assert entries[0].metadata == {"trace_id": "abc"}
    assert entries[0].parsed == {"status": "500"}
    assert entries[0].labels == {"app": "a"}
    assert entries[1].metadata is EMPTY_LABELS
    assert entries[1].parsed is EMPTY_LABELS


def test_empty_and_missing_data() -> None:
    assert decode_query_streams(b'{"status":"success"}', LabelInterner()) == []
    assert success_data(load_json(b'{"status":"success"}')) is None


@pytest.mark.parametrize(
    "body",
    [b"<html>", b'{"status":"success","data":{"resultType":"matrix","result":[]}}', b"[1,2]"],
)
def test_wrong_bodies_raise(body: bytes) -> None:
    with pytest.raises(DecodeError):
        decode_query_streams(body, LabelInterner())


def test_error_status_raises() -> None:
    with pytest.raises(DecodeError, match="bad_data"):
        success_data({"status": "error", "error": "bad_data: nope"})


def test_matrix_and_vector() -> None:
    matrix = {
        "resultType": "matrix",
        "result": [{"metric": {"app": "a"}, "values": [[1700000000, "3"], [1700000000.5, "4.5"]]}],
    }
    vector = {"resultType": "vector", "result": [{"metric": {}, "value": [1700000001.25, "7"]}]}
    scalar = {"resultType": "scalar", "result": [1700000002, "1"]}

    series = decode_matrix(matrix, LabelInterner())
    samples = decode_vector(vector, LabelInterner())
    scalars = decode_vector(scalar, LabelInterner())

    assert series[0].points == [(1700000000_000000000, 3.0), (1700000000_500000000, 4.5)]
    assert series[0].labels == {"app": "a"}
    assert samples[0].ts_ns == 1700000001_250000000
    assert samples[0].value == 7.0
    assert scalars[0].value == 1.0


def test_tail_frame_sorted_with_dropped() -> None:
    frame = {
        "streams": [
            {"stream": {"app": "b"}, "values": [["20", "late"]]},
            {"stream": {"app": "a"}, "values": [["10", "early"]]},
        ],
        "dropped_entries": [
            {"timestamp": "5", "labels": {"app": "a"}},
            {"timestamp": "6", "labels": '{app="c", path="C:\\\\temp"}'},
        ],
    }

    decoded = decode_tail_frame(orjson.dumps(frame).decode(), LabelInterner())

    assert [entry.line for entry in decoded.entries] == ["early", "late"]
    assert decoded.dropped[0] == (5, {"app": "a"})
    assert decoded.dropped[1] == (6, {"app": "c", "path": "C:\\temp"})


def test_tail_frame_without_dropped() -> None:
    decoded = decode_tail_frame(b'{"streams":[],"dropped_entries":null}', LabelInterner())

    assert decoded.entries == []
    assert decoded.dropped == []
