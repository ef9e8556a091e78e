"""Command line entry point."""

from __future__ import annotations


def main(argv: list[str] | None = None) -> int:
    """Run tflog and return the process exit status."""
    raise NotImplementedError("the command line is not built yet")
