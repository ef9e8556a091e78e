"""Protobuf push: snappy block decoding and `logproto.PushRequest` decoding."""

from __future__ import annotations

import httpx
import pytest
from embedded_helpers import API, BASE_NS, NS, flatten, get_json

from tflog_tui.embedded import EmbeddedLoki
from tflog_tui.embedded.push_protobuf import PushDecodeError, snappy_decompress


def _varint(value: int) -> bytes:
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def _field(number: int, payload: bytes) -> bytes:
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _int_field(number: int, value: int) -> bytes:
    return _varint(number << 3) + _varint(value)


def _snappy_literals(data: bytes) -> bytes:
    """Compress with literal elements only, which every snappy decoder must accept."""
    out = bytearray(_varint(len(data)))
    for start in range(0, len(data), 60):
        chunk = data[start : start + 60]
        out.append((len(chunk) - 1) << 2)
        out += chunk
    return bytes(out)


def _push_request(labels: str, entries: list[tuple[int, str, dict[str, str]]]) -> bytes:
    stream = _field(1, labels.encode())
    for ts_ns, line, metadata in entries:
        seconds, nanos = divmod(ts_ns, NS)
        timestamp = _int_field(1, seconds) + _int_field(2, nanos)
        entry = _field(1, timestamp) + _field(2, line.encode())
        for name, value in metadata.items():
            entry += _field(3, _field(1, name.encode()) + _field(2, value.encode()))
        stream += _field(2, entry)
    return _snappy_literals(_field(1, stream))


def test_snappy_copies_and_overlaps() -> None:
    # "abcd" as a literal, then a 1-byte-offset copy of 8 bytes at offset 4 (overlapping),
    # then a 2-byte-offset copy of 3 bytes at offset 12.
    literal = bytes([3 << 2]) + b"abcd"
    copy_1 = bytes([((8 - 4) << 2) | 1, 4])
    copy_2 = bytes([((3 - 1) << 2) | 2]) + (12).to_bytes(2, "little")
    data = _varint(15) + literal + copy_1 + copy_2

    assert snappy_decompress(data) == b"abcdabcdabcdabc"


def test_snappy_rejects_bad_offset() -> None:
    data = _varint(8) + bytes([((8 - 4) << 2) | 1, 4])

    with pytest.raises(PushDecodeError):
        snappy_decompress(data)


async def test_protobuf_push_is_stored(loki_server: EmbeddedLoki) -> None:
    body = _push_request(
        '{job="proto", host="a"}',
        [(BASE_NS + 7, "first line", {}), (BASE_NS + 9, "second line", {"trace_id": "t1"})],
    )
    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        response = await client.post(
            API + "/push", content=body, headers={"Content-Type": "application/x-protobuf"}
        )
    payload = await get_json(
        loki_server,
        "/query_range",
        {"query": '{job="proto"}', "start": BASE_NS, "end": BASE_NS + NS, "direction": "forward"},
    )

    assert response.status_code == 204
    assert flatten(payload) == [
        (BASE_NS + 7, (("host", "a"), ("job", "proto")), "first line"),
        (BASE_NS + 9, (("host", "a"), ("job", "proto"), ("trace_id", "t1")), "second line"),
    ]


async def test_protobuf_push_garbage_is_400(loki_server: EmbeddedLoki) -> None:
    async with httpx.AsyncClient(base_url=loki_server.url) as client:
        response = await client.post(
            API + "/push",
            content=b"\xff\xff\xff",
            headers={"Content-Type": "application/x-protobuf"},
        )

    assert response.status_code == 400
    assert response.text.startswith("invalid push request: ")
