"""Command line entry point: `tflog [options] [QUERY_OR_LINK]` and `tflog serve`."""

from __future__ import annotations

import argparse
import logging
import logging.handlers
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from tflog_tui import __version__
from tflog_tui.logql.units import parse_duration
from tflog_tui.loki.errors import redact_url
from tflog_tui.settings import AppSettings, SettingsError, default_log_path, load_settings

if TYPE_CHECKING:
    from tflog_tui.embedded import ThreadedServer

logger = logging.getLogger(__name__)

LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_FILE_BYTES = 5 * 1024 * 1024
LOG_FILE_BACKUPS = 3


def build_serve_parser() -> argparse.ArgumentParser:
    """Return the parser of `tflog serve`."""
    parser = argparse.ArgumentParser(
        prog="tflog serve",
        description=(
            "Run the embedded Loki-compatible server alone. Anything that speaks Loki's "
            "push API can send to it, and tflog or Grafana can query it."
        ),
    )
    parser.add_argument("--host", default="127.0.0.1", help="address to listen on (127.0.0.1)")
    parser.add_argument(
        "--port", type=int, default=3100, help="TCP port; 0 picks a free one (3100)"
    )
    parser.add_argument(
        "--demo", action="store_true", help="load 24 hours of demo logs and a live feed"
    )
    parser.add_argument(
        "--retention",
        help="drop entries older than this duration, e.g. 24h or 7d (default: keep all)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        type=str.upper,
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="level of the messages on stderr (INFO)",
    )
    parser.add_argument("--version", action="version", version=f"tflog {__version__}")
    return parser


def setup_logging(level: str, path: Path) -> Path | None:
    """Send log records at `level` to a rotating file at `path`; return the path or None."""
    root = logging.getLogger()
    root.setLevel(level)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        handler: logging.Handler = logging.handlers.RotatingFileHandler(
            path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
        )
    except OSError as error:
        print(f"tflog: warning: cannot write the log file {path}: {error}", file=sys.stderr)
        return None
    handler.setFormatter(logging.Formatter(LOG_FORMAT))
    root.addHandler(handler)
    return path


def serve(argv: Sequence[str]) -> int:
    """Run `tflog serve` until Ctrl-C; return the exit status."""
    parser = build_serve_parser()
    args = parser.parse_args(list(argv))
    retention_ns = None
    if args.retention:
        try:
            retention_ns = parse_duration(args.retention)
        except ValueError as error:
            parser.error(f"invalid --retention: {error}")
    logging.basicConfig(level=args.log_level, format=LOG_FORMAT)

    from tflog_tui.embedded import run_server

    run_server(args.host, args.port, args.demo, retention_ns)
    return 0


def start_embedded(settings: AppSettings) -> ThreadedServer:
    """Start the embedded server with demo data on a loopback port; point the settings at it."""
    from tflog_tui.embedded import create_server, serve_in_thread

    server = create_server(demo=True)
    threaded = serve_in_thread(server, "127.0.0.1", 0)

    async def start_feed() -> None:
        server.start_demo_feed()

    threaded.call(start_feed)
    settings.embedded_url = threaded.url
    settings.loki.addr = threaded.url
    logger.info("serving demo data from the embedded server at %s", threaded.url)
    return threaded


def main(argv: list[str] | None = None) -> int:
    """Run tflog and return the process exit status."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    if arguments and arguments[0] == "serve":
        return serve(arguments[1:])

    try:
        settings = load_settings(arguments)
    except SettingsError as error:
        print(f"tflog: error: {error}", file=sys.stderr)
        return 2

    log_path = Path(settings.log_file).expanduser() if settings.log_file else default_log_path()
    setup_logging(settings.log_level, log_path)
    logger.info("tflog %s starting", __version__)
    for warning in settings.warnings:
        logger.warning("%s", warning)

    embedded = None
    if settings.demo or not settings.addr_configured:
        embedded = start_embedded(settings)
    else:
        logger.info("using Loki at %s", redact_url(settings.loki.addr))

    try:
        # TODO: the first frame against a Loki in another process takes about 3.3 to 3.5
        # times `import textual.app` (bench startup, target 3). Textual's Footer costs about
        # 100 ms of it: it rebuilds its keys on each of the 5 binding changes of start-up,
        # and each new key applies the stylesheet again. httpx builds a default SSL
        # context even for an http:// address (about 20 ms).
        from tflog_tui.ui.app import TflogApp

        TflogApp(settings).run()
    finally:
        if embedded is not None:
            embedded.stop()
        logger.info("tflog stopped")
    return 0
