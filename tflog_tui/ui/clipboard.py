"""Copy text to the user's clipboard over ssh (OSC 52) and, with a local display, pyperclip.

Textual's `App.copy_to_clipboard` writes a bare OSC 52 sequence: it does not
pass through tmux or GNU screen and has no size cap. `copy_text` wraps it.
"""

from __future__ import annotations

import base64
import logging
import os
import sys
from collections.abc import Mapping
from typing import Final

from textual.app import App
from textual.notifications import SeverityLevel

logger = logging.getLogger(__name__)

OSC52_MAX_BASE64_BYTES: Final = 74_994
"""Largest base64 payload sent in one OSC 52 sequence, in bytes (56,244 bytes of text).

Terminals and multiplexers drop a clipboard sequence above their buffer
limit without a word, so a larger payload is rejected with a message instead.
NOTE: 74,994 is the limit commonly quoted for xterm and tmux, an estimate that
was not checked against each terminal; some accept more.
"""

OSC52_MAX_TEXT_BYTES: Final = OSC52_MAX_BASE64_BYTES // 4 * 3
"""Largest text, in UTF-8 bytes, whose base64 fits in `OSC52_MAX_BASE64_BYTES`."""

SCREEN_DCS_CHUNK: Final = 512
"""Characters of the OSC 52 sequence per DCS string for GNU screen.

screen cuts a long DCS string, so a longer sequence is split into several DCS
strings that screen passes on back to back. NOTE: 512 stays under the
768-byte string buffer reported for screen 4.x, which was not checked here.
"""

ESC: Final = "\x1b"


def _utf8(text: str) -> bytes:
    """Encode as UTF-8; a lone surrogate (possible in JSON from Loki) becomes `?`."""
    return text.encode("utf-8", errors="replace")


def osc52_sequence(text: str) -> str:
    """Build the OSC 52 sequence that sets the clipboard selection to `text` (UTF-8)."""
    payload = base64.b64encode(_utf8(text)).decode("ascii")
    return f"{ESC}]52;c;{payload}\a"


def wrap_for_multiplexer(sequence: str, env: Mapping[str, str]) -> tuple[str, str | None]:
    """Wrap an escape sequence for tmux or GNU screen passthrough.

    Return the sequence to write and the multiplexer name, or None when
    neither `TMUX` nor `STY` is set in `env`.
    """
    if env.get("TMUX"):
        doubled = sequence.replace(ESC, ESC + ESC)
        return f"{ESC}Ptmux;{doubled}{ESC}\\", "tmux"

    if env.get("STY"):
        chunks = [
            sequence[start : start + SCREEN_DCS_CHUNK]
            for start in range(0, len(sequence), SCREEN_DCS_CHUNK)
        ]
        return "".join(f"{ESC}P{chunk}{ESC}\\" for chunk in chunks), "screen"

    return sequence, None


def has_local_display(env: Mapping[str, str], platform: str | None = None) -> bool:
    """Tell whether pyperclip can reach a clipboard: always on macOS and Windows,
    with `DISPLAY` or `WAYLAND_DISPLAY` elsewhere (`platform` defaults to `sys.platform`)."""
    platform = sys.platform if platform is None else platform
    if platform == "darwin" or platform.startswith("win"):
        return True
    return bool(env.get("DISPLAY") or env.get("WAYLAND_DISPLAY"))


def _copy_with_pyperclip(text: str) -> bool:
    try:
        import pyperclip

        pyperclip.copy(text)
    except Exception as error:  # pyperclip raises its own or OS errors per backend
        logger.warning("pyperclip could not copy: %s", error)
        return False
    return True


def copy_text(
    app: App[object],
    text: str,
    what: str,
    *,
    env: Mapping[str, str] | None = None,
    notify: bool = False,
) -> str:
    """Copy `text` to the clipboard and return a message saying what was copied and how.

    `what` names the thing for the message ("the line"); it must not contain
    the copied text, because a log line may carry a secret. The text is
    stored as `app.last_copied_text` and the escape sequence written as
    `app.last_clipboard_sequence` (None when nothing was written). With
    `notify`, the message is also shown as a notification.
    """
    environ = os.environ if env is None else env
    size = len(_utf8(text))
    methods: list[str] = []
    sequence: str | None = None
    rejected = ""

    if size > OSC52_MAX_TEXT_BYTES:
        rejected = (
            f"{what} is {size:,} bytes, too large for OSC 52 "
            f"(at most {OSC52_MAX_TEXT_BYTES:,} bytes)"
        )
    else:
        sequence, multiplexer = wrap_for_multiplexer(osc52_sequence(text), environ)
        driver = app._driver
        if driver is not None:
            driver.write(sequence)
        methods.append("OSC 52" if multiplexer is None else f"OSC 52 through {multiplexer}")

    if has_local_display(environ) and _copy_with_pyperclip(text):
        methods.append("the system clipboard")

    # App declares neither attribute, so they are set with setattr for mypy.
    if methods:
        app._clipboard = text
        setattr(app, "last_copied_text", text)  # noqa: B010
    setattr(app, "last_clipboard_sequence", sequence)  # noqa: B010

    severity: SeverityLevel
    if methods and not rejected:
        message = f"Copied {what} ({size:,} bytes) with {' and '.join(methods)}"
        severity = "information"
    elif methods:
        message = f"Copied {what} ({size:,} bytes) with {' and '.join(methods)}; {rejected}"
        severity = "warning"
    else:
        message = f"Not copied: {rejected}"
        severity = "error"

    logger.info("clipboard: %s", message)
    if notify:
        app.notify(message, severity=severity, markup=False)
    return message
