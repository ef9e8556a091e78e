"""Copying to the clipboard: OSC 52, tmux's paste buffer, screen passthrough, the size cap.

The tmux cases run a fake `tmux` script from a temporary PATH that records
its arguments, its standard input and the TMUX it was given. One case runs the
real tmux against a private server when tmux is installed.
"""

from __future__ import annotations

import base64
import os
import shutil
import stat
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual.app import App

from tflog_tui.ui import clipboard
from tflog_tui.ui.clipboard import OSC52_MAX_BASE64_BYTES, copy_text

ESC = "\x1b"
TMUX_VALUE = "/tmp/tmux-1000/default,4242,0"


class ClipboardApp(App[object]):
    """An empty app whose driver writes are recorded."""


def _record_writes(app: App[object]) -> list[str]:
    written: list[str] = []
    assert app._driver is not None
    app._driver.write = written.append  # type: ignore[method-assign, assignment]
    return written


def _payload(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


async def test_copy_plain_osc52() -> None:
    app = ClipboardApp()
    async with app.run_test():
        written = _record_writes(app)

        message = copy_text(app, "payment failed", "the line", env={})

        assert written == [f"{ESC}]52;c;{_payload('payment failed')}\a"]
        assert message == "Copied the line (14 bytes) with OSC 52"
        assert app.last_copied_text == "payment failed"  # type: ignore[attr-defined]
        assert app.clipboard == "payment failed"


@dataclass
class FakeTmux:
    """A fake `tmux` on a temporary PATH and the files where it records its calls."""

    directory: Path

    @property
    def env(self) -> dict[str, str]:
        """Return an environment inside tmux whose PATH finds the fake first."""
        return {"TMUX": TMUX_VALUE, "PATH": f"{self.directory / 'bin'}:/usr/bin:/bin"}

    def calls(self) -> list[str]:
        """Return the arguments of each call, joined by spaces."""
        log = self.directory / "calls"
        return log.read_text().splitlines() if log.exists() else []

    def stdin(self, call: int) -> bytes:
        """Return what call number `call` (1-based) read from its standard input."""
        return (self.directory / f"stdin-{call}").read_bytes()

    def tmux_env(self) -> str:
        """Return the TMUX variable the last call saw."""
        return (self.directory / "tmux-env").read_text().strip()


def make_fake_tmux(directory: Path, version: str = "tmux 3.3a", exit_code: int = 0) -> FakeTmux:
    """Write a fake `tmux` that prints `version` for -V and exits with `exit_code` otherwise."""
    bin_dir = directory / "bin"
    bin_dir.mkdir()
    script = bin_dir / "tmux"
    lines = [
        "#!/bin/sh",
        f'printf "%s\\n" "$*" >> "{directory}/calls"',
        f'printf "%s\\n" "$TMUX" > "{directory}/tmux-env"',
        f'if [ "$1" = "-V" ]; then echo "{version}"; exit 0; fi',
        f'count=$(wc -l < "{directory}/calls")',
        f'cat > "{directory}/stdin-$((count))"',
    ]
    if exit_code != 0:
        lines.append("echo 'no server running' >&2")
    lines.append(f"exit {exit_code}")
    script.write_text("\n".join(lines) + "\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    return FakeTmux(directory)


async def test_copy_in_tmux_loads_buffer(tmp_path: Path) -> None:
    tmux = make_fake_tmux(tmp_path)
    text = "x" * 653
    app = ClipboardApp()
    async with app.run_test():
        written = _record_writes(app)

        message = copy_text(app, text, "the line", env=tmux.env)

        assert tmux.calls() == ["-V", "load-buffer -w -"]
        assert tmux.stdin(2) == text.encode()
        assert tmux.tmux_env() == TMUX_VALUE
        assert written == [f"{ESC}]52;c;{_payload(text)}\a"]
        assert message == (
            "Copied the line (653 bytes) to the tmux buffer; tmux sends it to the "
            "terminal clipboard when its set-clipboard option allows."
        )
        assert app.last_copied_text == text  # type: ignore[attr-defined]


async def test_tmux_version_read_once(tmp_path: Path) -> None:
    tmux = make_fake_tmux(tmp_path)
    app = ClipboardApp()
    async with app.run_test():
        _record_writes(app)

        copy_text(app, "first", "the line", env=tmux.env)
        copy_text(app, "héllo", "the value", env=tmux.env)

        assert tmux.calls() == ["-V", "load-buffer -w -", "load-buffer -w -"]
        assert tmux.stdin(3) == "héllo".encode()


async def test_old_tmux_loads_buffer_without_w(tmp_path: Path) -> None:
    tmux = make_fake_tmux(tmp_path, version="tmux 3.1c")
    app = ClipboardApp()
    async with app.run_test():
        written = _record_writes(app)

        message = copy_text(app, "payment failed", "the line", env=tmux.env)

        assert tmux.calls() == ["-V", "load-buffer -"]
        assert tmux.stdin(2) == b"payment failed"
        assert written == [f"{ESC}]52;c;{_payload('payment failed')}\a"]
        assert message == (
            "Copied the line (14 bytes) to the tmux buffer. This tmux has no "
            "load-buffer -w, so the terminal clipboard gets it only from the OSC 52 "
            "sequence also sent, when tmux's set-clipboard option is on."
        )


async def test_failed_tmux_sends_osc52_only(tmp_path: Path) -> None:
    tmux = make_fake_tmux(tmp_path, exit_code=1)
    app = ClipboardApp()
    async with app.run_test() as pilot:
        written = _record_writes(app)

        message = copy_text(app, "abc", "the line", env=tmux.env, notify=True)
        await pilot.pause()

        assert tmux.calls() == ["-V", "load-buffer -w -"]
        assert written == [f"{ESC}]52;c;{_payload('abc')}\a"]
        assert message == (
            "Sent the line (3 bytes) as OSC 52 because tmux load-buffer is missing or "
            "failed; tmux passes it to the terminal clipboard only when its "
            "set-clipboard option is on."
        )
        notes = list(app._notifications)
        assert [note.severity for note in notes] == ["warning"]


async def test_tmux_binary_missing_sends_osc52(tmp_path: Path) -> None:
    app = ClipboardApp()
    async with app.run_test():
        written = _record_writes(app)

        message = copy_text(app, "abc", "the line", env={"TMUX": TMUX_VALUE, "PATH": str(tmp_path)})

        assert written == [f"{ESC}]52;c;{_payload('abc')}\a"]
        assert message.startswith("Sent the line (3 bytes) as OSC 52 because tmux load-buffer")


async def test_no_tmux_variable_skips_tmux(tmp_path: Path) -> None:
    tmux = make_fake_tmux(tmp_path)
    env = {"PATH": tmux.env["PATH"]}
    app = ClipboardApp()
    async with app.run_test():
        written = _record_writes(app)

        message = copy_text(app, "abc", "the line", env=env)

        assert tmux.calls() == []
        assert written == [f"{ESC}]52;c;{_payload('abc')}\a"]
        assert message == "Copied the line (3 bytes) with OSC 52"


@pytest.fixture
def private_tmux_server() -> Iterator[tuple[str, dict[str, str]]]:
    """Start a real tmux server on a private socket; yield its -L name and an env inside it."""
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")

    name = f"tflog-test-{os.getpid()}"
    base = ["tmux", "-L", name, "-f", "/dev/null"]
    subprocess.run([*base, "new-session", "-d", "-s", "copy", "sleep 60"], check=True, timeout=5)
    socket_path = ""
    pid = ""
    try:
        shown = subprocess.run(
            [*base, "display-message", "-p", "#{socket_path},#{pid}"],
            check=True,
            capture_output=True,
            text=True,
            timeout=5,
        )
        socket_path, pid = shown.stdout.strip().split(",")
        env = {"TMUX": f"{socket_path},{pid},0", "PATH": os.environ.get("PATH", "")}
        yield name, env
    finally:
        subprocess.run([*base, "kill-server"], check=False, timeout=5)
        if pid:
            _wait_for_exit(int(pid), timeout_s=2.0)
        # The server leaves its socket file behind.
        if socket_path:
            Path(socket_path).unlink(missing_ok=True)


def _wait_for_exit(pid: int, timeout_s: float) -> None:
    """Wait until process `pid` has exited, for at most `timeout_s` seconds."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.01)


async def test_real_tmux_buffer_holds_text(
    private_tmux_server: tuple[str, dict[str, str]],
) -> None:
    name, env = private_tmux_server
    app = ClipboardApp()
    async with app.run_test():
        _record_writes(app)

        message = copy_text(app, "payment failed ✓", "the line", env=env)

    buffer = subprocess.run(
        ["tmux", "-L", name, "show-buffer"], check=True, capture_output=True, timeout=5
    )
    assert buffer.stdout.decode() == "payment failed ✓"
    assert "to the tmux buffer" in message


async def test_copy_through_screen_splits_dcs() -> None:
    app = ClipboardApp()
    text = "x" * 2_000
    async with app.run_test():
        written = _record_writes(app)

        message = copy_text(app, text, "the line", env={"STY": "1234.pts-0.host"})

        sequence = written[0]
        chunks = sequence.split(f"{ESC}\\")
        assert chunks[-1] == ""
        assert all(chunk.startswith(f"{ESC}P") for chunk in chunks[:-1])
        assert all(len(chunk) <= clipboard.SCREEN_DCS_CHUNK + 2 for chunk in chunks[:-1])
        rebuilt = "".join(chunk[2:] for chunk in chunks[:-1])
        assert rebuilt == f"{ESC}]52;c;{_payload(text)}\a"
        assert message.endswith("with OSC 52 through screen")


async def test_copy_over_limit_rejected(tmp_path: Path) -> None:
    tmux = make_fake_tmux(tmp_path)
    app = ClipboardApp()
    text = "y" * (OSC52_MAX_BASE64_BYTES // 4 * 3 + 3)
    async with app.run_test():
        written = _record_writes(app)

        message = copy_text(app, text, "the line", env=tmux.env)

        assert written == []
        assert tmux.calls() == []
        assert message == (
            "Not copied: the line is 56,247 bytes, too large for OSC 52 (at most 56,244 bytes)"
        )
        assert app.last_clipboard_sequence is None  # type: ignore[attr-defined]
        assert not hasattr(app, "last_copied_text")


async def test_copy_at_limit_accepted() -> None:
    app = ClipboardApp()
    text = "y" * (OSC52_MAX_BASE64_BYTES // 4 * 3)
    async with app.run_test():
        written = _record_writes(app)

        copy_text(app, text, "the line", env={})

        assert len(written) == 1
        assert len(_payload(text)) <= OSC52_MAX_BASE64_BYTES


async def test_copy_uses_pyperclip_with_display(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyperclip

    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    monkeypatch.setattr("tflog_tui.ui.clipboard.sys.platform", "linux")
    app = ClipboardApp()
    async with app.run_test():
        _record_writes(app)

        message = copy_text(app, "abc", "the value", env={"DISPLAY": ":0"})

        assert copied == ["abc"]
        assert message == "Copied the value (3 bytes) with OSC 52 and the system clipboard"


async def test_copy_skips_pyperclip_over_ssh(monkeypatch: pytest.MonkeyPatch) -> None:
    import pyperclip

    copied: list[str] = []
    monkeypatch.setattr(pyperclip, "copy", copied.append)
    monkeypatch.setattr("tflog_tui.ui.clipboard.sys.platform", "linux")
    app = ClipboardApp()
    async with app.run_test():
        _record_writes(app)

        message = copy_text(app, "abc", "the line", env={"SSH_CONNECTION": "x"})

        assert copied == []
        assert message == "Copied the line (3 bytes) with OSC 52"


async def test_notification_never_contains_text() -> None:
    app = ClipboardApp()
    secret = "password=hunter2"
    async with app.run_test() as pilot:
        _record_writes(app)

        message = copy_text(app, secret, "the line", env={}, notify=True)
        await pilot.pause()

        assert "hunter2" not in message
        assert all("hunter2" not in str(note.message) for note in app._notifications)


def test_has_local_display_by_platform() -> None:
    assert clipboard.has_local_display({}, platform="darwin")
    assert clipboard.has_local_display({}, platform="win32")
    assert not clipboard.has_local_display({}, platform="linux")
    assert clipboard.has_local_display({"WAYLAND_DISPLAY": "wayland-0"}, platform="linux")


async def test_copy_lone_surrogate() -> None:
    app = ClipboardApp()
    async with app.run_test():
        written = _record_writes(app)

        message = copy_text(app, "a\ud800b", "the line", env={})

        assert written == [f"{ESC}]52;c;{base64.b64encode(b'a?b').decode()}\a"]
        assert message == "Copied the line (3 bytes) with OSC 52"
