"""Run the embedded Loki-compatible server: `python -m tflog_tui.embedded [--demo]`."""

from __future__ import annotations

import argparse
import logging

from tflog_tui.embedded.limits import ServerLimits
from tflog_tui.embedded.params import BadRequest, parse_duration
from tflog_tui.embedded.runner import run_server


def build_parser() -> argparse.ArgumentParser:
    """Return the command-line parser; limit options default to Loki's defaults."""
    defaults = ServerLimits()
    parser = argparse.ArgumentParser(
        prog="python -m tflog_tui.embedded",
        description="Serve Loki's HTTP API from memory.",
    )

    parser.add_argument("--host", default="127.0.0.1", help="address to listen on")
    parser.add_argument("--port", type=int, default=3100, help="TCP port (0 picks a free one)")
    parser.add_argument(
        "--demo", action="store_true", help="load 24 hours of demo logs and push a live feed"
    )

    parser.add_argument("--retention", help="drop entries older than this duration, e.g. 7d")
    parser.add_argument(
        "--max-bytes", type=int, help="evict the oldest entries above this store size in bytes"
    )

    parser.add_argument(
        "--max-entries-limit-per-query",
        type=int,
        default=defaults.max_entries_limit_per_query,
        help="largest `limit` a query may ask for (default: %(default)s)",
    )
    parser.add_argument(
        "--max-query-length",
        default="721h",
        help="maximum time range of one query (default: %(default)s)",
    )
    parser.add_argument(
        "--tail-max-duration",
        default="1h",
        help="close a tail after this duration (default: %(default)s)",
    )
    parser.add_argument(
        "--max-concurrent-tails",
        type=int,
        default=defaults.max_concurrent_tails,
        help="open tails allowed at once (default: %(default)s)",
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and serve until Ctrl-C; return the exit status."""
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        retention_ns = parse_duration(args.retention, "retention") if args.retention else None
        limits = ServerLimits(
            max_entries_limit_per_query=args.max_entries_limit_per_query,
            max_query_length_ns=parse_duration(args.max_query_length, "max-query-length"),
            tail_max_duration_s=parse_duration(args.tail_max_duration, "tail-max-duration") / 1e9,
            max_concurrent_tails=args.max_concurrent_tails,
            max_bytes=args.max_bytes,
        )
    except BadRequest as error:
        parser.error(error.message)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )
    run_server(args.host, args.port, args.demo, retention_ns, limits)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
