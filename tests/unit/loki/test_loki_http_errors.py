"""Errors, retries and request headers, against small aiohttp apps on 127.0.0.1."""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from aiohttp import web

from tflog_tui.loki import (
    LokiAuthError,
    LokiBadRequestError,
    LokiClient,
    LokiConnectionError,
    LokiRateLimitedError,
    LokiResponseError,
    LokiServerError,
    LokiSettings,
    LokiTimeoutError,
)

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
ServeApp = Callable[[dict[str, Handler]], Awaitable[str]]
LABELS_OK = '{"status":"success","data":["app","level"]}'


@pytest.fixture
async def serve_app() -> AsyncIterator[ServeApp]:
    """Yield a function that serves GET routes on 127.0.0.1:0 and returns the base URL."""
    runners: list[web.AppRunner] = []

    async def serve(routes: dict[str, Handler]) -> str:
        app = web.Application()
        for path, handler in routes.items():
            app.router.add_get(path, handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        runners.append(runner)
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        return f"http://127.0.0.1:{port}"

    yield serve
    for runner in runners:
        await runner.cleanup()


def answers(
    *responses: tuple[int, str], content_type: str = "text/plain"
) -> tuple[Handler, list[web.Request]]:
    """Return a handler giving `responses` in turn (the last one repeats) and its request log."""
    seen: list[web.Request] = []

    async def handler(request: web.Request) -> web.Response:
        status, body = responses[min(len(seen), len(responses) - 1)]
        seen.append(request)
        kind = "application/json" if body.startswith("{") else content_type
        return web.Response(status=status, text=body, content_type=kind)

    return handler, seen


def fast(addr: str, **options: object) -> LokiSettings:
    return LokiSettings(addr=addr, retry_backoff_s=0.01, **options)  # type: ignore[arg-type]


async def test_retry_503_then_success(serve_app: ServeApp) -> None:
    handler, seen = answers((503, "too busy"), (503, "too busy"), (200, LABELS_OK))
    url = await serve_app({"/loki/api/v1/labels": handler})

    async with LokiClient(fast(url, retries=3)) as client:
        names = await client.labels()

    assert names == ["app", "level"]
    assert len(seen) == 3


async def test_retries_are_bounded(serve_app: ServeApp) -> None:
    handler, seen = answers((429, "too many outstanding requests"))
    url = await serve_app({"/loki/api/v1/labels": handler})

    async with LokiClient(fast(url, retries=2)) as client:
        with pytest.raises(LokiRateLimitedError) as caught:
            await client.labels()

    assert len(seen) == 3
    assert caught.value.status == 429
    assert "too many outstanding requests" in str(caught.value)


@pytest.mark.parametrize(
    ("status", "error_type"),
    [(400, LokiBadRequestError), (401, LokiAuthError), (403, LokiAuthError)],
)
async def test_no_retry_for_client_errors(
    serve_app: ServeApp, status: int, error_type: type[Exception]
) -> None:
    handler, seen = answers((status, "no"))
    url = await serve_app({"/loki/api/v1/labels": handler})

    async with LokiClient(fast(url, retries=3)) as client:
        with pytest.raises(error_type):
            await client.labels()

    assert len(seen) == 1


async def test_parse_error_names_position(serve_app: ServeApp) -> None:
    text = "parse error at line 1, col 14: syntax error: unexpected IDENTIFIER"
    handler, _ = answers((400, text))
    url = await serve_app({"/loki/api/v1/query_range": handler})

    async with LokiClient(fast(url)) as client:
        with pytest.raises(LokiBadRequestError) as caught:
            async for _ in client.query_range("{app=x}", start_ns=0, end_ns=10**9):
                pass

    error = caught.value
    assert error.line == 1
    assert error.column == 14
    assert str(error) == f"Loki at {url} answered 400: {text}. Check the query syntax."


async def test_server_error_after_retries(serve_app: ServeApp) -> None:
    handler, seen = answers((500, "internal error: boom"))
    url = await serve_app({"/loki/api/v1/labels": handler})

    async with LokiClient(fast(url, retries=3)) as client:
        with pytest.raises(LokiServerError) as caught:
            await client.labels()

    assert len(seen) == 1
    assert "answered 500: internal error: boom" in str(caught.value)


@pytest.mark.parametrize("status", [200, 302, 502])
async def test_html_page_named(serve_app: ServeApp, status: int) -> None:
    page = "<!DOCTYPE html>\n<html><head><title>Login</title></head><body>SSO</body></html>"
    handler, _ = answers((status, page), content_type="text/html")
    url = await serve_app({"/loki/api/v1/labels": handler})

    async with LokiClient(fast(url, retries=1)) as client:
        with pytest.raises(LokiResponseError) as caught:
            await client.labels()

    message = str(caught.value)
    assert "an HTML page, not Loki's API" in message
    assert "login page or proxy" in message
    assert f"answered {status}" in message


async def test_garbled_json_named(serve_app: ServeApp) -> None:
    handler, _ = answers((200, '{"status":"success","data":["app",'))
    url = await serve_app({"/loki/api/v1/labels": handler})

    async with LokiClient(fast(url)) as client:
        with pytest.raises(LokiResponseError) as caught:
            await client.labels()

    assert "not Loki's JSON" in str(caught.value)
    assert caught.value.status == 200


async def test_label_values_without_data(serve_app: ServeApp) -> None:
    handler, _ = answers((200, '{"status":"success"}'))
    url = await serve_app({"/loki/api/v1/label/nope/values": handler})

    async with LokiClient(fast(url)) as client:
        values = await client.label_values("nope", start_ns=1, end_ns=2)

    assert values == []


async def test_refused_connection() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    url = f"http://127.0.0.1:{port}"

    async with LokiClient(fast(url, retries=1)) as client:
        with pytest.raises(LokiConnectionError) as caught:
            await client.labels()

    message = str(caught.value)
    assert message.startswith(f"Loki at {url}: cannot connect")
    assert "Check the address" in message


async def test_timeout(serve_app: ServeApp) -> None:
    async def slow(request: web.Request) -> web.Response:
        await asyncio.sleep(1)
        return web.Response(text=LABELS_OK)

    url = await serve_app({"/loki/api/v1/labels": slow})

    async with LokiClient(fast(url, timeout_s=0.3, retries=0)) as client:
        with pytest.raises(LokiTimeoutError) as caught:
            await client.labels()

    assert "/loki/api/v1/labels timed out after 0.3 s" in str(caught.value)


async def test_auth_headers_arrive(serve_app: ServeApp) -> None:
    handler, seen = answers((200, LABELS_OK))
    url = await serve_app({"/loki/api/v1/labels": handler})
    settings = fast(
        url, username="ops", password="pa55word", org_id="tenant-1", headers={"X-Extra": "yes"}
    )

    async with LokiClient(settings) as client:
        await client.labels()

    headers = seen[0].headers
    assert headers["Authorization"] == "Basic b3BzOnBhNTV3b3Jk"
    assert headers["X-Scope-OrgID"] == "tenant-1"
    assert headers["X-Extra"] == "yes"
    assert headers["User-Agent"].startswith("tflog/")


async def test_address_credentials_become_basic_auth(serve_app: ServeApp) -> None:
    handler, seen = answers((200, LABELS_OK))
    base = await serve_app({"/loki/api/v1/labels": handler})

    async with LokiClient(fast(base.replace("http://", "http://ops:pa55word@"))) as client:
        await client.labels()

    assert seen[0].headers["Authorization"] == "Basic b3BzOnBhNTV3b3Jk"


async def test_token_file_read_again(serve_app: ServeApp, tmp_path: os.PathLike[str]) -> None:
    handler, seen = answers((200, LABELS_OK))
    url = await serve_app({"/loki/api/v1/labels": handler})
    token_file = os.path.join(tmp_path, "token")
    with open(token_file, "w") as handle:
        handle.write("first-token\n")

    async with LokiClient(fast(url, bearer_token_file=token_file)) as client:
        await client.labels()
        with open(token_file, "w") as handle:
            handle.write("second-token-longer\n")
        await client.labels()

    assert seen[0].headers["Authorization"] == "Bearer first-token"
    assert seen[1].headers["Authorization"] == "Bearer second-token-longer"


async def test_secrets_stay_out(serve_app: ServeApp, caplog: pytest.LogCaptureFixture) -> None:
    handler, seen = answers((401, "unauthorized"))
    base = await serve_app({"/loki/api/v1/labels": handler})
    url = base.replace("http://", "http://admin:url-secret@")
    settings = fast(
        url,
        password="pw-secret",
        bearer_token="token-secret",
        headers={"Authorization": "Bearer header-secret", "X-Other": "visible"},
    )
    caplog.set_level(logging.DEBUG)

    async with LokiClient(settings) as client:
        with pytest.raises(LokiAuthError) as caught:
            await client.labels()

    headers = seen[0].headers
    texts = [str(settings), repr(settings), str(caught.value), caplog.text]
    for text in texts:
        for secret in ("url-secret", "pw-secret", "token-secret", "header-secret"):
            assert secret not in text
    assert "visible" in repr(settings)
    assert "admin:<hidden>@" in repr(settings)
    assert str(caught.value).startswith(f"Loki at {base} answered 401: unauthorized.")
    assert headers["Authorization"] == "Bearer header-secret"


async def test_missing_token_file(serve_app: ServeApp, tmp_path: os.PathLike[str]) -> None:
    handler, seen = answers((200, LABELS_OK))
    url = await serve_app({"/loki/api/v1/labels": handler})
    missing = os.path.join(tmp_path, "absent")

    async with LokiClient(fast(url, bearer_token_file=missing)) as client:
        with pytest.raises(LokiAuthError) as caught:
            await client.labels()

    assert f"cannot read the bearer token file {missing}" in str(caught.value)
    assert seen == []


async def test_proxy_url_used(serve_app: ServeApp) -> None:
    handler, seen = answers((200, LABELS_OK))
    proxy = await serve_app({"/loki/api/v1/labels": handler})
    settings = fast("http://loki.invalid:3100", proxy_url=proxy, org_id="tenant-2")

    async with LokiClient(settings) as client:
        names = await client.labels()

    assert names == ["app", "level"]
    assert seen[0].headers["Host"] == "loki.invalid:3100"
    assert seen[0].headers["X-Scope-OrgID"] == "tenant-2"
