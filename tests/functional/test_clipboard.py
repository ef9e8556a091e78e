"""Copying to the clipboard: OSC 52, tmux and screen passthrough, the size cap, pyperclip."""

from __future__ import annotations

import base64

import pytest
from textual.app import App

from tflog_tui.ui import clipboard
from tflog_tui.ui.clipboard import OSC52_MAX_BASE64_BYTES, copy_text

ESC = "\x1b"


class ClipboardApp(App[None]):
    """An empty app whose driver writes are recorded."""


def _record_writes(app: App[None]) -> list[str]:
    written: list[str] = []
    assert app._driver is not None
    app._driver.write = written.append  # type: ignore[method-assign]
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


async def test_copy_through_tmux_doubles_escapes() -> None:
    app = ClipboardApp()
    async with app.run_test():
        written = _record_writes(app)

        message = copy_text(app, "héllo", "the line", env={"TMUX": "/tmp/tmux-0/default,1,0"})

        inner = f"{ESC}{ESC}]52;c;{_payload('héllo')}\a"
        assert written == [f"{ESC}Ptmux;{inner}{ESC}\\"]
        assert message == "Copied the line (6 bytes) with OSC 52 through tmux"


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


async def test_copy_over_limit_rejected() -> None:
    app = ClipboardApp()
    text = "y" * (OSC52_MAX_BASE64_BYTES // 4 * 3 + 3)
    async with app.run_test():
        written = _record_writes(app)

        message = copy_text(app, text, "the line", env={"TMUX": "1"})

        assert written == []
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
    monkeypatch.setattr(clipboard.sys, "platform", "linux")
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
    monkeypatch.setattr(clipboard.sys, "platform", "linux")
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
