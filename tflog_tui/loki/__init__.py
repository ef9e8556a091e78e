"""Loki client: exact range queries, metric queries, labels, series, volume and live tail."""

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
