"""Log levels: the codes the pane buffer stores, their colours, and detection.

Detection runs once per entry at ingest, so the common paths avoid Python
loops: a level label is resolved once per stream, and a line is scanned with
one or two compiled regular expressions over its first `SCAN_CHARS`
characters.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import IntEnum
from typing import Final


class Level(IntEnum):
    """A log level. Its value is the key that toggles it in the app (1-7)."""

    CRITICAL = 1
    ERROR = 2
    WARNING = 3
    INFO = 4
    DEBUG = 5
    TRACE = 6
    UNKNOWN = 7

    @property
    def label(self) -> str:
        """The lower-case name Grafana and Loki use (`"warning"`)."""
        return self.name.lower()


ALL_LEVELS: Final[frozenset[Level]] = frozenset(Level)

# Grafana's Explore documentation names these colours: critical purple, error
# red, warning yellow, info green, debug blue, trace light blue, unknown grey.
# The `#rrggbb` shades are chosen to match those names.
LEVEL_COLOURS: Final[dict[Level, str]] = {
    Level.CRITICAL: "#705da0",
    Level.ERROR: "#e24d42",
    Level.WARNING: "#eab839",
    Level.INFO: "#7eb26d",
    Level.DEBUG: "#1f78c1",
    Level.TRACE: "#6ed0e0",
    Level.UNKNOWN: "#8e8e8e",
}

# Level names in labels, JSON, logfmt and text, lower case. The long names follow
# Grafana's LogLevel mapping (@grafana/data). The one-letter forms are those of
# glog and Android logcat.
_LEVEL_NAMES: Final[dict[str, Level]] = {
    "critical": Level.CRITICAL,
    "crit": Level.CRITICAL,
    "fatal": Level.CRITICAL,
    "emerg": Level.CRITICAL,
    "emergency": Level.CRITICAL,
    "alert": Level.CRITICAL,
    # zap (Go) logs at panic and dpanic, above error.
    "panic": Level.CRITICAL,
    "dpanic": Level.CRITICAL,
    "f": Level.CRITICAL,
    "error": Level.ERROR,
    "err": Level.ERROR,
    "eror": Level.ERROR,
    "e": Level.ERROR,
    "warning": Level.WARNING,
    "warn": Level.WARNING,
    "wrn": Level.WARNING,
    "w": Level.WARNING,
    "info": Level.INFO,
    "information": Level.INFO,
    "informational": Level.INFO,
    "inf": Level.INFO,
    "notice": Level.INFO,
    "i": Level.INFO,
    "debug": Level.DEBUG,
    "dbug": Level.DEBUG,
    "dbg": Level.DEBUG,
    "d": Level.DEBUG,
    "trace": Level.TRACE,
    "trc": Level.TRACE,
}

# Label names that carry a level, checked in this order.
LEVEL_LABEL_NAMES: Final[tuple[str, ...]] = ("level", "detected_level", "severity", "lvl")

# Text forms are searched only in the first SCAN_CHARS characters, because a
# level is written near the start and a megabyte line must not cost a full scan.
SCAN_CHARS: Final = 1024

# JSON is scanned further because the level field may follow a long message.
JSON_SCAN_CHARS: Final = 8192

# Escape sequences are removed from this many leading characters, where a
# coloured level (`ESC[31mERROR ESC[0m`) is written.
ESCAPE_SCAN_CHARS: Final = 200

# A CSI sequence: parameters, intermediates and final byte (SGR is `ESC [ ... m`).
_CSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")

_JSON_LEVEL = re.compile(
    r'"(?:level|lvl|severity|loglevel|log\.level|levelname)"\s*:\s*(?:"([^"\\]{1,24})"|(\d{1,3})\b)',
    re.IGNORECASE,
)

_LOGFMT_KEYS: Final[tuple[str, ...]] = ("level=", "lvl=", "severity=")
_LOGFMT_VALUE = re.compile(r'"([^"\\]{1,24})"|([A-Za-z]{1,24})')

# Level names as they appear in free text, upper case.
_TEXT_NAMES: Final[tuple[str, ...]] = (
    "CRITICAL", "CRIT", "FATAL", "EMERGENCY", "EMERG", "ALERT", "PANIC",
    "ERROR", "EROR", "ERR", "WARNING", "WARN", "INFO", "NOTICE", "DEBUG", "DBUG", "TRACE",
)  # fmt: skip


def _build_text_pattern() -> re.Pattern[str]:
    """Compile the free-text level pattern.

    Every top-level alternative starts with a literal character, so the
    regex engine scans for the set of first characters in C before trying a
    match. A leading look-behind or a lower-case first letter would defeat
    that scan and make a search several times slower. The character before
    a bare token is therefore checked in Python, and lower-case forms such
    as `error:` are matched only at the start of a line, by `str.startswith`.
    """
    upper = [name + r"(?![\w-])" for name in _TEXT_NAMES]
    any_case = "|".join(
        f"[{name[0]}{name[0].lower()}]{name[1:].lower()}|{name}" for name in _TEXT_NAMES
    )
    bracketed = [rf"\[(?:{any_case})\]", rf"<(?:{any_case})>", rf"\((?:{any_case})\)"]
    capitalized = [
        name.capitalize() + r":(?!\S)"
        for name in ("CRITICAL", "FATAL", "ERROR", "WARNING", "PANIC")
    ]
    traceback = [r"Traceback \(most recent call last\)"]
    return re.compile("(" + "|".join(upper + bracketed + capitalized + traceback) + ")")


_TEXT_LEVEL = _build_text_pattern()

# Lower-case prefixes that name a level at the very start of a line (`error: ...`).
_LINE_START_FORMS: Final[tuple[str, ...]] = (
    "critical:", "fatal:", "error:", "warning:", "warn:", "panic:", "panic(",
)  # fmt: skip

# glog / klog header: `E1203 12:00:00.000123 ...`.
_GLOG = re.compile(r"([IWEF])\d{4} \d\d:\d\d:\d\d")
_GLOG_LEVELS: Final[dict[str, Level]] = {
    "I": Level.INFO,
    "W": Level.WARNING,
    "E": Level.ERROR,
    "F": Level.CRITICAL,
}

# Numeric levels written by pino and bunyan (JSON loggers for Node.js).
_PINO_LEVELS: Final[dict[str, Level]] = {
    "10": Level.TRACE,
    "20": Level.DEBUG,
    "30": Level.INFO,
    "40": Level.WARNING,
    "50": Level.ERROR,
    "60": Level.CRITICAL,
}

_WORD_CHARS: Final = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-")


def normalize_level(name: str) -> Level | None:
    """Map a level name (`warn`, `W`, `Error`, `crit`, ...) to a `Level`, or None if unknown."""
    found = _LEVEL_NAMES.get(name)
    if found is not None:
        return found

    return _LEVEL_NAMES.get(name.strip().lower())


def level_from_labels(
    labels: Mapping[str, str],
    metadata: Mapping[str, str] | None = None,
    parsed: Mapping[str, str] | None = None,
) -> Level | None:
    """Return the level named by a label, structured metadata or parsed label, if any.

    Stream labels win over structured metadata (which carries Loki's
    `detected_level`), which wins over labels extracted by parser stages. A
    value that names no known level (Loki's own `unknown` included) is
    skipped, so the line itself is examined next.
    """
    for source in (labels, metadata, parsed):
        if not source:
            continue

        for name in LEVEL_LABEL_NAMES:
            value = source.get(name)
            if value is None:
                continue

            level = normalize_level(value)
            if level is not None:
                return level

    return None


def detect_line_level(line: str) -> Level:
    """Detect the level written in a log line: JSON, logfmt, then common text forms.

    CSI sequences (SGR colours) in the first `ESCAPE_SCAN_CHARS` characters
    are ignored, so a coloured `ERROR` is found like a plain one.
    """
    head = line if len(line) <= SCAN_CHARS else line[:SCAN_CHARS]

    # `in` over the head, because `str.find` with bounds costs about 70 ns more a call.
    if "\x1b" in head:
        line = _CSI.sub("", line[:ESCAPE_SCAN_CHARS]) + line[ESCAPE_SCAN_CHARS:JSON_SCAN_CHARS]
        head = line[:SCAN_CHARS]

    if line[:1] == "{":
        level = _json_level(line)
        if level is not None:
            return level

    if "l=" in head or "severity=" in head:
        level = _logfmt_level(head)
        if level is not None:
            return level

    first = head[:1]
    if first in _GLOG_LEVELS and _GLOG.match(head) is not None:
        return _GLOG_LEVELS[first]

    return _text_level(head)


def detect_level(
    line: str,
    labels: Mapping[str, str],
    metadata: Mapping[str, str] | None = None,
    parsed: Mapping[str, str] | None = None,
) -> Level:
    """Detect an entry's level: from its labels first, else from its line."""
    level = level_from_labels(labels, metadata, parsed)
    if level is not None:
        return level

    return detect_line_level(line)


def _json_level(line: str) -> Level | None:
    head = line if len(line) <= JSON_SCAN_CHARS else line[:JSON_SCAN_CHARS]
    match = _JSON_LEVEL.search(head)
    if match is None:
        return None

    text = match.group(1)
    if text is not None:
        return normalize_level(text)

    return _PINO_LEVELS.get(match.group(2))


def _logfmt_level(head: str) -> Level | None:
    for key in _LOGFMT_KEYS:
        index = head.find(key)
        while index >= 0:
            if _starts_word(head, index):
                match = _LOGFMT_VALUE.match(head, index + len(key))
                if match is None:
                    break

                return normalize_level(match.group(1) or match.group(2))

            index = head.find(key, index + 1)

    return None


def _text_level(head: str) -> Level:
    search = _TEXT_LEVEL.search
    match = search(head)
    while match is not None:
        token = match.group(1)
        first = token[0]
        if first == "T" and token[1] == "r":
            return Level.ERROR

        if first in "[<(":
            return _LEVEL_NAMES[token[1:-1].lower()]

        start = match.start()
        if start == 0 or head[start - 1] not in _WORD_CHARS:
            return _LEVEL_NAMES[token.rstrip(":").lower()]

        match = search(head, start + 1)

    if head.startswith(_LINE_START_FORMS):
        for form in _LINE_START_FORMS:
            if head.startswith(form):
                return _LEVEL_NAMES[form[:-1]]

    return Level.UNKNOWN


def _starts_word(text: str, start: int) -> bool:
    return start == 0 or text[start - 1] not in _WORD_CHARS
