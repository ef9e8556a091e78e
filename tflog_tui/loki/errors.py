"""Errors raised by the Loki client, each with a message a user can act on.

Every error names the server (its address without credentials), the HTTP
status when there is one, Loki's own text and a hint. `str(error)` is the
whole message, for example `Loki at http://127.0.0.1:3100 answered 400:
parse error at line 1, col 14: ... Check the query syntax.`
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

_PARSE_POSITION = re.compile(r"parse error at line (\d+), col (\d+)")
_HTML_START = re.compile(rb"^\s*(<!doctype html|<html|<head|<body|<\?xml)", re.IGNORECASE)


def redact_url(url: str) -> str:
    """Return `url` without a user name, password or query string."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid address>"

    host = parts.hostname or ""
    if ":" in host:
        host = f"[{host}]"
    if parts.port is not None:
        host = f"{host}:{parts.port}"
    return urlunsplit((parts.scheme, host, parts.path, "", ""))


def hide_password(url: str) -> str:
    """Return `url` with the password of its user info replaced by `<hidden>`."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return "<invalid address>"
    if parts.password is None:
        return url
    netloc = parts.netloc.rpartition("@")[2]
    user = parts.username or ""
    return urlunsplit(
        (parts.scheme, f"{user}:<hidden>@{netloc}", parts.path, parts.query, parts.fragment)
    )


def first_line(text: str, max_chars: int = 200) -> str:
    """Return the first non-blank line of `text`, cut to `max_chars` characters."""
    for line in text.splitlines():
        stripped = line.strip()
        if stripped:
            if len(stripped) > max_chars:
                return stripped[:max_chars] + "…"
            return stripped
    return ""


def looks_like_html(body: bytes) -> bool:
    """Tell whether a response body is an HTML or XML page rather than Loki's API."""
    return _HTML_START.match(body[:512]) is not None


class LokiError(Exception):
    """Base class of every error the Loki client raises.

    `server` is the Loki address without credentials, `status` the HTTP status
    (None when no response arrived), `detail` the text Loki or the network
    layer gave and `hint` what the user can try.
    """

    default_hint = ""

    def __init__(
        self,
        server: str,
        detail: str,
        *,
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.server = redact_url(server)
        self.status = status
        self.detail = detail
        self.hint = self.default_hint if hint is None else hint
        super().__init__(self.message)

    @property
    def message(self) -> str:
        """Return the full message: server, status, detail and hint."""
        if self.status is None:
            head = f"Loki at {self.server}: {self.detail}"
        else:
            head = f"Loki at {self.server} answered {self.status}: {self.detail}"
        head = head.rstrip()
        if self.hint:
            if not head.endswith((".", "!", "?")):
                head += "."
            return f"{head} {self.hint}"
        return head

    def __str__(self) -> str:
        return self.message


class LokiConnectionError(LokiError):
    """The TCP connection failed: refused, reset, unknown host."""

    default_hint = "Check the address and that Loki is running and reachable."


class LokiTimeoutError(LokiError):
    """No response arrived within the timeout."""

    default_hint = "Narrow the query or the time range, or raise the timeout."


class LokiTLSError(LokiError):
    """The TLS handshake failed, usually on certificate verification."""

    default_hint = (
        "Check --ca-cert (LOKI_CA_CERT_PATH), the client certificate and key, "
        "or use --tls-skip-verify for a test server."
    )


class LokiAuthError(LokiError):
    """The server responded 401 or 403."""

    default_hint = (
        "Check --username/--password, --bearer-token or --bearer-token-file "
        "and --org-id (X-Scope-OrgID)."
    )


class LokiBadRequestError(LokiError):
    """The server responded 400. `line` and `column` are the 1-based parse position, if any."""

    default_hint = "Check the query syntax."

    def __init__(
        self,
        server: str,
        detail: str,
        *,
        status: int | None = 400,
        hint: str | None = None,
    ) -> None:
        match = _PARSE_POSITION.search(detail)
        self.line: int | None = int(match.group(1)) if match else None
        self.column: int | None = int(match.group(2)) if match else None
        if hint is None and match is None:
            hint = "Check the query and its parameters."
        super().__init__(server, detail, status=status, hint=hint)


class LokiRateLimitedError(LokiError):
    """A 429 response: too many outstanding requests, or a tenant limit."""

    default_hint = "Wait a moment and try again, or narrow the query."


class LokiServerError(LokiError):
    """A response with a 5xx status."""

    default_hint = "Loki or a proxy in front of it failed; try again or narrow the query."


class LokiResponseError(LokiError):
    """A response that is not from Loki's API: an HTML page, or JSON that does not decode."""

    default_hint = ""


class LokiTailClosedError(LokiError):
    """A tail websocket ended for a reason that retrying cannot fix.

    `code` is the websocket close code (1011 for Loki's own errors), or None
    when the handshake did not upgrade. `reason` is the close reason or the
    first line of the HTTP body.
    """

    def __init__(
        self,
        server: str,
        detail: str,
        *,
        code: int | None = None,
        reason: str = "",
        status: int | None = None,
        hint: str | None = None,
    ) -> None:
        self.code = code
        self.reason = reason
        super().__init__(server, detail, status=status, hint=hint)
