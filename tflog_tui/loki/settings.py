"""Connection settings for one Loki server."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Final

from tflog_tui.loki.errors import hide_password

NS_PER_SECOND: Final = 1_000_000_000
NS_PER_HOUR: Final = 3600 * NS_PER_SECOND

# Loki's defaults for `max_query_length` (721h) and
# `max_entries_limit_per_query` (5000), the same in 2.8 and 3.x.
DEFAULT_MAX_QUERY_LENGTH_NS: Final = 721 * NS_PER_HOUR
DEFAULT_MAX_ENTRIES_PER_PAGE: Final = 5000

_SECRET_FIELDS: Final = frozenset({"password", "bearer_token"})
_SECRET_HEADERS: Final = frozenset({"authorization", "proxy-authorization", "cookie", "x-api-key"})


@dataclass
class LokiSettings:
    """How to reach one Loki server; the names follow logcli's flags.

    `repr()` and `str()` show secrets (password, bearer token, the values of
    authorization and cookie headers) as `<hidden>`.
    """

    addr: str = "http://127.0.0.1:3100"
    username: str | None = None
    password: str | None = None
    bearer_token: str | None = None
    bearer_token_file: str | None = None
    org_id: str | None = None
    ca_cert: str | None = None
    client_cert: str | None = None
    client_key: str | None = None
    tls_skip_verify: bool = False
    proxy_url: str | None = None
    headers: dict[str, str] = field(default_factory=dict)
    timeout_s: float = 30.0
    """Timeout of one HTTP request or websocket handshake, in seconds."""
    retries: int = 3
    """Retries after 429, 502, 503, 504 or a failed connection; 0 disables them."""
    retry_backoff_s: float = 0.25
    """First delay between retries, in seconds; it doubles per retry, up to 8 s."""
    max_entries_per_page: int = DEFAULT_MAX_ENTRIES_PER_PAGE
    """Maximum `limit` of one query_range request: Loki's `max_entries_limit_per_query`."""
    max_query_length_ns: int = DEFAULT_MAX_QUERY_LENGTH_NS
    """Longer ranges are split into windows of this length, in nanoseconds."""
    split_parallelism: int = 4
    """Windows of a split range fetched at the same time."""
    categorize_labels: bool = False
    """Send `X-Loki-Response-Encoding-Flags: categorize-labels` (Loki 3.x) to get
    structured metadata and parsed labels apart from the stream labels."""
    tail_backoff_initial_s: float = 0.5
    """First delay before a tail reconnects, in seconds; it doubles per failure."""
    tail_backoff_max_s: float = 10.0
    """Maximum delay between tail reconnects, in seconds."""

    def __repr__(self) -> str:
        parts = []
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name in _SECRET_FIELDS and value is not None:
                shown = "'<hidden>'"
            elif item.name in ("addr", "proxy_url") and value:
                shown = repr(hide_password(value))
            elif item.name == "headers":
                shown = repr(redact_headers(value))
            else:
                shown = repr(value)
            parts.append(f"{item.name}={shown}")
        return f"LokiSettings({', '.join(parts)})"

    __str__ = __repr__


def redact_headers(headers: dict[str, str]) -> dict[str, str]:
    """Return a copy of `headers` with the values of credential headers hidden."""
    return {
        name: "<hidden>" if name.lower() in _SECRET_HEADERS else value
        for name, value in headers.items()
    }
