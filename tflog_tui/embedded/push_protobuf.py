"""Decode Loki's protobuf push body: a snappy-compressed `logproto.PushRequest`.

Promtail, Grafana Alloy and the Docker driver push this format
(`Content-Type: application/x-protobuf`). The messages used here, by field
number:

    PushRequest     { 1: repeated StreamAdapter streams }
    StreamAdapter   { 1: string labels (`{a="b", ...}`), 2: repeated EntryAdapter entries }
    EntryAdapter    { 1: Timestamp timestamp, 2: string line,
                      3: repeated LabelPairAdapter structuredMetadata }
    LabelPairAdapter{ 1: string name, 2: string value }
    Timestamp       { 1: int64 seconds, 2: int32 nanos }

The body is compressed with snappy's block format (not the framed format).
"""

from __future__ import annotations

from collections.abc import Iterator

from tflog_tui.embedded.limits import NS_PER_SECOND


class PushDecodeError(ValueError):
    """A protobuf push body that is not valid snappy or not a valid PushRequest."""


PushStream = tuple[str, list[tuple[int, str, dict[str, str] | None]]]


def _read_varint(data: bytes | memoryview, position: int) -> tuple[int, int]:
    result = 0
    shift = 0
    while True:
        if position >= len(data):
            raise PushDecodeError("truncated varint")
        byte = data[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7
        if shift > 63:
            raise PushDecodeError("varint longer than 64 bits")


def snappy_decompress(data: bytes) -> bytes:
    """Decompress a snappy block: a varint length, then literal and copy elements."""
    expected, position = _read_varint(data, 0)
    out = bytearray()
    size = len(data)
    while position < size:
        tag = data[position]
        position += 1
        kind = tag & 0x03
        if kind == 0:
            length = tag >> 2
            if length >= 60:
                extra = length - 59
                length = int.from_bytes(data[position : position + extra], "little")
                position += extra
            length += 1
            if position + length > size:
                raise PushDecodeError("snappy literal runs past the end of the input")
            out += data[position : position + length]
            position += length
            continue
        if kind == 1:
            length = ((tag >> 2) & 0x07) + 4
            offset = ((tag >> 5) << 8) | data[position]
            position += 1
        elif kind == 2:
            length = (tag >> 2) + 1
            offset = int.from_bytes(data[position : position + 2], "little")
            position += 2
        else:
            length = (tag >> 2) + 1
            offset = int.from_bytes(data[position : position + 4], "little")
            position += 4
        if offset == 0 or offset > len(out):
            raise PushDecodeError("snappy copy offset outside the output")
        start = len(out) - offset
        if offset >= length:
            out += out[start : start + length]
        else:
            # An overlapping copy repeats the last `offset` bytes.
            for index in range(length):
                out.append(out[start + index])
    if len(out) != expected:
        raise PushDecodeError(f"snappy length mismatch: header {expected}, decoded {len(out)}")
    return bytes(out)


def _fields(data: bytes | memoryview) -> Iterator[tuple[int, int, int | memoryview]]:
    """Yield (field number, wire type, value) for each field of one message."""
    view = memoryview(data)
    position = 0
    size = len(view)
    while position < size:
        key, position = _read_varint(view, position)
        number, wire_type = key >> 3, key & 0x07
        if wire_type == 0:
            value, position = _read_varint(view, position)
            yield number, wire_type, value
        elif wire_type == 2:
            length, position = _read_varint(view, position)
            if position + length > size:
                raise PushDecodeError("length-delimited field runs past the end of the message")
            yield number, wire_type, view[position : position + length]
            position += length
        elif wire_type == 1:
            position += 8
        elif wire_type == 5:
            position += 4
        else:
            raise PushDecodeError(f"unsupported protobuf wire type {wire_type}")


def _text(value: int | memoryview) -> str:
    if isinstance(value, int):
        raise PushDecodeError("expected a string field")
    return bytes(value).decode("utf-8", "replace")


def _message(value: int | memoryview) -> memoryview:
    if isinstance(value, int):
        raise PushDecodeError("expected a message field")
    return value


def _timestamp(data: memoryview) -> int:
    seconds = 0
    nanos = 0
    for number, _, value in _fields(data):
        if isinstance(value, int):
            if number == 1:
                seconds = value - (1 << 64) if value >= 1 << 63 else value
            elif number == 2:
                nanos = value
    return seconds * NS_PER_SECOND + nanos


def _entry(data: memoryview) -> tuple[int, str, dict[str, str] | None]:
    ts_ns = 0
    line = ""
    metadata: dict[str, str] = {}
    for number, _, value in _fields(data):
        if number == 1:
            ts_ns = _timestamp(_message(value))
        elif number == 2:
            line = _text(value)
        elif number == 3:
            name = ""
            label_value = ""
            for pair_number, _, pair_value in _fields(_message(value)):
                if pair_number == 1:
                    name = _text(pair_value)
                elif pair_number == 2:
                    label_value = _text(pair_value)
            metadata[name] = label_value
    return ts_ns, line, metadata or None


def decode_push_request(body: bytes) -> list[PushStream]:
    """Decode a snappy-compressed PushRequest into (labels text, entries) pairs."""
    message = snappy_decompress(body)
    streams: list[PushStream] = []
    for number, _, value in _fields(message):
        if number != 1:
            continue
        labels = ""
        entries: list[tuple[int, str, dict[str, str] | None]] = []
        for stream_number, _, stream_value in _fields(_message(value)):
            if stream_number == 1:
                labels = _text(stream_value)
            elif stream_number == 2:
                entries.append(_entry(_message(stream_value)))
        streams.append((labels, entries))
    return streams
