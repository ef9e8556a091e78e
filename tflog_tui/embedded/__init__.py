"""A Loki-compatible server in memory: the zero-configuration default and the test backend."""

from tflog_tui.embedded.limits import ServerLimits
from tflog_tui.embedded.runner import create_server, run_server
from tflog_tui.embedded.server import EmbeddedLoki
from tflog_tui.embedded.store import LogStore
from tflog_tui.embedded.threaded import ThreadedServer, serve_in_thread

__all__ = [
    "EmbeddedLoki",
    "LogStore",
    "ServerLimits",
    "ThreadedServer",
    "create_server",
    "run_server",
    "serve_in_thread",
]
