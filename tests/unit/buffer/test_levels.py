"""Level codes, colours and detection from labels and line text."""

from __future__ import annotations

import re

import pytest

from tflog_tui.buffer import (
    LEVEL_COLOURS,
    Level,
    detect_level,
    detect_line_level,
    level_from_labels,
    normalize_level,
)
from tflog_tui.loki.models import EMPTY_LABELS, Labels


def test_level_values_are_the_keys() -> None:
    assert [int(level) for level in Level] == [1, 2, 3, 4, 5, 6, 7]
    assert Level(1) is Level.CRITICAL
    assert Level(7) is Level.UNKNOWN


def test_level_labels() -> None:
    assert Level.CRITICAL.label == "critical"
    assert Level.WARNING.label == "warning"
    assert Level.UNKNOWN.label == "unknown"


def test_level_colours_are_hex() -> None:
    assert set(LEVEL_COLOURS) == set(Level)
    for colour in LEVEL_COLOURS.values():
        assert re.fullmatch(r"#[0-9a-f]{6}", colour)

    assert LEVEL_COLOURS[Level.ERROR] == "#e24d42"
    assert LEVEL_COLOURS[Level.UNKNOWN] == "#8e8e8e"


@pytest.mark.parametrize(
    ("name", "level"),
    [
        ("warn", Level.WARNING),
        ("warning", Level.WARNING),
        ("W", Level.WARNING),
        ("WARN", Level.WARNING),
        ("err", Level.ERROR),
        ("error", Level.ERROR),
        ("eror", Level.ERROR),
        ("Error", Level.ERROR),
        ("E", Level.ERROR),
        ("fatal", Level.CRITICAL),
        ("crit", Level.CRITICAL),
        ("critical", Level.CRITICAL),
        ("emerg", Level.CRITICAL),
        ("alert", Level.CRITICAL),
        ("dbug", Level.DEBUG),
        ("debug", Level.DEBUG),
        ("trace", Level.TRACE),
        ("info", Level.INFO),
        ("information", Level.INFO),
        ("notice", Level.INFO),
        (" INFO ", Level.INFO),
    ],
)
def test_normalize_level_names(name: str, level: Level) -> None:
    assert normalize_level(name) is level


def test_normalize_level_unknown_name() -> None:
    assert normalize_level("verbose-ish") is None
    assert normalize_level("unknown") is None
    assert normalize_level("") is None


def test_level_label_wins_over_line() -> None:
    labels = Labels({"service_name": "billing-sync", "level": "warning"})

    assert detect_level("ERROR something broke", labels) is Level.WARNING


def test_detected_level_in_metadata() -> None:
    metadata = Labels({"detected_level": "error"})

    assert detect_level("plain text", EMPTY_LABELS, metadata) is Level.ERROR


def test_stream_label_wins_over_metadata() -> None:
    labels = Labels({"level": "info"})
    metadata = Labels({"detected_level": "error"})

    assert detect_level("x", labels, metadata) is Level.INFO


def test_unknown_label_value_falls_back_to_line() -> None:
    labels = Labels({"level": "unknown"})

    assert detect_level("level=debug msg=x", labels) is Level.DEBUG


def test_level_from_labels_none_without_level() -> None:
    assert level_from_labels(Labels({"service_name": "x"})) is None
    assert level_from_labels(EMPTY_LABELS, None, Labels({"level": "warn"})) is Level.WARNING


@pytest.mark.parametrize(
    ("line", "level"),
    [
        ('{"level":"error","msg":"charge failed","task_id":"7f3a9c2e","attempt":3}', Level.ERROR),
        ('{"msg":"ERROR in text","level":"info"}', Level.INFO),
        ('{"lvl": "warn", "msg": "x"}', Level.WARNING),
        ('{"severity":"CRITICAL","message":"disk full"}', Level.CRITICAL),
        ('{"level":50,"msg":"pino error"}', Level.ERROR),
        ('{"level":30,"msg":"pino info"}', Level.INFO),
        ('level=warn msg="retrying upstream" task_id=7f3a9c2e duration=1.2s', Level.WARNING),
        ('ts=2024-05-01T12:00:00Z lvl=dbug msg="x"', Level.DEBUG),
        ('ts=1 level="error" msg="quoted value"', Level.ERROR),
        ('msg="ERROR text first" level=info', Level.INFO),
        ("loglevel=debug should not count, but ERROR does", Level.ERROR),
        ("2024-05-01T12:00:00.123Z INFO  billing-sync charged customer", Level.INFO),
        ("2024-05-01 12:00:00,123 - worker - WARNING - retrying", Level.WARNING),
        ("ERROR: payment failed", Level.ERROR),
        ("[WARN] disk almost full", Level.WARNING),
        ("[error] upstream closed connection", Level.ERROR),
        ("<Debug> cache miss", Level.DEBUG),
        ("WARNING: deprecated flag", Level.WARNING),
        ("E1203 12:00:00.000123    1234 main.go:42] failed to connect", Level.ERROR),
        ("W1203 12:00:00.000123    1234 main.go:42] slow", Level.WARNING),
        ("I1203 12:00:00.000123    1234 main.go:42] ok", Level.INFO),
        ("F1203 12:00:00.000123    1234 main.go:42] dead", Level.CRITICAL),
        ("CRITICAL disk failure", Level.CRITICAL),
        ("FATAL cannot start", Level.CRITICAL),
        ("panic: runtime error: index out of range", Level.CRITICAL),
        ("error: could not open file", Level.ERROR),
        ("Error: connection refused", Level.ERROR),
        ('Traceback (most recent call last):\n  File "x.py", line 3\nValueError: bad', Level.ERROR),
        ("TRACE entering handler", Level.TRACE),
        ("DEBUG cache warm", Level.DEBUG),
        ("NOTICE config reloaded", Level.INFO),
    ],
)
def test_detect_line_level_forms(line: str, level: Level) -> None:
    assert detect_line_level(line) is level
    assert detect_level(line, EMPTY_LABELS) is level


@pytest.mark.parametrize(
    "line",
    [
        "GET /api/v1/items 200 12ms user=alice",
        "no error occurred while syncing",
        "ERRORS_TOTAL=0",
        "MY_ERROR happened",
        "INFORMATIONAL_TEXT",
        "errors: 0",
        "",
        "{",
        '{"msg":"no level here"}',
        "level=",
    ],
)
def test_detect_line_level_unknown(line: str) -> None:
    assert detect_line_level(line) is Level.UNKNOWN


def test_long_line_scan_limit() -> None:
    line = "x" * 5000 + " ERROR"

    assert detect_line_level(line) is Level.UNKNOWN
    assert detect_line_level("ERROR " + "x" * 1_000_000) is Level.ERROR


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (
            "2024-05-01T12:00:00.123Z INFO  billing-sync task_id=7f3a9c2e charged customer",
            Level.INFO,
        ),
        ("2024-05-01 12:00:00,123 - worker - WARNING - retrying upstream call", Level.WARNING),
        ('level=info ts=2024-05-01T12:00:00Z msg="synced 120 rows"', Level.INFO),
        ('{"level":"error","msg":"charge failed","task_id":"7f3a9c2e"}', Level.ERROR),
        ("E1203 12:00:00.000123    1234 main.go:42] failed to connect to db", Level.ERROR),
        ("GET /api/v1/items 200 12ms user=alice", Level.UNKNOWN),
        ("Starting billing-sync.service - Billing sync task...", Level.UNKNOWN),
        ("[2024-05-01 12:00:00] [error] upstream closed connection", Level.ERROR),
    ],
)
def test_detect_line_level_of_common_formats(line: str, expected: Level) -> None:
    assert detect_line_level(line) is expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("\x1b[31mERROR\x1b[0m payment failed", Level.ERROR),
        ("\x1b[1;33mWARN\x1b[0m retrying upstream", Level.WARNING),
        ("\x1b[38;5;208m[error]\x1b[m upstream closed connection", Level.ERROR),
        ("2024-05-01 12:00:00 \x1b[32mINFO\x1b[0m synced 120 rows", Level.INFO),
        ("\x1b[2m2024-05-01T12:00:00Z\x1b[0m \x1b[31mERR\x1b[0m charge failed", Level.ERROR),
        ("\x1b[31merror:\x1b[0m cannot open file", Level.ERROR),
        ("\x1b[90mlevel=warn\x1b[0m msg=retrying", Level.WARNING),
        ("\x1b[31mpayment failed\x1b[0m", Level.UNKNOWN),
    ],
)
def test_detect_line_level_through_sgr(line: str, expected: Level) -> None:
    assert detect_line_level(line) is expected


def test_sgr_past_escape_scan_not_stripped() -> None:
    line = "x" * 300 + " \x1b[31mERROR\x1b[0m failed"

    assert detect_line_level(line) is Level.UNKNOWN
    assert detect_line_level("\x1b[31mERROR\x1b[0m " + "x" * 1_000_000) is Level.ERROR
    assert detect_level("\x1b[31mERROR\x1b[0m payment failed", EMPTY_LABELS) is Level.ERROR
