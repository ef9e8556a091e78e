"""Shared timing and reporting helpers for the benchmarks."""

from __future__ import annotations

import gc
import os
import platform
import statistics
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Figure:
    """One measured figure printed beside its target."""

    topic: str
    name: str
    value: float
    unit: str
    target: str = ""
    met: bool | None = None

    def format_value(self) -> str:
        """Format the value with a precision that suits its size."""
        if abs(self.value) >= 100:
            return f"{self.value:,.0f} {self.unit}"
        if abs(self.value) >= 1:
            return f"{self.value:.2f} {self.unit}"
        return f"{self.value:.3f} {self.unit}"


def median_seconds(function: Callable[[], object], *, runs: int = 5, warmup: int = 1) -> float:
    """Run `function` `warmup` times untimed, then `runs` times; return the median in seconds."""
    for _ in range(warmup):
        function()

    timings = []
    for _ in range(runs):
        gc.collect()
        started = time.perf_counter()
        function()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


def interleaved_medians(
    functions: list[Callable[[], object]], *, runs: int = 5, warmup: int = 1
) -> list[float]:
    """Time `functions` in turn, run after run; return the median seconds of each.

    Taking turns spreads a load spike on a shared machine over every function,
    so ratios between them stay meaningful. Each function first runs `warmup`
    times untimed.
    """
    for _ in range(warmup):
        for function in functions:
            function()

    timings: list[list[float]] = [[] for _ in functions]
    for _ in range(runs):
        for function, times in zip(functions, timings, strict=True):
            gc.collect()
            started = time.perf_counter()
            function()
            times.append(time.perf_counter() - started)
    return [statistics.median(times) for times in timings]


def machine_description() -> str:
    """Describe the machine: cores, memory and Python version."""
    memory = "unknown memory"
    try:
        with open("/proc/meminfo", encoding="ascii") as meminfo:
            for line in meminfo:
                if line.startswith("MemTotal:"):
                    kib = int(line.split()[1])
                    memory = f"{kib / 1024 / 1024:.1f} GiB memory"
                    break
    except OSError:
        pass

    cpu = platform.processor() or platform.machine()
    return (
        f"{os.cpu_count()} cores ({cpu}), {memory}, "
        f"Python {platform.python_version()} on {platform.system()} {platform.release()}"
    )
