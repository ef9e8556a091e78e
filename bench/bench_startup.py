"""Startup: `tflog --version` and the time to the first frame, headless.

Both are compared with `python -c "import textual.app"`, measured in the
same run, because the interpreter and Textual's import set the floor. The
first frame with a Loki address is measured against an embedded server in a
process of its own, as it is for a user with a real Loki. The zero-configuration
start, which also imports the server and loads 24 hours of demo history in
the app's process, is a second figure without a target. The demo history
load alone is timed in-process.

Every subprocess writes and reads bytecode in one temporary
`PYTHONPYCACHEPREFIX`, as an installed tflog has its `.pyc` files, even
where `PYTHONDONTWRITEBYTECODE` is set. The untimed warm-up run fills the
cache.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager

from bench._common import Figure, interleaved_medians, median_seconds
from tflog_tui.embedded import LogStore
from tflog_tui.embedded.demo import DemoGenerator, load_history

SERVER_READY_TIMEOUT_S = 120.0
"""Time the server process may take to load its demo history and return 200 on `/ready`."""

FIRST_FRAME_SCRIPT = textwrap.dedent(
    """
    import sys
    from tflog_tui.settings import load_settings

    settings = load_settings(["--addr", sys.argv[1]], environ={})

    from tflog_tui.ui.app import TflogApp

    async def first_frame(pilot):
        await pilot.pause()
        pilot.app.exit()

    TflogApp(settings).run(headless=True, auto_pilot=first_frame)
    """
)
"""Start the app as `tflog --addr URL` does, minus the log file, and exit after one frame."""

DEMO_FIRST_FRAME_SCRIPT = textwrap.dedent(
    """
    from tflog_tui.cli import start_embedded
    from tflog_tui.settings import load_settings

    settings = load_settings([], environ={})
    embedded = start_embedded(settings)

    from tflog_tui.ui.app import TflogApp

    async def first_frame(pilot):
        await pilot.pause()
        pilot.app.exit()

    try:
        TflogApp(settings).run(headless=True, auto_pilot=first_frame)
    finally:
        embedded.stop()
    """
)
"""Start the app as `tflog` without a Loki address does: demo server in a thread."""


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _wait_ready(url: str, server: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + SERVER_READY_TIMEOUT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise RuntimeError(f"the Loki server process exited with status {server.returncode}")

        try:
            with urllib.request.urlopen(f"{url}/ready", timeout=1) as response:
                if response.status == 200:
                    return
        except (urllib.error.URLError, OSError):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the Loki server at {url} was not ready after {SERVER_READY_TIMEOUT_S} s")


@contextmanager
def loki_process(env: dict[str, str]) -> Iterator[str]:
    """Run the embedded server with demo data in another process on 127.0.0.1; yield its URL."""
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "tflog_tui.embedded", "--port", str(port), "--demo"]
    server = subprocess.Popen(
        command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        _wait_ready(url, server)
        yield url
    finally:
        server.terminate()
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def _bytecode_environment(cache_dir: str) -> dict[str, str]:
    env = dict(os.environ)
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    env["PYTHONPYCACHEPREFIX"] = cache_dir
    return env


def run() -> list[Figure]:
    """Measure start-up times and their ratios to importing Textual."""
    python = sys.executable

    with tempfile.TemporaryDirectory(prefix="tflog-bench-pycache-") as cache_dir:
        env = _bytecode_environment(cache_dir)

        def run_python(*arguments: str) -> None:
            subprocess.run([python, *arguments], check=True, capture_output=True, env=env)

        with loki_process(env) as url:
            baseline, version, first_frame, demo_frame = interleaved_medians(
                [
                    lambda: run_python("-c", "import textual.app"),
                    lambda: run_python("-m", "tflog_tui", "--version"),
                    lambda: run_python("-c", FIRST_FRAME_SCRIPT, url),
                    lambda: run_python("-c", DEMO_FIRST_FRAME_SCRIPT),
                ],
                runs=7,
            )

    demo_s = median_seconds(
        lambda: load_history(LogStore(), 24, DemoGenerator(seed=7)), runs=3, warmup=0
    )

    version_ratio = version / baseline
    frame_ratio = first_frame / baseline
    return [
        Figure("startup", "import textual.app (baseline)", baseline * 1000, "ms"),
        Figure("startup", "tflog --version", version * 1000, "ms"),
        Figure(
            "startup",
            "tflog --version / baseline",
            version_ratio,
            "x",
            "≤ 1.5",
            version_ratio <= 1.5,
        ),
        Figure("startup", "first frame, Loki in another process", first_frame * 1000, "ms"),
        Figure("startup", "first frame / baseline", frame_ratio, "x", "≤ 3", frame_ratio <= 3),
        Figure("startup", "first frame, demo server in-process", demo_frame * 1000, "ms"),
        Figure("startup", "demo history, 24 h", demo_s, "s"),
    ]
