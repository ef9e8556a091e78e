"""TLS settings shared by HTTP and the tail websocket, against a local HTTPS app."""

from __future__ import annotations

import shutil
import ssl
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from aiohttp import WSMsgType, web

from tflog_tui.loki import (
    LokiClient,
    LokiConnectionError,
    LokiSettings,
    LokiTLSError,
    TailEntries,
    TailState,
)

LABELS_OK = '{"status":"success","data":["app"]}'
FRAME = '{"streams":[{"stream":{"app":"tls"},"values":[["1700000000000000000","over wss"]]}]}'

pytestmark = pytest.mark.skipif(shutil.which("openssl") is None, reason="needs openssl")


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Create a self-signed certificate for 127.0.0.1 with the openssl command."""
    folder = tmp_path_factory.mktemp("tls")
    cert = folder / "cert.pem"
    key = folder / "key.pem"
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1",
            "-keyout", str(key), "-out", str(cert),
        ],
        check=True,
        capture_output=True,
    )
    return cert, key


@pytest.fixture
async def https_url(certificate: tuple[Path, Path]) -> AsyncIterator[str]:
    """Serve labels and a one-frame tail over HTTPS on 127.0.0.1."""

    async def labels(request: web.Request) -> web.Response:
        return web.Response(text=LABELS_OK, content_type="application/json")

    async def tail(request: web.Request) -> web.WebSocketResponse:
        ws = web.WebSocketResponse()
        await ws.prepare(request)
        await ws.send_str(FRAME)
        async for message in ws:
            if message.type == WSMsgType.CLOSE:
                break
        return ws

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(certificate[0]), str(certificate[1]))
    app = web.Application()
    app.router.add_get("/loki/api/v1/labels", labels)
    app.router.add_get("/loki/api/v1/tail", tail)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    try:
        yield f"https://127.0.0.1:{port}"
    finally:
        await runner.cleanup()


async def test_unknown_ca_is_tls_error(https_url: str) -> None:
    async with LokiClient(LokiSettings(addr=https_url, retries=2)) as client:
        with pytest.raises(LokiTLSError) as caught:
            await client.labels()

    assert "TLS handshake failed" in str(caught.value)
    assert "--ca-cert" in str(caught.value)


async def test_ca_cert_trusted(https_url: str, certificate: tuple[Path, Path]) -> None:
    settings = LokiSettings(addr=https_url, ca_cert=str(certificate[0]))

    async with LokiClient(settings) as client:
        names = await client.labels()
        async with client.tail('{app="tls"}') as events:
            async for event in events:
                if isinstance(event, TailEntries):
                    lines = [entry.line for entry in event.entries]
                    break

    assert names == ["app"]
    assert lines == ["over wss"]


async def test_skip_verify(https_url: str) -> None:
    async with LokiClient(LokiSettings(addr=https_url, tls_skip_verify=True)) as client:
        names = await client.labels()

    assert names == ["app"]


async def test_tail_unknown_ca_stops(https_url: str) -> None:
    async with (
        LokiClient(LokiSettings(addr=https_url)) as client,
        client.tail('{app="tls"}') as events,
    ):
        states = [event async for event in events if isinstance(event, TailState)]

    assert [state.state for state in states] == ["connecting", "stopped"]
    assert isinstance(states[-1].error, LokiTLSError)


async def test_client_certificate(certificate: tuple[Path, Path]) -> None:
    cert, key = certificate
    peers: list[object] = []

    async def labels(request: web.Request) -> web.Response:
        peers.append(request.transport.get_extra_info("peercert"))  # type: ignore[union-attr]
        return web.Response(text=LABELS_OK, content_type="application/json")

    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=str(cert))
    context.load_cert_chain(str(cert), str(key))
    context.verify_mode = ssl.CERT_REQUIRED
    app = web.Application()
    app.router.add_get("/loki/api/v1/labels", labels)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0, ssl_context=context)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    url = f"https://127.0.0.1:{port}"
    try:
        with_cert = LokiSettings(
            addr=url, ca_cert=str(cert), client_cert=str(cert), client_key=str(key)
        )
        async with LokiClient(with_cert) as client:
            names = await client.labels()
        without_cert = LokiSettings(addr=url, ca_cert=str(cert), retries=0)
        async with LokiClient(without_cert) as client:
            with pytest.raises((LokiTLSError, LokiConnectionError)):
                await client.labels()
    finally:
        await runner.cleanup()

    assert names == ["app"]
    assert len(peers) == 1
    assert peers[0]
