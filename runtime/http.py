"""Cross-cutting HTTP behaviour, as aiohttp middlewares.

Order (outermost first): metrics → request id → CORS → in-flight limit → gzip →
JSON errors. Metrics time the whole stack; errors are turned into JSON innermost
so the layers above see an ordinary response.
"""
from __future__ import annotations

import asyncio
import itertools
import logging
import re
import secrets
import time
from typing import Awaitable, Callable

import asyncpg
from aiohttp import web
from aioprometheus import Counter

from runtime.actor_system import ActorSystemStopped, MailboxFull
from runtime.config import Config
from runtime.config_values import web_origin
from runtime.db import DATABASE_UNAVAILABLE
from runtime.logs import request_id_var
from runtime.metrics import REGISTRY, REQUESTS
from runtime.routes import error_response

log = logging.getLogger("mawid.http")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]

REFUSED = Counter("http_requests_refused_total", "Requests refused to protect the process, by reason",
                  registry=REGISTRY)

GZIP_MIN_BYTES = 500
ALLOWED_METHODS = "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"


class ServiceBusy(Exception):
    """Raised where work is refused to protect the process (full mailbox, saturated pool)."""


def route_template(request: web.Request) -> str:
    """The metrics `endpoint` label: the route template, so ids do not explode cardinality."""
    info = request.match_info
    if info.http_exception is not None or info.route.resource is None:
        return "<unmatched>"
    return info.route.resource.canonical


@web.middleware
async def metrics_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    started = time.perf_counter()
    status = 500
    try:
        response = await handler(request)
        status = response.status
        return response
    except web.HTTPException as exc:
        status = exc.status
        raise
    finally:
        if not isinstance(request.get("ws"), web.WebSocketResponse):
            REQUESTS.record(request.method, route_template(request), str(status), time.perf_counter() - started)


# A caller's id is kept (it ties our log lines to theirs) when it looks like an id: anything longer or
# stranger would be reflected into every log line and response, so it is replaced by one of ours.
_REQUEST_ID = re.compile(r"[A-Za-z0-9._:-]{1,128}")


# Ours: 32 hex digits, a random half per process and a counter (unique without a uuid4's urandom per request).
_ID_PREFIX = secrets.token_hex(8)
_ID_SEQUENCE = itertools.count(1)


def request_id_of(request: web.Request) -> str:
    given = request.headers.get("X-Request-ID", "")
    if given and _REQUEST_ID.fullmatch(given):
        return given
    return f"{_ID_PREFIX}{next(_ID_SEQUENCE) & 0xFFFFFFFFFFFFFFFF:016x}"


@web.middleware
async def request_id_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    request_id = request_id_of(request)
    token = request_id_var.set(request_id)
    try:
        response = await handler(request)
        if not response.prepared:
            response.headers["X-Request-ID"] = request_id
        return response
    finally:
        request_id_var.reset(token)


@web.middleware
async def error_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    """Every failure becomes JSON with `detail` and `message`; never a traceback."""
    try:
        return await handler(request)
    except web.HTTPException as exc:
        if exc.status < 400 or exc.content_type == "application/json":
            raise
        detail = {404: "Not Found", 405: "Method Not Allowed"}.get(exc.status, exc.reason)
        if exc.status == 413:
            detail = "Request body is too large"
        # Keep what the exception says in headers (Allow on a 405); its text/plain body headers do not apply.
        kept = {k: v for k, v in exc.headers.items() if k.lower() not in ("content-type", "content-length")}
        return error_response(exc.status, detail, headers=kept)
    except (ServiceBusy, MailboxFull, asyncpg.TooManyConnectionsError) as exc:
        return _unavailable(f"Service busy: {exc}", retry_after=1)
    except ActorSystemStopped:
        return _unavailable("The service is shutting down; retry shortly", retry_after=2)
    except DATABASE_UNAVAILABLE as exc:
        log.warning("dependency unavailable: %s", exc)
        return _unavailable("A dependency is unavailable; retry shortly", retry_after=5)
    except TimeoutError:
        return _unavailable("The request timed out; retry shortly", retry_after=2)
    except asyncio.CancelledError:
        raise
    except Exception:
        log.exception("unhandled error in %s %s", request.method, request.path)
        return error_response(500, "Internal Server Error")


def _unavailable(detail: str, retry_after: int) -> web.Response:
    response = error_response(503, detail)
    response.headers["Retry-After"] = str(retry_after)
    return response


# Not counted by the in-flight limit: probes and scrapes must answer under load, the webhook only
# writes the durable queue (Meta must keep being answered), and a WebSocket lives for hours.
UNLIMITED_PATHS = frozenset({"/healthz", "/readyz", "/metrics", "/webhook", "/ws"})


def inflight_limit_middleware(limit: int) -> Callable:
    """At most `limit` requests in the handlers at once; the excess is refused at once (503 +
    Retry-After) instead of queueing for the pool without bound."""
    active = 0

    @web.middleware
    async def inflight_limit(request: web.Request, handler: Handler) -> web.StreamResponse:
        nonlocal active
        if limit <= 0 or request.path in UNLIMITED_PATHS or request.method == "OPTIONS":
            return await handler(request)
        if active >= limit:
            REFUSED.inc({"reason": "inflight_limit"})
            return _unavailable(f"Service busy: {limit} requests already in progress; retry shortly", retry_after=1)
        active += 1
        try:
            return await handler(request)
        finally:
            active -= 1

    return inflight_limit


def allowed_origins(config: Config) -> frozenset[str]:
    """Outside development: APP_URL's origin and CORS_ORIGINS, nothing else. Unlike the reference, no
    localhost ports and never `null` (sandboxed frames and file:// pages send it): with credentials
    allowed, any page able to send them would act as the signed-in user (docs/decisions.md)."""
    origins = set(config.cors_origins)
    if config.app_url:
        try:
            origins.add(web_origin(config.app_url))
        except ValueError:
            log.warning("APP_URL %r is not an http(s) URL; it is not added to the CORS allow-list", config.app_url)
    return frozenset(origins)


def origin_checker(config: Config) -> Callable[[str], bool]:
    """Whether a request's `Origin` may act with credentials (CORS, cookie-authenticated WebSockets)."""
    if config.is_development:
        return lambda origin: True  # the reference's development mode: any origin is echoed back
    allowed = allowed_origins(config)
    return lambda origin: origin.lower() in allowed


def cors_middleware(config: Config) -> Callable:
    origin_allowed = origin_checker(config)

    @web.middleware
    async def cors(request: web.Request, handler: Handler) -> web.StreamResponse:
        origin = request.headers.get("Origin")
        preflight = request.method == "OPTIONS" and "Access-Control-Request-Method" in request.headers
        if preflight and origin:
            if not origin_allowed(origin):
                return web.Response(status=400, text="Disallowed CORS origin")
            return web.Response(status=200, text="OK", headers={
                "Access-Control-Allow-Origin": origin,
                "Access-Control-Allow-Credentials": "true",
                "Access-Control-Allow-Methods": ALLOWED_METHODS,
                "Access-Control-Allow-Headers": request.headers.get("Access-Control-Request-Headers", "*"),
                "Access-Control-Max-Age": "600",
                "Vary": "Origin",
            })
        response = await handler(request)
        if origin and origin_allowed(origin) and not response.prepared:
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Allow-Credentials"] = "true"
            response.headers["Vary"] = "Origin"
        return response

    return cors


@web.middleware
async def gzip_middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    if (
        isinstance(response, web.Response)
        and not response.prepared
        and response.body is not None
        and len(response.body) >= GZIP_MIN_BYTES
        and "gzip" in request.headers.get("Accept-Encoding", "")
    ):
        response.enable_compression(web.ContentCoding.gzip)
        response.headers["Vary"] = "Accept-Encoding"
    return response


def middlewares(config: Config, auth_middleware: Callable) -> list[Callable]:
    # The limit sits inside CORS so a browser can read its 503.
    return [metrics_middleware, request_id_middleware, cors_middleware(config),
            inflight_limit_middleware(config.max_inflight_requests), gzip_middleware, error_middleware,
            auth_middleware]
