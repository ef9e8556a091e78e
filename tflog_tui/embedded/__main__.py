"""Run the embedded Loki-compatible server: `python -m tflog_tui.embedded [--demo]`."""

from __future__ import annotations

import argparse
import logging

from tflog_tui.embedded.params import BadRequest, parse_duration
from tflog_tui.embedded.runner import run_server


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve until Ctrl-C; return the exit status."""
    parser = argparse.ArgumentParser(
        prog="python -m tflog_tui.embedded",
        description="Serve Loki's HTTP API from memory.",
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=3100, help="TCP port (0 picks a free one)")
    parser.add_argument(
        "--demo", action="store_true", help="load 24 h of demo logs and a live feed"
    )
    parser.add_argument("--retention", help="drop entries older than this duration, e.g. 7d")
    args = parser.parse_args(argv)

    retention_ns = None
    if args.retention:
        try:
            retention_ns = parse_duration(args.retention, "retention")
        except BadRequest as error:
            parser.error(error.message)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run_server(args.host, args.port, args.demo, retention_ns)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
