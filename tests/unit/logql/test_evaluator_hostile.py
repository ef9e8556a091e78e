"""Hostile log lines through every kind of pipeline stage: no crash, exact results."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest

from tflog_tui.logql import LogQuery, parse
from tflog_tui.logql.evaluator import LogQueryEvaluator, ProcessedEntry

CASES_FILE = Path(__file__).resolve().parents[2] / "data" / "hostile-lines.jsonl"


def _load_cases() -> list[tuple[str, str]]:
    cases = []
    for raw in CASES_FILE.read_text(encoding="utf-8").splitlines():
        case = json.loads(raw)
        cases.append((case["name"], case["line"] * case.get("repeat", 1)))
    return cases


HOSTILE = _load_cases()
STREAM = {"service_name": "billing-sync"}

PIPELINES = [
    '|= "x"',
    '|~ "(?i)error|fail"',
    "| json",
    '| json level="level", first="a[0]"',
    "| logfmt",
    "| logfmt --strict --keep-empty",
    '| regexp "(?P<word>\\\\w+)"',
    '| pattern "<first> <rest>"',
    "| unpack",
    "| decolorize",
    '| line_format "{{ __line__ }}"',
    '| label_format line_len="{{ __line__ | len }}"',
    '| json | __error__="" | level="error"',
    "| logfmt | duration > 1s",
]


def run(pipeline: str, line: str) -> ProcessedEntry | None:
    query = parse(f'{{service_name="billing-sync"}} {pipeline}')
    assert isinstance(query, LogQuery)
    return LogQueryEvaluator(query).process(1, STREAM, line)


@pytest.mark.parametrize("pipeline", PIPELINES)
def test_hostile_lines_never_raise(pipeline: str) -> None:
    assert len(HOSTILE) >= 20

    for _name, line in HOSTILE:
        result = run(pipeline, line)
        if result is not None:
            assert isinstance(result.line, str)
            assert all(isinstance(value, str) for value in result.labels.values())


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("\x1b[31mERROR\x1b[0m payment failed", "ERROR payment failed"),
        ("\x1b[H\x1b[2Jtask done", "task done"),
        ("\x1b[2K\x1b[1Gprogress 50%", "progress 50%"),
        ("\x1b]0;pwned\x07title change attempt", "title change attempt"),
        ("\x1b]52;c;ZWNobyBoaQ==\x07clipboard write attempt", "clipboard write attempt"),
        ("\x1b]8;;http://example.invalid\x1b\\click\x1b]8;;\x1b\\", "click"),
        ("\x1bP+q544e\x1b\\after dcs", "after dcs"),
        ("\x9b31mC1 CSI", "C1 CSI"),
        ("[bold red]not bold[/bold red]", "[bold red]not bold[/bold red]"),
    ],
)
def test_decolorize_hostile_sequences(line: str, expected: str) -> None:
    result = run("| decolorize", line)
    assert result is not None
    assert result.line == expected


def test_line_format_round_trips_every_hostile_line() -> None:
    for name, line in HOSTILE:
        result = run('| line_format "{{ __line__ }}"', line)
        assert result is not None
        assert result.line == line, name


def test_json_and_logfmt_hostile_examples() -> None:
    json_line = '{"level":"error","msg":"charge failed","task_id":"7f3a9c2e","attempt":3}'
    result = run("| json", json_line)
    assert result is not None
    assert result.parsed == {
        "level": "error",
        "msg": "charge failed",
        "task_id": "7f3a9c2e",
        "attempt": "3",
    }

    logfmt_line = 'level=warn msg="retrying upstream" task_id=7f3a9c2e duration=1.2s'
    result = run("| logfmt | duration > 1s", logfmt_line)
    assert result is not None
    assert result.parsed == {
        "level": "warn",
        "msg": "retrying upstream",
        "task_id": "7f3a9c2e",
        "duration": "1.2s",
    }


def test_escaped_surrogate_text_is_not_json() -> None:
    result = run("| json", "\\ud800 escaped in json")
    assert result is not None
    assert result.labels["__error__"] == "JSONParserErr"


def test_lone_surrogate_inside_json_value() -> None:
    result = run("| json", '{"v":"\\ud800"}')
    assert result is not None
    assert result.parsed == {"v": "\ud800"}


@pytest.mark.parametrize(
    "line",
    [
        "[" * 200_000,
        '{"a":' * 200_000,
        '{"a":"' + "x" * 1_000_000 + '"',
        "x" * 1_000_000,
        'k="' + "\\" * 999_999,
    ],
    ids=["nested-arrays", "nested-objects", "unterminated-1MB", "plain-1MB", "backslashes-1MB"],
)
@pytest.mark.parametrize("pipeline", ["| json", '| json v="a.b"', "| logfmt --strict", "| unpack"])
def test_pathological_lines_finish(line: str, pipeline: str) -> None:
    started = time.perf_counter()
    result = run(pipeline, line)
    assert time.perf_counter() - started < 2.0
    assert result is not None


def test_one_megabyte_json_value() -> None:
    line = '{"msg":"' + "x" * 1_000_000 + '","level":"info"}'
    result = run('| json | level="info"', line)
    assert result is not None
    assert len(result.labels["msg"]) == 1_000_000


def test_multiline_entry_is_one_entry() -> None:
    line = 'Traceback (most recent call last):\n  File "x.py", line 3, in <module>\nValueError'
    assert run('|= "ValueError"', line) is not None
    assert run('|~ "^Traceback.*ValueError$"', line) is None
    assert run('|~ "(?s)^Traceback.*ValueError$"', line) is not None
