"""Serving the app: aiohttp's runner and TCP site, with malformed HTTP answered like any other bad input.

A request aiohttp's parser rejects (a request line or header over 8 KB, a header that is not a token, an
unknown method, a bad Content-Length or chunk size) never reaches the app or its middlewares: aiohttp answers
a text/plain 400 itself and logs the parser's traceback at ERROR, one per request, for anyone to fill the log
with. Here it is a JSON 400 naming the problem (as every other 4xx) and one INFO line.
"""
from __future__ import annotations

import asyncio
import logging
import signal

from aiohttp import web
from aiohttp.http_exceptions import BadHttpMethod, HttpProcessingError

from runtime.routes import json_bytes

log = logging.getLogger("mawid.http")


def malformed_reason(exc: HttpProcessingError) -> str:
    """What was wrong, without the bytes the client sent (the parser quotes them): "Invalid header token"."""
    text = (exc.message or "").strip().splitlines()
    return text[0].split(": ", 1)[0].rstrip(":.") if text else "malformed request"


class _Connection(web.RequestHandler):
    __slots__ = ()

    def handle_error(self, request: web.BaseRequest, status: int = 500, exc: BaseException | None = None,
                     message: str | None = None) -> web.StreamResponse:
        if not isinstance(exc, HttpProcessingError) or status >= 500 or request.writer.output_size > 0:
            return super().handle_error(request, status, exc, message)
        reason = malformed_reason(exc)
        # A first request that is not HTTP at all (TLS or a port scan on the HTTP port) is routine on the internet.
        level = logging.DEBUG if isinstance(exc, BadHttpMethod) else logging.INFO
        log.log(level, "malformed HTTP request from %s: %s", request.remote, reason)
        text = f"malformed HTTP request: {reason}"
        response = web.Response(status=status, body=json_bytes({"detail": text, "message": text}),
                                content_type="application/json", charset="utf-8")
        response.force_close()  # the parser cannot tell where the next request would start
        return response


class _Server(web.Server):
    def __call__(self) -> web.RequestHandler:
        return _Connection(self, loop=self._loop, **self._kwargs)


class AppRunner(web.AppRunner):
    """aiohttp's AppRunner (startup, shutdown, handler arguments) whose connections are `_Connection`s."""

    async def _make_server(self) -> web.Server:
        server = await super()._make_server()
        server.__class__ = _Server  # the server as aiohttp built it for the app; only its connections differ
        return server


def run(app: web.Application, *, host: str, port: int, reuse_port: bool | None, shutdown_timeout: float) -> None:
    """Serve `app` until SIGINT or SIGTERM, then stop as `web.run_app` does: stop listening, finish the requests
    in flight (up to `shutdown_timeout`), run the app's shutdown and cleanup while its tasks still run."""

    async def serve() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
        runner = AppRunner(app, access_log=None, shutdown_timeout=shutdown_timeout)
        await runner.setup()
        try:
            await web.TCPSite(runner, host, port, reuse_port=reuse_port).start()
            await stop.wait()
        finally:
            await runner.cleanup()

    asyncio.run(serve())
