"""Safe display text and SGR spans for untrusted log lines."""

from __future__ import annotations

import json
import re
import unicodedata
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tflog_tui.buffer import (
    PLAIN_STYLE,
    Level,
    PaneBuffer,
    SgrStyle,
    cell_width,
    display_text,
    plain_text,
    sgr_spans,
)
from tflog_tui.buffer.safe_text import NEWLINE_MARKER, truncation_marker
from tflog_tui.loki.models import Entry, Labels

CASES_PATH = Path(__file__).resolve().parents[2] / "data" / "hostile-lines.jsonl"

# Code points a terminal would act on, that reorder text or that are invisible
# format characters: none may reach it.
FORBIDDEN = re.compile(
    "[\x00-\x1f\x7f-\x9f\u061c\u200b\u200e\u200f\u2028\u2029\u202a-\u202e"
    "\u2060-\u2064\u2066-\u206f\ud800-\udfff\ufeff\ufff9-\ufffb]"
)


def _load_cases() -> dict[str, dict[str, Any]]:
    cases: dict[str, dict[str, Any]] = {}
    for raw in CASES_PATH.read_text(encoding="utf-8").splitlines():
        if raw.strip():
            case = json.loads(raw)
            case["line"] = case["line"] * case.get("repeat", 1)
            cases[case["name"]] = case
    return cases


CASES = _load_cases()


def _assert_safe(text: str) -> None:
    found = FORBIDDEN.search(text)
    assert found is None, f"unsafe character U+{ord(found.group()):04X} in {text!r}"


def _assert_safe_detail(text: str) -> None:
    """Check detail-view text, where line breaks and tabs are allowed."""
    _assert_safe(text.replace("\n", "").replace("\t", ""))


def _assert_spans_match(line: str) -> None:
    spans = sgr_spans(line)
    assert "".join(text for text, _ in spans) == display_text(line)
    for text, _style in spans:
        assert text
        _assert_safe(text)


def test_every_case_is_covered() -> None:
    assert len(CASES) == 23
    assert set(CASES) == set(EXPECTED_TEXT) | {
        "long-line-1MB",
        "tabs",
        "nul-and-controls",
        "json-line",
        "logfmt-line",
        "multiline-traceback",
        "emoji",
        "cjk-wide",
        "combining",
    }


EXPECTED_TEXT = {
    "sgr-colour": "ERROR payment failed",
    "clear-screen": "task done",
    "erase-line-progress": "progress 50%",
    "osc-title": "title change attempt",
    "osc52-clipboard": "clipboard write attempt",
    "osc8-hyperlink": "click",
    "dcs-sequence": "after dcs",
    "c1-csi": "C1 CSI",
    "rich-markup": "[bold red]not bold[/bold red] [/usr/bin/gnome-shell]",
    "rich-closing-tag": "object path [/] done",
    "textual-markup-link": "[@click=app.quit]quit[/]",
    "rtl-override": "file⟨U+202E⟩gnp.exe",
    "replacement-char": "bytes \ufffd\ufffd came from invalid UTF-8",
    "lone-surrogate-json": "\\ud800 escaped in json",
}


@pytest.mark.parametrize("name", sorted(EXPECTED_TEXT))
def test_hostile_case_text(name: str) -> None:
    line = CASES[name]["line"]

    shown = display_text(line)

    assert shown == EXPECTED_TEXT[name]
    _assert_safe(shown)
    _assert_spans_match(line)


@pytest.mark.parametrize("name", sorted(CASES))
def test_hostile_case_is_safe(name: str) -> None:
    line = CASES[name]["line"]

    _assert_safe(display_text(line))
    _assert_safe_detail(plain_text(line))
    _assert_spans_match(line)


def test_sgr_colour_kept_as_style() -> None:
    spans = sgr_spans(CASES["sgr-colour"]["line"])

    assert spans == [("ERROR", SgrStyle(foreground=1)), (" payment failed", PLAIN_STYLE)]


def test_osc_title_and_clipboard_payload_removed() -> None:
    assert "pwned" not in display_text(CASES["osc-title"]["line"])
    assert "ZWNobyBoaQ" not in display_text(CASES["osc52-clipboard"]["line"])
    assert "example.invalid" not in display_text(CASES["osc8-hyperlink"]["line"])
    assert "544e" not in display_text(CASES["dcs-sequence"]["line"])


def test_markup_passes_byte_identical() -> None:
    for name in ("rich-markup", "rich-closing-tag", "textual-markup-link"):
        line = CASES[name]["line"]
        assert display_text(line) == line
        assert display_text(line).encode() == line.encode()
        assert sgr_spans(line) == [(line, PLAIN_STYLE)]


def test_controls_become_pictures() -> None:
    shown = display_text(CASES["nul-and-controls"]["line"])

    assert shown == "a\u2400b\u2407c\u2408d\u240be\u240cf\u240dg"
    assert "\x07" not in shown
    assert "\x08" not in shown
    assert "\r" not in shown


def test_del_becomes_picture() -> None:
    assert display_text("a\x7fb") == "a\u2421b"


def test_tabs_expand_to_eight_cells() -> None:
    shown = display_text(CASES["tabs"]["line"])

    assert shown == "col1    col2            col3"
    assert shown.index("col2") == 8
    assert shown.index("col3") == 24


def test_tabs_count_wide_characters_as_two_cells() -> None:
    shown = display_text("错误\tx")

    # Two wide characters take four cells, so the tab pads four more.
    assert shown == "错误    x"
    assert cell_width(shown[: shown.index("x")]) == 8


def test_tab_stops_continue_across_sgr_runs() -> None:
    line = "ab\x1b[31mcd\tef\x1b[0m\tg"

    spans = sgr_spans(line)

    assert "".join(text for text, _ in spans) == "abcd    ef      g"
    assert spans[1] == ("cd    ef", SgrStyle(foreground=1))


def test_wide_and_emoji_text_unchanged() -> None:
    for name in ("cjk-wide", "combining"):
        line = CASES[name]["line"]
        assert display_text(line) == line

    # The zero width joiner is a format character, kept so the emoji
    # sequence stays one glyph.
    assert display_text(CASES["emoji"]["line"]) == CASES["emoji"]["line"]


def test_cjk_case_cell_width() -> None:
    line = CASES["cjk-wide"]["line"]
    wide = sum(1 for char in line if "\u4e00" <= char <= "\u9fff")

    assert wide == 120
    assert cell_width(line) == len(line) + wide


def test_cell_width_estimates() -> None:
    assert cell_width("abc") == 3
    assert cell_width("错误") == 4
    assert cell_width("e\u0301") == 1
    assert cell_width("🟢") == 2


def test_bidi_controls_shown_as_markers() -> None:
    for code in (0x202A, 0x202B, 0x202C, 0x202D, 0x202E, 0x2066, 0x2067, 0x2068, 0x2069):
        assert display_text(f"a{chr(code)}b") == f"a⟨U+{code:04X}⟩b"

    assert display_text("a\u200eb") == "a⟨U+200E⟩b"
    assert display_text("a\u200fb") == "a⟨U+200F⟩b"
    assert display_text("a\u061cb") == "a⟨U+061C⟩b"


def test_invisible_format_controls_shown_as_markers() -> None:
    assert display_text("pass\u200bword") == "pass⟨U+200B⟩word"
    assert display_text("\ufeffstarted") == "⟨U+FEFF⟩started"
    assert display_text("a\u2060b\u2064c") == "a⟨U+2060⟩b⟨U+2064⟩c"
    assert display_text("a\u206ab") == "a⟨U+206A⟩b"
    assert display_text("a\ufff9b") == "a⟨U+FFF9⟩b"


def test_format_markers_in_spans_and_detail() -> None:
    line = "\x1b[31mfile\u202egnp.exe\x1b[0m done"

    assert sgr_spans(line) == [
        ("file⟨U+202E⟩gnp.exe", SgrStyle(foreground=1)),
        (" done", PLAIN_STYLE),
    ]
    assert plain_text("a\u2067b\nc") == "a⟨U+2067⟩b\nc"
    assert cell_width(display_text("a\u202eb")) == 10


def test_joiners_kept() -> None:
    family = "\U0001f469\u200d\U0001f4bb dev"

    assert display_text(family) == family
    assert display_text("a\u200cb") == "a\u200cb"


def test_c1_controls_replaced() -> None:
    assert display_text("a\x84b") == "a\ufffdb"
    assert display_text("a\x9cb") == "a\ufffdb"


def test_lone_surrogate_replaced() -> None:
    shown = display_text("a\ud800b")

    assert shown == "a\ufffdb"
    assert shown.encode("utf-8") == "a\ufffdb".encode()


def test_long_line_cut_with_marker() -> None:
    line = CASES["long-line-1MB"]["line"]

    shown = display_text(line)

    assert shown == "x" * 10_000 + "… [+990000 chars]"
    assert shown.endswith(truncation_marker(990_000))


def test_long_line_with_controls_cut_with_marker() -> None:
    line = "\x1b[31m" + "y\t" * 500_000

    assert display_text(line).endswith("… [+990005 chars]")


def test_max_chars_is_configurable() -> None:
    assert display_text("abcdef", max_chars=3) == "abc… [+3 chars]"
    assert display_text("abc", max_chars=3) == "abc"
    assert display_text("a\tbcdef", max_chars=3) == "a       b… [+4 chars]"


def test_cut_inside_escape_sequence_removes_it() -> None:
    line = "ok \x1b]0;title that is long\x07 after"

    assert display_text(line, max_chars=8) == "ok … [+24 chars]"


def test_multiline_traceback_one_row() -> None:
    line = CASES["multiline-traceback"]["line"]

    shown = display_text(line)

    assert shown == (
        'Traceback (most recent call last):↵   File "x.py", line 3, in <module>↵ ValueError: bad'
    )
    assert "\n" not in shown
    assert plain_text(line) == line


def test_multiline_traceback_is_one_entry() -> None:
    line = CASES["multiline-traceback"]["line"]
    buffer = PaneBuffer()

    buffer.append([Entry(1, line, Labels({"service_name": "billing-sync"}))])

    assert len(buffer) == 1
    assert buffer.line(0) == line
    assert buffer.level(0) is Level.ERROR


def test_json_and_logfmt_cases_levels() -> None:
    buffer = PaneBuffer()
    labels = Labels({"service_name": "billing-sync"})

    buffer.append(
        [
            Entry(1, CASES["json-line"]["line"], labels),
            Entry(2, CASES["logfmt-line"]["line"], labels),
        ]
    )

    assert buffer.level(0) is Level.ERROR
    assert buffer.level(1) is Level.WARNING


def test_newlines_and_carriage_returns() -> None:
    assert display_text("a\r\nb") == "a" + NEWLINE_MARKER + "b"
    assert display_text("a\rb") == "a\u240db"
    assert display_text("a\n") == "a"
    assert display_text("a\r\n\r\n") == "a"
    assert display_text("a\u2028b\x85c") == "a↵ b↵ c"
    assert plain_text("a\r\nb\x00") == "a\nb\u2400"


def test_escape_forms_removed() -> None:
    cases = {
        "\x1bcreset": "reset",
        "\x1b7saved\x1b8": "saved",
        "\x1b(Bcharset": "charset",
        "\x1b[?1049hswitch": "switch",
        "\x1b[38;2;1;2;3mtrue": "true",
        "\x1b_apc payload\x1b\\after": "after",
        "\x1b^pm payload\x1b\\after": "after",
        "\x1bXsos payload\x1b\\after": "after",
        "\x9d0;title\x9cafter": "after",
        "\x90dcs\x9cafter": "after",
        "unterminated \x1b]0;title to end": "unterminated ",
        "unterminated csi \x1b[12;": "unterminated csi ",
        "lone escape \x1b": "lone escape ",
        "osc then csi \x1b]0;t\x1b[31mred": "osc then csi red",
    }
    for line, expected in cases.items():
        assert display_text(line) == expected, repr(line)


def test_sgr_attributes_parsed() -> None:
    line = (
        "\x1b[1;3;4mall\x1b[22mno-bold\x1b[0m"
        "\x1b[38;5;208mpalette\x1b[38;2;255;0;16mrgb\x1b[39m"
        "\x1b[44mbg\x1b[49m\x1b[95mbright\x1b[0m"
    )

    spans = sgr_spans(line)

    assert spans == [
        ("all", SgrStyle(bold=True, italic=True, underline=True)),
        ("no-bold", SgrStyle(italic=True, underline=True)),
        ("palette", SgrStyle(foreground=208)),
        ("rgb", SgrStyle(foreground="#ff0010")),
        ("bg", SgrStyle(background=4)),
        ("bright", SgrStyle(foreground=13)),
    ]


def test_sgr_colon_forms_and_bad_parameters() -> None:
    assert sgr_spans("\x1b[38:5:21mx") == [("x", SgrStyle(foreground=21))]
    assert sgr_spans("\x1b[38:2::1:2:3mx") == [("x", SgrStyle(foreground="#010203"))]
    assert sgr_spans("\x1b[48;2;300;0;0mx") == [("x", PLAIN_STYLE)]
    assert sgr_spans("\x1b[38;5mx") == [("x", PLAIN_STYLE)]
    assert sgr_spans("\x1b[" + "9" * 5000 + "mx") == [("x", PLAIN_STYLE)]
    assert sgr_spans("\x1b[31;99999mx") == [("x", SgrStyle(foreground=1))]


def test_non_sgr_csi_not_a_style() -> None:
    assert sgr_spans("\x1b[31Hx") == [("x", PLAIN_STYLE)]
    assert sgr_spans("\x1b[31 mx") == [("x", PLAIN_STYLE)]


def test_marker_ends_spans() -> None:
    spans = sgr_spans("\x1b[31m" + "r" * 20, max_chars=10)

    assert spans == [("rrrrr", SgrStyle(foreground=1)), ("… [+15 chars]", PLAIN_STYLE)]


HOSTILE_FRAGMENTS = st.sampled_from(
    [
        *("\x1b", "\x1b[", "\x1b]", "\x1bP", "\x1b\\", "\x9b", "\x9d", "\x85", "\x07", "\x00"),
        *("m", ";", "31", "0", "38;5;", "\t", "\r", "\n", "\u202e", "\ud800", "错"),
        *("\u200b", "\ufeff", "\u2066", "\u200d"),
    ]
)
LINES = st.lists(HOSTILE_FRAGMENTS | st.characters(codec=None, max_codepoint=0x2100)).map("".join)


@settings(max_examples=300, deadline=None)
@given(LINES)
def test_any_text_is_safe(line: str) -> None:
    shown = display_text(line, max_chars=200)

    _assert_safe(shown)
    assert "\t" not in shown
    assert shown == "".join(text for text, _ in sgr_spans(line, max_chars=200))
    _assert_safe_detail(plain_text(line))


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(min_codepoint=0x20, max_codepoint=0x7E)))
def test_printable_ascii_unchanged(line: str) -> None:
    assert display_text(line) == line


def test_plain_ascii_is_the_line_itself() -> None:
    line = "2024-05-01T12:00:00.123Z INFO billing-sync task_id=7f3a9c2e charged customer in 23ms"

    assert display_text(line) is line


def test_control_pictures_are_unicode_pictures() -> None:
    assert unicodedata.name(display_text("\x00")) == "SYMBOL FOR NULL"
    assert unicodedata.name(display_text("\x07")) == "SYMBOL FOR BELL"
