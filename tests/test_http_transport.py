"""httpx on the aiohttp transport: same requests and responses, and errors that say whether a request may
have been sent (the WhatsApp sender's exactly-once rule depends on it). Real sockets on loopback."""
from __future__ import annotations

import asyncio
import gzip
import json
import socket

import httpx
import pytest
from aiohttp import web

from actors.whatsapp.graph import NEVER_SENT
from runtime.http_transport import AiohttpTransport


async def serve(app: web.Application):
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"


@pytest.fixture
async def echo():
    async def handler(request: web.Request) -> web.Response:
        if request.path == "/slow":
            await asyncio.sleep(1.5)
        body = await request.read()
        if request.path == "/gzip":
            return web.Response(body=gzip.compress(b'{"zipped": true}'),
                                headers={"Content-Encoding": "gzip", "Content-Type": "application/json"})
        return web.json_response({"method": request.method, "path": request.path_qs, "body": body.decode(),
                                  "authorization": request.headers.get("Authorization"),
                                  "content_type": request.headers.get("Content-Type"),
                                  "peer": request.transport.get_extra_info("peername")[1]},
                                 status=201, headers={"X-Trace": "abc"})

    app = web.Application()
    app.router.add_route("*", "/{tail:.*}", handler)
    runner, url = await serve(app)
    yield url
    await runner.cleanup()


@pytest.fixture
async def client():
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=5) as client:
        yield client


async def test_a_request_and_its_response_go_through_unchanged(echo, client):
    response = await client.post(f"{echo}/v1/messages?x=1", json={"text": "مرحبا"},
                                 headers={"Authorization": "Bearer t"})
    assert response.status_code == 201
    assert response.headers["X-Trace"] == "abc"
    assert response.json() == {"method": "POST", "path": "/v1/messages?x=1", "body": json.dumps(
        {"text": "مرحبا"}, ensure_ascii=False, separators=(",", ":")), "authorization": "Bearer t",
        "content_type": "application/json", "peer": response.json()["peer"]}
    assert response.reason_phrase == "Created"


async def test_keep_alive_connections_are_reused(echo, client):
    peers = {(await client.get(f"{echo}/ping")).json()["peer"] for _ in range(5)}
    assert len(peers) == 1  # the server saw one client connection, not five


async def test_compressed_responses_are_decoded_by_httpx(echo, client):
    assert (await client.get(f"{echo}/gzip")).json() == {"zipped": True}


async def test_a_refused_connection_was_never_sent():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with httpx.AsyncClient(transport=AiohttpTransport()) as client:
        with pytest.raises(httpx.ConnectError) as caught:
            await client.post(f"http://127.0.0.1:{port}/", json={})
    assert isinstance(caught.value, NEVER_SENT)


async def test_a_read_timeout_may_have_been_sent(echo):
    async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=httpx.Timeout(0.3)) as client:
        with pytest.raises(httpx.ReadTimeout) as caught:
            await client.post(f"{echo}/slow", json={})
    assert not isinstance(caught.value, NEVER_SENT)


async def test_waiting_too_long_for_a_pooled_connection_was_never_sent(echo):
    transport = AiohttpTransport(httpx.Limits(max_connections=1))
    async with httpx.AsyncClient(transport=transport, timeout=httpx.Timeout(5, pool=0.2, connect=0.1)) as client:
        holder = asyncio.create_task(client.get(f"{echo}/slow"))
        await asyncio.sleep(0.1)
        with pytest.raises(httpx.ConnectTimeout) as caught:
            await client.get(f"{echo}/ping")
        holder.cancel()
    assert isinstance(caught.value, NEVER_SENT)


async def test_a_connection_dropped_after_the_request_may_have_been_sent():
    received = asyncio.Event()

    async def drop_after_request(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        received.set()
        writer.close()  # no response: the server had the request and went away

    server = await asyncio.start_server(drop_after_request, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with httpx.AsyncClient(transport=AiohttpTransport(), timeout=5) as client:
            with pytest.raises(httpx.TransportError) as caught:
                await client.post(f"http://127.0.0.1:{port}/", json={"to": "1"})
    finally:
        server.close()
    assert received.is_set()
    assert not isinstance(caught.value, NEVER_SENT)
    assert isinstance(caught.value, httpx.RemoteProtocolError)


async def test_closing_the_client_closes_the_session(echo):
    transport = AiohttpTransport()
    client = httpx.AsyncClient(transport=transport)
    await client.get(f"{echo}/ping")
    session = transport._session
    await client.aclose()
    assert session.closed
