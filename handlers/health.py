"""Liveness, readiness and the Prometheus scrape endpoint."""
from __future__ import annotations

import asyncio

from aiohttp import web
from aioprometheus import Gauge

from runtime.metrics import REGISTRY, exposition
from runtime.migrate import pending
from runtime.routes import Role, Route, json_response, register
from runtime.services import SERVICES

LOOP_TASKS = Gauge("mawid_event_loop_tasks", "asyncio tasks alive in this process (at scrape time)",
                   registry=REGISTRY)


async def healthz(request: web.Request) -> web.Response:
    return json_response({"status": "ok"})


async def readyz(request: web.Request) -> web.Response:
    """Ready when the database answers and every migration is applied.

    The event bus is reported but does not decide readiness: without Redis this process still
    serves its own clients (in-process delivery), so it stays in rotation with `status: degraded`.
    """
    services = request.app[SERVICES]
    pool = services.pool
    checks: dict[str, str] = {}
    try:
        async with pool.acquire(timeout=2) as conn:
            missing = await pending(conn)
        checks["database"] = "ok"
        checks["migrations"] = "ok" if not missing else f"{len(missing)} pending"
    except Exception as exc:  # any failure to reach the database means "not ready"
        checks["database"] = f"unreachable: {type(exc).__name__}"
    ready = all(value == "ok" for value in checks.values())
    status = "ready" if ready else "not ready"
    if services.bus is not None and services.config.redis_url:  # only with cross-process fan-out
        checks["bus"] = services.bus.health()
        if ready and checks["bus"] != "ok":
            status = "degraded"
    return json_response({"status": status, "checks": checks}, status=200 if ready else 503)


async def metrics(request: web.Request) -> web.Response:
    LOOP_TASKS.set({}, len(asyncio.all_tasks()))  # read at scrape time: a leak shows as a rising line
    body, headers = exposition(request.headers.getall("Accept", []))
    return web.Response(body=body, headers=headers)


def _metrics_route() -> Route:
    return Route("GET", "/metrics", metrics, None, summary="Prometheus metrics", tags=("operations",))


ROUTES = [
    Route("GET", "/healthz", healthz, None, summary="Liveness", tags=("operations",)),
    Route("GET", "/readyz", readyz, None, summary="Readiness: database reachable and migrated", tags=("operations",)),
]


def setup(app: web.Application) -> None:
    # /metrics is public unless METRICS_PUBLIC=false, then it needs an admin.
    config = app[SERVICES].config
    route = _metrics_route()
    if not config.metrics_public:
        route = Route(route.method, route.path, route.handler, Role.ADMIN, summary=route.summary, tags=route.tags)
    register(app, [route])
