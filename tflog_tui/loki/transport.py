"""One transport configuration for HTTP (httpx) and the tail websocket.

Both share the TLS context, the authentication headers, the organisation
header, extra headers, the proxy and the timeouts, so a setting that works
for range queries works for tails too.
"""

from __future__ import annotations

import base64
import logging
import os
import ssl
from typing import Any
from urllib.parse import unquote, urlencode, urlsplit, urlunsplit

import httpx

from tflog_tui import __version__
from tflog_tui.loki.errors import LokiAuthError, LokiTLSError, redact_url
from tflog_tui.loki.settings import LokiSettings

logger = logging.getLogger(__name__)

# websockets logs every handshake header at DEBUG, Authorization included, so
# its records go to a logger that never passes DEBUG.
websocket_logger = logging.getLogger(__name__ + ".websocket")
websocket_logger.setLevel(logging.INFO)

USER_AGENT = f"tflog/{__version__}"


class BearerTokenFile:
    """A bearer token read from a file and read again whenever the file changes."""

    def __init__(self, path: str) -> None:
        self.path = os.path.expanduser(path)
        self._stamp: tuple[int, int] | None = None
        self._token = ""

    def token(self) -> str:
        """Return the token, reading the file again when its size or mtime changed."""
        stat = os.stat(self.path)
        stamp = (stat.st_mtime_ns, stat.st_size)
        if stamp != self._stamp:
            with open(self.path, encoding="utf-8") as handle:
                self._token = handle.read().strip()
            self._stamp = stamp
            logger.info("read bearer token file %s", self.path)
        return self._token


class Transport:
    """Build httpx clients and websocket connection options from `LokiSettings`."""

    def __init__(self, settings: LokiSettings) -> None:
        self.settings = settings
        parts = urlsplit(settings.addr.strip())
        # Credentials in the address become basic auth; the URL httpx and
        # websockets see (and log) has none.
        self._url_username = unquote(parts.username) if parts.username else None
        self._url_password = unquote(parts.password) if parts.password else None
        netloc = parts.netloc.rpartition("@")[2]
        self.base_url = urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))
        self.server = redact_url(self.base_url)
        self._token_file = (
            BearerTokenFile(settings.bearer_token_file) if settings.bearer_token_file else None
        )
        self._ssl_context: ssl.SSLContext | None = None

    @property
    def is_tls(self) -> bool:
        """Tell whether the address uses https."""
        return urlsplit(self.base_url).scheme == "https"

    def ssl_context(self) -> ssl.SSLContext:
        """Return the TLS context (CA file, client certificate, skip-verify), built once."""
        if self._ssl_context is not None:
            return self._ssl_context

        settings = self.settings
        try:
            context = ssl.create_default_context(cafile=settings.ca_cert)
            if settings.client_cert:
                context.load_cert_chain(settings.client_cert, settings.client_key)
        except (OSError, ssl.SSLError) as error:
            raise LokiTLSError(
                self.server,
                f"cannot load the TLS files: {error}",
                hint="Check the paths given to --ca-cert, --cert and --key.",
            ) from error
        if settings.tls_skip_verify:
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        self._ssl_context = context
        return context

    def auth_headers(self) -> dict[str, str]:
        """Return the headers of every request: user agent, auth, org id, extra headers."""
        settings = self.settings
        headers = {"User-Agent": USER_AGENT}

        token = settings.bearer_token
        if self._token_file is not None:
            try:
                token = self._token_file.token()
            except (OSError, UnicodeDecodeError) as error:
                raise LokiAuthError(
                    self.server,
                    f"cannot read the bearer token file {self._token_file.path}: {error}",
                    hint="Check --bearer-token-file (LOKI_BEARER_TOKEN_FILE).",
                ) from error
        if token:
            headers["Authorization"] = f"Bearer {token}"
        elif settings.username is not None or settings.password is not None:
            pair = f"{settings.username or ''}:{settings.password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        elif self._url_username is not None:
            pair = f"{self._url_username}:{self._url_password or ''}".encode()
            headers["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")

        if settings.org_id:
            headers["X-Scope-OrgID"] = settings.org_id
        headers.update(settings.headers)
        return headers

    def http_client(self) -> httpx.AsyncClient:
        """Create the httpx client; proxies come from `proxy_url` or the environment."""
        settings = self.settings
        verify: ssl.SSLContext | bool = self.ssl_context() if self.is_tls else True
        return httpx.AsyncClient(
            base_url=self.base_url,
            verify=verify,
            proxy=settings.proxy_url or None,
            trust_env=True,
            timeout=httpx.Timeout(settings.timeout_s),
            headers={"User-Agent": USER_AGENT},
            follow_redirects=False,
        )

    def websocket_url(self, path: str, params: dict[str, str]) -> str:
        """Return the ws:// or wss:// address of `path` under the Loki address."""
        parts = urlsplit(self.base_url)
        scheme = "wss" if parts.scheme == "https" else "ws"
        return urlunsplit((scheme, parts.netloc, parts.path + path, urlencode(params), ""))

    def websocket_options(self) -> dict[str, Any]:
        """Return keyword arguments for `websockets.asyncio.client.connect`.

        The proxy is `proxy_url` when set, otherwise the environment's
        (`websockets` reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY itself).
        """
        settings = self.settings
        headers = self.auth_headers()
        headers.pop("User-Agent", None)
        options: dict[str, Any] = {
            "additional_headers": headers,
            "user_agent_header": USER_AGENT,
            "proxy": settings.proxy_url or True,
            "open_timeout": settings.timeout_s,
            "ping_interval": 20.0,
            "ping_timeout": 20.0,
            "close_timeout": 2.0,
            # A frame holds up to 100 entries and a line may be large.
            "max_size": 64 * 1024 * 1024,
            "compression": None,
            "logger": websocket_logger,
        }
        if self.is_tls:
            options["ssl"] = self.ssl_context()
        return options
