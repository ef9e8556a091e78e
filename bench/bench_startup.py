"""Startup: `tflog --version` and the time to the first frame, headless.

Both are compared with `python -c "import textual.app"`, measured in the
same run, because the interpreter and Textual's import set the floor. The
load of the demo's 24 hours of history, which `tflog` without a Loki address
waits for before the first query, is timed in-process.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap

from bench._common import Figure, interleaved_medians, median_seconds
from tflog_tui.embedded import LogStore
from tflog_tui.embedded.demo import DemoGenerator, load_history

FIRST_FRAME_SCRIPT = textwrap.dedent(
    """
    import sys
    from tflog_tui.embedded import EmbeddedLoki, serve_in_thread
    from tflog_tui.loki import LokiSettings
    from tflog_tui.settings import AppSettings, GrafanaSettings

    threaded = serve_in_thread(EmbeddedLoki())
    settings = AppSettings(
        loki=LokiSettings(addr=threaded.url),
        grafana=GrafanaSettings(url=None, datasource_uid=None, org_id=1),
        query=None,
    )

    from tflog_tui.ui.app import TflogApp

    async def first_frame(pilot):
        await pilot.pause()
        pilot.app.exit()

    TflogApp(settings).run(headless=True, auto_pilot=first_frame)
    threaded.stop()
    """
)


def _run(arguments: list[str]) -> None:
    subprocess.run(arguments, check=True, capture_output=True)


def run() -> list[Figure]:
    """Measure start-up times and their ratios to importing Textual."""
    python = sys.executable
    baseline, version, first_frame = interleaved_medians(
        [
            lambda: _run([python, "-c", "import textual.app"]),
            lambda: _run([python, "-m", "tflog_tui", "--version"]),
            lambda: _run([python, "-c", FIRST_FRAME_SCRIPT]),
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
        Figure("startup", "first frame, headless", first_frame * 1000, "ms"),
        Figure("startup", "first frame / baseline", frame_ratio, "x", "≤ 3", frame_ratio <= 3),
        Figure("startup", "demo history, 24 h", demo_s, "s"),
    ]
