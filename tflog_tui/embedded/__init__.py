"""A Loki-compatible server in memory: the zero-configuration default and the test backend.

Each name below is imported from its submodule on first access (PEP 562), so
aiohttp loads only when the server is used, not when another part of tflog
imports a light submodule of this package.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tflog_tui._lazy import lazy_exports

if TYPE_CHECKING:
    from tflog_tui.embedded.limits import ServerLimits
    from tflog_tui.embedded.runner import create_server, run_server
    from tflog_tui.embedded.server import EmbeddedLoki
    from tflog_tui.embedded.store import LogStore
    from tflog_tui.embedded.threaded import ThreadedServer, serve_in_thread

_SUBMODULE_OF = {
    "ServerLimits": "tflog_tui.embedded.limits",
    "create_server": "tflog_tui.embedded.runner",
    "run_server": "tflog_tui.embedded.runner",
    "EmbeddedLoki": "tflog_tui.embedded.server",
    "LogStore": "tflog_tui.embedded.store",
    "ThreadedServer": "tflog_tui.embedded.threaded",
    "serve_in_thread": "tflog_tui.embedded.threaded",
}
"""Module that defines each name this package re-exports."""


__getattr__, __dir__ = lazy_exports(__name__, globals(), _SUBMODULE_OF)


__all__ = [
    "EmbeddedLoki",
    "LogStore",
    "ServerLimits",
    "ThreadedServer",
    "create_server",
    "run_server",
    "serve_in_thread",
]
