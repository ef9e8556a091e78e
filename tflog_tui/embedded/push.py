"""Decode push request bodies: JSON (optionally gzip or deflate) and snappy protobuf."""

from __future__ import annotations

import contextlib
import gzip
import json
import re
import zlib
from collections.abc import Mapping
from typing import Any

import orjson

from tflog_tui.embedded.params import BadRequest
from tflog_tui.embedded.push_protobuf import PushDecodeError, decode_push_request
from tflog_tui.embedded.query import parse_log_query

_SURROGATE = re.compile("[\ud800-\udfff]")

PushBatch = tuple[dict[str, str], list[tuple[int, str, Mapping[str, str] | None]]]


def decode_json_push(body: bytes) -> list[PushBatch]:
    """Decode `{"streams": [{"stream": {...}, "values": [[ns, line, metadata?]]}]}`."""
    payload = _load_json(body)
    if not isinstance(payload, dict) or not isinstance(payload.get("streams"), list):
        raise BadRequest('invalid push request: expected {"streams": [...]}')
    return [_decode_json_stream(item) for item in payload["streams"]]


def _load_json(body: bytes) -> Any:
    """Decode JSON like Go's decoder: invalid UTF-8 and lone surrogates become U+FFFD.

    orjson rejects both, so such a body is decoded a second time with the
    standard library and the surrogates left in its strings are replaced.
    """
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as error:
        first_error = error
    try:
        payload = json.loads(body.decode("utf-8", "replace"))
    except ValueError:
        raise BadRequest(f"invalid push request: {first_error}") from None
    return _replace_surrogates(payload)


def _replace_surrogates(value: Any) -> Any:
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [_replace_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {_replace_surrogates(k): _replace_surrogates(v) for k, v in value.items()}
    return value


def _decode_json_stream(item: Any) -> PushBatch:
    if not isinstance(item, dict):
        raise BadRequest("invalid push request: a stream must be an object")
    labels = item.get("stream")
    if not isinstance(labels, dict) or not labels:
        raise BadRequest("error at least one label pair is required per stream")
    for name, value in labels.items():
        if not isinstance(value, str) or not _valid_label_name(name):
            raise BadRequest(f"invalid label name or value in stream {labels}")
    entries: list[tuple[int, str, Mapping[str, str] | None]] = []
    for value in item.get("values") or []:
        if not isinstance(value, list) or len(value) < 2 or not isinstance(value[1], str):
            raise BadRequest('invalid push request: a value must be ["<ns>", "<line>"]')
        # Loki rejects a timestamp sent as a JSON number; it must be a string.
        if not isinstance(value[0], str) or not value[0].lstrip("-").isdigit():
            raise BadRequest(
                f"invalid push request: the timestamp {value[0]!r} must be a string of "
                "nanoseconds since the epoch"
            )
        ts_ns = int(value[0])
        metadata = value[2] if len(value) > 2 and isinstance(value[2], dict) else None
        if metadata is not None:
            metadata = {str(k): str(v) for k, v in metadata.items()}
        entries.append((ts_ns, value[1], metadata))
    return labels, entries


def decode_protobuf_push(body: bytes) -> list[PushBatch]:
    """Decode a snappy-compressed PushRequest; its stream labels are LogQL label-set text."""
    try:
        streams = decode_push_request(body)
    except PushDecodeError as error:
        raise BadRequest(f"invalid push request: {error}") from None
    batches: list[PushBatch] = []
    for labels_text, entries in streams:
        try:
            matchers = parse_log_query(labels_text).selector
        except BadRequest as error:
            raise BadRequest(f"error parsing labels {labels_text}: {error.message}") from None
        if any(matcher.op != "=" for matcher in matchers):
            raise BadRequest(f'error parsing labels {labels_text}: expected name="value" pairs')
        labels = {matcher.name: matcher.value for matcher in matchers}
        batches.append((labels, list(entries)))
    return batches


def _valid_label_name(name: str) -> bool:
    if not name or not (name[0].isascii() and (name[0].isalpha() or name[0] == "_")):
        return False
    return all(ch.isascii() and (ch.isalnum() or ch == "_") for ch in name)


def decode_push_body(body: bytes, content_type: str, content_encoding: str) -> list[PushBatch]:
    """Decode a push body into (labels, entries) batches; raise BadRequest when invalid."""
    encoding = content_encoding.lower()
    if encoding == "gzip" and body[:2] == b"\x1f\x8b":
        # aiohttp may already have decompressed the body, so check the gzip magic first.
        try:
            body = gzip.decompress(body)
        except (OSError, EOFError) as error:
            raise BadRequest(f"invalid push request: gzip: {error}") from None
    elif encoding == "deflate":
        with contextlib.suppress(zlib.error):
            body = zlib.decompress(body)
    if content_type == "application/x-protobuf":
        return decode_protobuf_push(body)
    return decode_json_push(body)
