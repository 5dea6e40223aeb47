"""Helpers for the ops tests: running services without HTTP, a fake Graph API, table checksums."""
from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator
from typing import Any

import asyncpg
from aiohttp import web

import handlers.jobs
from runtime.app import base_app
from runtime.config import Config
from runtime.services import SERVICES, Services


@contextlib.asynccontextmanager
async def running_services(config: Config, *, with_scheduler: bool = False) -> AsyncIterator[Services]:
    """The core app's resources (pool, bus, actors), started as `serve` starts them, without a listener."""
    app = base_app(config)
    if with_scheduler:
        handlers.jobs.setup(app)
    runner = web.AppRunner(app)
    await runner.setup()
    services = app[SERVICES]
    try:
        yield services
    finally:
        with contextlib.suppress(ImportError):
            from actors.whatsapp.graph import close_client

            await close_client(services)
        await runner.cleanup()


class FakeGraph:
    """Meta's Graph API messages endpoint on loopback: records bodies, refuses wa_ids listed in `refuse`."""

    TOKEN = "ops-test-token"

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.refuse: set[str] = set()
        self.url = ""
        self._runner: web.AppRunner | None = None

    async def _messages(self, request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {self.TOKEN}":
            return web.json_response({"error": {"message": "bad token", "type": "OAuthException"}}, status=401)
        body = await request.json()
        if body.get("to") in self.refuse:
            return web.json_response({"error": {"message": "recipient not allowed", "type": "OAuthException"}},
                                     status=400)
        self.requests.append(body)
        return web.json_response({"messaging_product": "whatsapp", "contacts": [{"wa_id": body.get("to")}],
                                  "messages": [{"id": f"wamid.ops{len(self.requests)}"}]})

    async def start(self) -> "FakeGraph":
        app = web.Application()
        app.router.add_post("/{version}/{phone}/messages", self._messages)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def env(self) -> dict[str, str]:
        return {"GRAPH_API_URL": self.url, "ACCESS_TOKEN": self.TOKEN, "PHONE_NUMBER_ID": "1065403522",
                "VERSION": "v21.0"}


async def table_fingerprints(url: str) -> dict[str, tuple[int, str]]:
    """Row count and an order-independent checksum of every table's contents in the public schema."""
    conn = await asyncpg.connect(url)
    try:
        tables = [r["tablename"] for r in await conn.fetch(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")]
        result = {}
        for table in tables:
            row = await conn.fetchrow(
                f'SELECT count(*) AS n, md5(coalesce(string_agg(md5(t::text), \'\' ORDER BY md5(t::text)), \'\')) AS h '
                f'FROM "{table}" t')
            result[table] = (row["n"], row["h"])
        return result
    finally:
        await conn.close()
