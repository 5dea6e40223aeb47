"""`/ws`: the dashboards' WebSocket (spec 40), on aiohttp's own `WebSocketResponse`.

The upgrade needs an authenticated user (cookie, Bearer header or `?token=`);
without one the route answers 401 before any upgrade. The socket then keeps
re-checking its account and closes with 4401 when the token expires or the
account is disabled or changed (handlers/ws_session.py). `tab` ids are per account. `tab` keeps one connection
per browser tab (the older one is closed with 1000, as the reference does);
`since` replays the events a reconnecting client missed (docs/realtime.md).
Frames of one connection are handled strictly one after another; every frame
sent goes through the connection's bounded queue (runtime/hub.py).
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import warnings
from typing import AsyncIterator
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from aiohttp.web_exceptions import NotAppKeyWarning

from handlers import ws_reads, ws_writes  # noqa: F401  (they register the commands)
from handlers.ws_commands import CommandContext, handle_frame
from handlers.ws_replay import resume, sequence_number, with_seq
from handlers.ws_session import close_expired, recheck, watch_accounts
from runtime.auth import CLAIMS_KEY
from runtime.bus import Event
from runtime.db import DATABASE_UNAVAILABLE, QUERIES
from runtime.http import origin_checker
from runtime.hub import Hub, reply
from runtime.metrics_map import metrics_map
from runtime.routes import USER, Role, Route, error_response
from runtime.services import SERVICES, Services
from runtime.write_barrier import BARRIER, client_key

log = logging.getLogger("mawid.ws")

HUB_KEY = "realtime"  # services.extras key
HEARTBEAT_SECONDS = 20.0  # protocol ping; a peer silent for 10 s more is dead (well under nginx's 300 s)
METRICS_PERIOD = 5.0
SWEEP_PERIOD = 1.0
LOG_CHECK_PERIOD = 3.0
MAX_FRAME_BYTES = 16 * 1024 * 1024
QUEUE_LIMIT = 1024  # frames waiting for one client; beyond this it is dropped (1013) and catches up by replay
WRITE_TIMEOUT = 10.0  # one write stuck this long drops the client (1011)


def hub_of(services: Services) -> Hub:
    return services.extras[HUB_KEY]


def _since(request: web.Request) -> int | None:
    raw = request.query.get("since", "").strip()
    if not raw:
        return None
    since = sequence_number(raw)
    return 0 if since is None else since  # unusable: 0, so the client is told to resync


def origin_refused(request: web.Request, config) -> bool:
    """Cross-site WebSocket hijacking guard (spec 40 Q18): a socket authenticated by the ambient
    cookie must come from an allowed origin. Token-authenticated sockets carry their credential
    explicitly and are not exposed; development mode allows any origin, as CORS does."""
    origin = request.headers.get("Origin")
    if request[USER].via != "cookie" or not origin or config.is_development:
        return False
    same_host = urlsplit(origin).netloc == request.host
    return not origin_checker(config)(origin) and not same_host


async def websocket(request: web.Request) -> web.StreamResponse:
    services = request.app[SERVICES]
    if origin_refused(request, services.config):
        return error_response(403, "WebSocket origin not allowed")
    hub = hub_of(services)
    ws = web.WebSocketResponse(heartbeat=HEARTBEAT_SECONDS, compress=False, max_msg_size=MAX_FRAME_BYTES)
    with warnings.catch_warnings():  # the key the HTTP metrics middleware checks is a plain string
        warnings.simplefilter("ignore", NotAppKeyWarning)
        request["ws"] = ws  # sockets are not timed as HTTP requests
    if not ws.can_prepare(request).ok:
        return web.json_response({"detail": "Expected a WebSocket upgrade", "message": "Expected a WebSocket upgrade"},
                                  status=400)
    await ws.prepare(request)
    conn = hub.connect(ws, request, request.query.get("tab"), request[USER])
    conn.claims = request.get(CLAIMS_KEY)
    ctx = CommandContext(services, hub, conn, request[USER], request.app[BARRIER], client_key(request[USER], request))
    # Opt-in types named on the upgrade (`subscribe=a,b`) hold for the replay below too: a `subscribe`
    # frame is read only after it, so an opt-in event missed while away would otherwise be filtered out.
    conn.subscribe(request.query.get("subscribe", "").split(","))
    try:
        since = _since(request)
        if since is not None:
            await resume(services, hub, conn, since)
        while not conn.closed:
            message = await ws.receive()
            if message.type is WSMsgType.TEXT:
                await handle_frame(ctx, message.data)
            elif message.type is WSMsgType.BINARY:
                conn.send_json(reply("ignored"))  # unusable frame: answered, connection kept (Quirk Q14)
            else:
                break
    finally:
        hub.disconnect(conn)
        if not ws.closed:  # with the hub's code if it dropped the socket (a 1000 would end reconnects)
            with contextlib.suppress(Exception):
                await ws.close(code=conn.close_code)
    return ws


async def _check_log(services: Services, hub: Hub) -> None:
    """Events logged but never received on the bus (lost while Redis reconnected) are delivered
    from the log even when no later event arrives to reveal the gap."""
    try:
        async with services.require_pool().acquire() as conn:
            bounds = await conn.fetchrow(QUERIES.realtime_oldest_seq)
    except DATABASE_UNAVAILABLE as exc:
        # Expected while PostgreSQL is down (every 3 s): one line, no traceback; /readyz reports the outage.
        log.warning("could not check the event log's position: %s: %s", type(exc).__name__, exc)
        return
    except Exception:
        log.warning("could not check the event log's position", exc_info=True)
        return
    newest = bounds["newest"] or 0
    if newest > hub.last_seq and newest == hub.pending_newest:
        hub.catch_up(newest)  # seen twice in a row: not an event still on its way over the bus
    hub.pending_newest = newest


async def _housekeeping(services: Services, hub: Hub) -> None:
    """Sweep stuck writers and expired tokens every second; push `metrics_updated` every 5 s (spec 40
    §10.1) to the connections that subscribed to it; check the event log for events this process
    missed every few seconds; re-check every socket's account as often as the account cache expires
    (a lost change announcement)."""
    loop = asyncio.get_running_loop()
    next_metrics = loop.time() + METRICS_PERIOD
    next_check = loop.time() + LOG_CHECK_PERIOD
    next_accounts = loop.time() + services.config.account_cache_seconds
    while True:
        await asyncio.sleep(SWEEP_PERIOD)
        now = loop.time()
        hub.sweep(now)
        close_expired(hub)
        if now >= next_accounts:
            next_accounts = now + services.config.account_cache_seconds
            try:
                await recheck(hub, services.accounts)
            except Exception:
                log.warning("could not re-check the sockets' accounts", exc_info=True)
        if now >= next_check:
            next_check = now + LOG_CHECK_PERIOD
            await _check_log(services, hub)
        if now >= next_metrics:
            next_metrics = now + METRICS_PERIOD
            if any("metrics_updated" in conn.opted_in for conn in hub.connections):
                try:
                    # Per process, not sequenced: each process reports its own registry to its own clients.
                    hub.dispatch(Event("metrics_updated", {"metrics": metrics_map()}))
                except Exception:
                    log.exception("metrics push failed")


async def missed_events(services: Services, after: int, before: int) -> list[dict]:
    async with services.require_pool().acquire() as conn:
        rows = await conn.fetch(QUERIES.realtime_events_between, after, before)
    return [with_seq(row) for row in rows]


async def realtime_context(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    hub = Hub(queue_limit=QUEUE_LIMIT, write_timeout=WRITE_TIMEOUT)
    services.extras[HUB_KEY] = hub
    try:
        async with services.require_pool().acquire() as conn:
            bounds = await conn.fetchrow(QUERIES.realtime_oldest_seq)
        hub.last_seq = bounds["newest"] or 0
    except Exception:
        log.exception("could not read the event log's position")
    hub.fetch_missing = lambda after, before: missed_events(services, after, before)
    unsubscribe = services.bus.subscribe(hub.dispatch) if services.bus is not None else (lambda: None)
    unwatch = watch_accounts(hub, services.accounts)
    task = asyncio.create_task(_housekeeping(services, hub), name="realtime-housekeeping")
    yield
    unwatch()
    unsubscribe()
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await hub.close_all()


async def close_sockets(app: web.Application) -> None:
    hub = app[SERVICES].extras.get(HUB_KEY)
    if hub is not None:
        await hub.close_all()


ROUTES = [
    Route("GET", "/ws", websocket, Role.VIEWER, summary="Realtime WebSocket (spec 40; docs/realtime.md)",
          tags=("realtime",)),
]


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(realtime_context)
    app.on_shutdown.append(close_sockets)
