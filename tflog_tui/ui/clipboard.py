"""Copy text to the user's clipboard over ssh (OSC 52), through tmux, and with pyperclip.

Textual's `App.copy_to_clipboard` writes a bare OSC 52 sequence with no size
cap and no regard for a multiplexer. `copy_text` replaces it:

- Inside tmux (`TMUX` set and a `tmux` binary on PATH) it runs
  `tmux load-buffer -w -`, which stores the text in tmux's paste buffer and
  asks tmux to send it to the outer terminal's clipboard (`-w` exists from
  tmux 3.2 on, so older versions get `load-buffer -` alone). It also writes a
  plain OSC 52 sequence, which tmux accepts only with `set-clipboard on`,
  because the default `external` ignores clipboard sequences from programs.
  The DCS passthrough form (`ESC P tmux; ...`) is not used, because tmux 3.3
  and newer drop it unless `allow-passthrough` is on (default off).
- Inside GNU screen (`STY` set) the sequence is wrapped in DCS strings, which
  screen outputs to the host terminal without interpretation.
- With a local display, pyperclip copies as well.
"""

from __future__ import annotations

import base64
import enum
import functools
import logging
import os
import re
import shutil
import subprocess
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

TMUX_TIMEOUT_S: Final = 2.0
"""Seconds a `tmux` command may take before the copy gives up on it."""

TMUX_LOAD_BUFFER_W_VERSION: Final = (3, 2)
"""First tmux version whose `load-buffer` has `-w` (send the buffer to the clipboard)."""

_TMUX_VERSION = re.compile(r"(\d+)\.(\d+)")


class TmuxCopy(enum.Enum):
    """The outcome of `load_tmux_buffer`."""

    BUFFER_AND_CLIPBOARD = "buffer-and-clipboard"
    """`load-buffer -w` ran: the paste buffer is set and tmux may set the terminal clipboard."""

    BUFFER_ONLY = "buffer-only"
    """`load-buffer` without `-w` ran, because tmux is older than 3.2 or its version unknown."""

    FAILED = "failed"
    """tmux is missing, failed or timed out."""


def _utf8(text: str) -> bytes:
    """Encode as UTF-8; a lone surrogate (possible in JSON from Loki) becomes `?`."""
    return text.encode("utf-8", errors="replace")


def osc52_sequence(text: str) -> str:
    """Build the OSC 52 sequence that sets the clipboard selection to `text` (UTF-8)."""
    payload = base64.b64encode(_utf8(text)).decode("ascii")
    return f"{ESC}]52;c;{payload}\a"


def wrap_for_multiplexer(sequence: str, env: Mapping[str, str]) -> tuple[str, str | None]:
    """Prepare an escape sequence for the multiplexer named in `env`.

    Return the sequence to write and the multiplexer name, or None when
    neither `TMUX` nor `STY` is set. Inside tmux the sequence stays plain,
    because tmux 3.3 and newer drop the DCS passthrough form unless
    `allow-passthrough` is on. Inside GNU screen it is wrapped in DCS strings.
    """
    if env.get("TMUX"):
        return sequence, "tmux"

    if env.get("STY"):
        chunks = [
            sequence[start : start + SCREEN_DCS_CHUNK]
            for start in range(0, len(sequence), SCREEN_DCS_CHUNK)
        ]
        return "".join(f"{ESC}P{chunk}{ESC}\\" for chunk in chunks), "screen"

    return sequence, None


@functools.lru_cache(maxsize=8)
def tmux_version(tmux: str) -> tuple[int, int] | None:
    """Return the (major, minor) version `tmux -V` prints, or None when it cannot be read.

    The result is cached per binary path, so `tmux -V` runs once.
    """
    try:
        completed = subprocess.run(
            [tmux, "-V"], capture_output=True, timeout=TMUX_TIMEOUT_S, check=False
        )
    except (OSError, subprocess.SubprocessError) as error:
        logger.warning("%s -V failed: %s", tmux, error)
        return None

    output = completed.stdout.decode("utf-8", errors="replace").strip()
    match = _TMUX_VERSION.search(output)
    if completed.returncode != 0 or match is None:
        logger.warning(
            "cannot read the tmux version from %r (exit %d)", output, completed.returncode
        )
        return None

    return int(match.group(1)), int(match.group(2))


def load_tmux_buffer(text: str, env: Mapping[str, str]) -> TmuxCopy:
    """Store `text` in tmux's paste buffer with `tmux load-buffer -w -` (no `-w` before 3.2).

    `tmux` is looked up on `env`'s PATH and runs with `env` as its
    environment, so it reaches the server named by `TMUX`.
    """
    tmux = shutil.which("tmux", path=env.get("PATH", ""))
    if tmux is None:
        logger.info("TMUX is set but no tmux binary is on PATH")
        return TmuxCopy.FAILED

    version = tmux_version(tmux)
    if version is not None and version >= TMUX_LOAD_BUFFER_W_VERSION:
        command = [tmux, "load-buffer", "-w", "-"]
        outcome = TmuxCopy.BUFFER_AND_CLIPBOARD
    else:
        command = [tmux, "load-buffer", "-"]
        outcome = TmuxCopy.BUFFER_ONLY

    try:
        completed = subprocess.run(
            command,
            input=_utf8(text),
            capture_output=True,
            env=dict(env),
            timeout=TMUX_TIMEOUT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError) as error:
        logger.warning("tmux %s failed: %s", " ".join(command[1:]), error)
        return TmuxCopy.FAILED

    if completed.returncode != 0:
        stderr = completed.stderr.decode("utf-8", errors="replace").strip()
        logger.warning(
            "tmux %s exited with %d: %s", " ".join(command[1:]), completed.returncode, stderr
        )
        return TmuxCopy.FAILED

    return outcome


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
    """Copy `text` to the clipboard and return a message saying what was done.

    `what` names the thing for the message ("the line"); it must not contain
    the copied text, because a log line may carry a secret. The text is
    stored as `app.last_copied_text` and the escape sequence written as
    `app.last_clipboard_sequence` (None when nothing was written). With
    `notify`, the message is also shown as a notification. Inside tmux this
    runs `tmux load-buffer`, which blocks for at most `TMUX_TIMEOUT_S`.
    """
    environ = os.environ if env is None else env
    size = len(_utf8(text))
    sequence: str | None = None
    multiplexer: str | None = None
    tmux_copy: TmuxCopy | None = None
    rejected = ""

    if size > OSC52_MAX_TEXT_BYTES:
        rejected = (
            f"{what} is {size:,} bytes, too large for OSC 52 "
            f"(at most {OSC52_MAX_TEXT_BYTES:,} bytes)"
        )
    else:
        if environ.get("TMUX"):
            tmux_copy = load_tmux_buffer(text, environ)

        sequence, multiplexer = wrap_for_multiplexer(osc52_sequence(text), environ)
        driver = app._driver
        if driver is not None:
            driver.write(sequence)

    system = has_local_display(environ) and _copy_with_pyperclip(text)

    # App declares neither attribute, so they are set with setattr for mypy.
    if sequence is not None or system:
        app._clipboard = text
        setattr(app, "last_copied_text", text)  # noqa: B010
    setattr(app, "last_clipboard_sequence", sequence)  # noqa: B010

    if tmux_copy is not None:
        message, severity = _tmux_message(what, size, tmux_copy, system)
    else:
        message, severity = _message(what, size, multiplexer, system, rejected)

    logger.info("clipboard: %s", message)
    if notify:
        app.notify(message, severity=severity, markup=False)
    return message


def _message(
    what: str, size: int, multiplexer: str | None, system: bool, rejected: str
) -> tuple[str, SeverityLevel]:
    """Build the message and severity of a copy outside tmux."""
    methods: list[str] = []
    if not rejected:
        methods.append("OSC 52" if multiplexer is None else f"OSC 52 through {multiplexer}")
    if system:
        methods.append("the system clipboard")

    if methods and not rejected:
        return f"Copied {what} ({size:,} bytes) with {' and '.join(methods)}", "information"
    if methods:
        return f"Copied {what} ({size:,} bytes) with {' and '.join(methods)}; {rejected}", "warning"
    return f"Not copied: {rejected}", "error"


def _tmux_message(
    what: str, size: int, tmux_copy: TmuxCopy, system: bool
) -> tuple[str, SeverityLevel]:
    """Build the message and severity of a copy inside tmux, claiming only what happened."""
    severity: SeverityLevel = "information"
    if tmux_copy is TmuxCopy.BUFFER_AND_CLIPBOARD:
        message = (
            f"Copied {what} ({size:,} bytes) to the tmux buffer; tmux sends it to the "
            "terminal clipboard when its set-clipboard option allows."
        )
    elif tmux_copy is TmuxCopy.BUFFER_ONLY:
        message = (
            f"Copied {what} ({size:,} bytes) to the tmux buffer. This tmux has no "
            "load-buffer -w, so the terminal clipboard gets it only from the OSC 52 "
            "sequence also sent, when tmux's set-clipboard option is on."
        )
    else:
        message = (
            f"Sent {what} ({size:,} bytes) as OSC 52 because tmux load-buffer is missing "
            "or failed; tmux passes it to the terminal clipboard only when its "
            "set-clipboard option is on."
        )
        severity = "warning"

    if system:
        message += " Also copied to the system clipboard."
        severity = "information"
    return message, severity
