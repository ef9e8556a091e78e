"""Run every benchmark, print each figure beside its target, record them.

Usage: `python -m bench [topic ...]` (topics: parse ingest capacity render
paging tail startup). Results go to docs/benchmarks.md unless `--no-record`.
"""

from __future__ import annotations

import argparse
import datetime
import importlib
import sys
import time
from pathlib import Path

from bench._common import Figure, machine_description

TOPICS = ["parse", "ingest", "capacity", "render", "paging", "tail", "startup"]
RECORD_PATH = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"


def _run_topic(topic: str) -> list[Figure]:
    module = importlib.import_module(f"bench.bench_{topic}")
    figures: list[Figure] = module.run()
    return figures


def _table(figures: list[Figure]) -> list[str]:
    rows = ["| topic | figure | median | target | met |", "|---|---|---|---|---|"]
    for figure in figures:
        if figure.met is None:
            met = ""
        else:
            met = "yes" if figure.met else "**no**"
        value = figure.format_value()
        rows.append(f"| {figure.topic} | {figure.name} | {value} | {figure.target} | {met} |")
    return rows


def _record(figures: list[Figure], command: str, elapsed_s: float) -> None:
    today = datetime.datetime.now(datetime.UTC).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# Benchmarks",
        "",
        "Figures from the last full run of the benchmarks in `bench/`. Each is a",
        "median of several runs after a warm-up; ratios compare against a baseline",
        "measured in the same run. The machines these run on are shared and noisy,",
        "so read small differences as noise.",
        "",
        f"- date: {today}",
        f"- machine: {machine_description()}",
        f"- command: `{command}`",
        f"- wall time of the run: {elapsed_s:.0f} s",
        "",
        *_table(figures),
        "",
    ]
    notes_path = RECORD_PATH.with_name("benchmarks-notes.md")
    if notes_path.exists():
        lines += ["", notes_path.read_text(encoding="utf-8").rstrip(), ""]
    RECORD_PATH.parent.mkdir(parents=True, exist_ok=True)
    RECORD_PATH.write_text("\n".join(lines), encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    """Run the chosen benchmark topics and return the exit status."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "topics", nargs="*", help=f"topics to run: {', '.join(TOPICS)} (default all)"
    )
    parser.add_argument("--no-record", action="store_true", help="do not write docs/benchmarks.md")
    args = parser.parse_args(argv)
    unknown = [topic for topic in args.topics if topic not in TOPICS]
    if unknown:
        parser.error(f"unknown topic {unknown[0]!r}; choose from {', '.join(TOPICS)}")
    topics = args.topics or TOPICS

    started = time.perf_counter()
    figures: list[Figure] = []
    for topic in topics:
        print(f"== {topic}", flush=True)
        for figure in _run_topic(topic):
            figures.append(figure)
            verdict = ""
            if figure.met is not None:
                verdict = "  ok" if figure.met else "  MISSED"
            target = f"  (target {figure.target})" if figure.target else ""
            print(f"  {figure.name}: {figure.format_value()}{target}{verdict}", flush=True)

    elapsed = time.perf_counter() - started
    print(f"done in {elapsed:.0f} s")
    if not args.no_record and set(topics) == set(TOPICS):
        _record(figures, "make bench", elapsed)
        print(f"recorded in {RECORD_PATH}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
