"""An httpx transport on aiohttp's client: httpx's API and errors, aiohttp's cheaper connection pool.

httpx's own transport (httpcore over anyio) spends about 3 ms of CPU per request at a few
dozen concurrent requests, mostly scanning its pool and entering cancel scopes; aiohttp's
connector takes a fraction of that (bench/bench_http_transport.py). A turn makes three
calls (typing indicator, LLM, reply), so this is a good part of a turn's CPU.

Callers keep httpx semantics, errors included, and the mapping is strict about one thing
the WhatsApp sender relies on: a request that certainly never left this process raises
`httpx.ConnectError`, `httpx.ConnectTimeout` or `httpx.PoolTimeout`; anything that fails
after the request may have been written (a read timeout, a dropped connection, a broken
response) raises a read-side error, so the send is treated as possibly accepted.
Responses are read whole inside the transport (Graph answers are small JSON), so the read
timeout covers the body too. Streaming request bodies are read before sending.
"""
from __future__ import annotations

import aiohttp
import httpx

DEFAULT_LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=20)


def _client_timeout(timeout: dict[str, float | None]) -> aiohttp.ClientTimeout:
    """httpx's four timeouts as aiohttp's: `connect` there covers waiting for the pool and connecting."""
    pool, connect = timeout.get("pool"), timeout.get("connect")
    return aiohttp.ClientTimeout(total=None, connect=None if pool is None or connect is None else pool + connect,
                                 sock_connect=connect, sock_read=timeout.get("read"))


def _mapped(exc: BaseException, request: httpx.Request) -> httpx.TransportError:
    message = str(exc) or type(exc).__name__
    if isinstance(exc, aiohttp.ConnectionTimeoutError):  # waiting for the pool or connecting: nothing was sent
        return httpx.ConnectTimeout(message, request=request)
    if isinstance(exc, (aiohttp.ServerTimeoutError, TimeoutError)):
        return httpx.ReadTimeout(message, request=request)
    if isinstance(exc, aiohttp.ClientConnectorError):  # refused, unreachable, DNS, TLS handshake
        return httpx.ConnectError(message, request=request)
    if isinstance(exc, (aiohttp.ServerDisconnectedError, aiohttp.ClientPayloadError, aiohttp.ClientResponseError)):
        return httpx.RemoteProtocolError(message, request=request)
    if isinstance(exc, aiohttp.InvalidURL):
        return httpx.UnsupportedProtocol(message, request=request)
    return httpx.ReadError(message, request=request)  # any other failure may come after the request was written


class AiohttpTransport(httpx.AsyncBaseTransport):
    def __init__(self, limits: httpx.Limits = DEFAULT_LIMITS) -> None:
        self._limits = limits
        self._session: aiohttp.ClientSession | None = None

    def _open_session(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            connector = aiohttp.TCPConnector(limit=self._limits.max_connections or 0, limit_per_host=0,
                                             keepalive_timeout=self._limits.keepalive_expiry or 5.0)
            # No cookie jar, no automatic decompression or redirects: httpx does all of that above us.
            self._session = aiohttp.ClientSession(connector=connector, cookie_jar=aiohttp.DummyCookieJar(),
                                                  auto_decompress=False)
        return self._session

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        session = self._open_session()
        body = await request.aread()  # the bytes already there, or a streamed body read whole
        headers = [(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.headers.raw
                   if k.lower() != b"transfer-encoding"]  # the body is sent whole, with its length
        try:
            async with session.request(request.method, str(request.url), headers=headers, data=body or None,
                                       allow_redirects=False, compress=None,
                                       timeout=_client_timeout(request.extensions.get("timeout", {}))) as response:
                content = await response.read()
                return httpx.Response(response.status, headers=list(response.raw_headers), content=content,
                                      request=request, extensions={"http_version": b"HTTP/1.1",
                                                                   "reason_phrase": (response.reason or "").encode()})
        except (aiohttp.ClientError, TimeoutError) as exc:
            raise _mapped(exc, request) from exc

    async def aclose(self) -> None:
        if self._session is not None:
            await self._session.close()
            self._session = None
