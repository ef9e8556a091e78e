"""Loki client: exact range queries, metric queries, labels, series, volume and live tail.

Each name below is imported from its submodule on first access (PEP 562), so
importing `tflog_tui.loki.settings` or `tflog_tui.loki.errors` does not load
httpx, and websockets loads only when a tail connects.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from tflog_tui._lazy import lazy_exports

if TYPE_CHECKING:
    from tflog_tui.loki.client import LokiClient, QueryProgress
    from tflog_tui.loki.decode import MatrixSeries, TailFrame, VectorSample
    from tflog_tui.loki.errors import (
        LokiAuthError,
        LokiBadRequestError,
        LokiConnectionError,
        LokiError,
        LokiRateLimitedError,
        LokiResponseError,
        LokiServerError,
        LokiTailClosedError,
        LokiTimeoutError,
        LokiTLSError,
    )
    from tflog_tui.loki.models import EMPTY_LABELS, Entry, LabelInterner, Labels
    from tflog_tui.loki.settings import LokiSettings
    from tflog_tui.loki.tail import TailDropped, TailEntries, TailEvent, TailSession, TailState

_SUBMODULE_OF = {
    "LokiClient": "tflog_tui.loki.client",
    "QueryProgress": "tflog_tui.loki.client",
    "MatrixSeries": "tflog_tui.loki.decode",
    "TailFrame": "tflog_tui.loki.decode",
    "VectorSample": "tflog_tui.loki.decode",
    "LokiAuthError": "tflog_tui.loki.errors",
    "LokiBadRequestError": "tflog_tui.loki.errors",
    "LokiConnectionError": "tflog_tui.loki.errors",
    "LokiError": "tflog_tui.loki.errors",
    "LokiRateLimitedError": "tflog_tui.loki.errors",
    "LokiResponseError": "tflog_tui.loki.errors",
    "LokiServerError": "tflog_tui.loki.errors",
    "LokiTLSError": "tflog_tui.loki.errors",
    "LokiTailClosedError": "tflog_tui.loki.errors",
    "LokiTimeoutError": "tflog_tui.loki.errors",
    "EMPTY_LABELS": "tflog_tui.loki.models",
    "Entry": "tflog_tui.loki.models",
    "LabelInterner": "tflog_tui.loki.models",
    "Labels": "tflog_tui.loki.models",
    "LokiSettings": "tflog_tui.loki.settings",
    "TailDropped": "tflog_tui.loki.tail",
    "TailEntries": "tflog_tui.loki.tail",
    "TailEvent": "tflog_tui.loki.tail",
    "TailSession": "tflog_tui.loki.tail",
    "TailState": "tflog_tui.loki.tail",
}
"""Module that defines each name this package re-exports."""


__getattr__, __dir__ = lazy_exports(__name__, globals(), _SUBMODULE_OF)


__all__ = [
    "EMPTY_LABELS",
    "Entry",
    "LabelInterner",
    "Labels",
    "LokiAuthError",
    "LokiBadRequestError",
    "LokiClient",
    "LokiConnectionError",
    "LokiError",
    "LokiRateLimitedError",
    "LokiResponseError",
    "LokiServerError",
    "LokiSettings",
    "LokiTLSError",
    "LokiTailClosedError",
    "LokiTimeoutError",
    "MatrixSeries",
    "QueryProgress",
    "TailDropped",
    "TailEntries",
    "TailEvent",
    "TailFrame",
    "TailSession",
    "TailState",
    "VectorSample",
]
