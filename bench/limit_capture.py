"""The statements each read route sends, captured from the route itself (bench_limit's first step).

    python bench/limit_capture.py ROOT DATABASE_URL ROUTES_JSON OUT_PICKLE

Runs the app of the checkout at ROOT in this process on DATABASE_URL, with asyncpg's query logger on every
connection its pools open. Each route is requested three times (warm-up: pools, caches, snapshots); the
statements the third request sent, with their arguments and the session settings of the connection that ran
them and which connection ran them (a route may use several at once), and the route's JSON answer are written
to OUT_PICKLE for the replay.
"""
from __future__ import annotations

import asyncio
import contextvars
import json
import pickle
import sys

ROUTE = contextvars.ContextVar("bench_route", default=None)
HEADER = "X-Bench-Route"
# asyncpg's own statements on a connection's first use of a type (not the route's, and not repeated)
ASYNCPG_INTROSPECTION = ("WITH RECURSIVE typeinfo_tree", "current_setting('jit') AS cur")


async def capture(database_url: str, routes: list[dict], secret: str, user_id: str) -> dict:
    from aiohttp import web
    from aiohttp.test_utils import TestClient, TestServer

    import runtime.db
    from handlers.app import create_app
    from runtime.config import load_config
    from runtime.routes import Role
    from runtime.services import SERVICES

    sent: dict[str, list] = {}
    plain_init = runtime.db._init_connection

    def record(entry, session: int) -> None:
        label = ROUTE.get()  # the logger runs in a copy of the context of the task that sent the statement
        if label is not None and not any(mark in entry.query for mark in ASYNCPG_INTROSPECTION):
            settings = dict(getattr(entry.conn_params, "server_settings", None) or {})
            sent.setdefault(label, []).append((entry.query, tuple(entry.args or ()), settings, session))

    async def logged_init(conn) -> None:
        await plain_init(conn)
        conn.add_query_logger(lambda entry, session=id(conn): record(entry, session))

    runtime.db._init_connection = logged_init  # every pool connection the app opens from now on

    @web.middleware
    async def label_requests(request, handler):
        token = ROUTE.set(request.headers.get(HEADER))
        try:
            return await handler(request)
        finally:
            ROUTE.reset(token)

    config = load_config({"DATABASE_URL": database_url, "JWT_SECRET": secret, "LOG_LEVEL": "WARNING",
                          "LOG_FORMAT": "text", "SCHEDULER_ENABLED": "false", "ACCESS_TOKEN_TTL": "86400"})
    app = create_app(config)
    app.middlewares.append(label_requests)
    token = app[SERVICES].tokens.issue(user_id, "bench-limit@example.com", Role.STAFF)
    captured: dict[str, dict] = {}
    async with TestClient(TestServer(app), headers={"Authorization": f"Bearer {token}"}) as client:
        for route in routes:
            for _attempt in range(3):
                sent.pop(route["label"], None)
                response = await client.get(route["path"], params=route["params"],
                                            headers={HEADER: route["label"]})
                body = await response.read()
                assert response.status == 200, (route, response.status, body[:500])
                while app[SERVICES].jobs is not None and app[SERVICES].jobs.active_count:
                    await asyncio.sleep(0.05)  # work a request started off its path (a /stats snapshot)
                await asyncio.sleep(0.01)  # the query loggers are called soon after each statement
            captured[route["label"]] = {"statements": sent.get(route["label"], []), "payload": json.loads(body)}
    return captured


def main() -> None:
    root, database_url, routes_json, out = sys.argv[1:5]
    sys.path.insert(0, root)
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    routes = json.loads(routes_json)
    captured = asyncio.run(capture(database_url, routes["routes"], routes["secret"], routes["user"]))
    with open(out, "wb") as handle:
        pickle.dump(captured, handle)


if __name__ == "__main__":
    main()
