"""Authentication and users: login, refresh, logout, registration, `/users/*`, and the first admin."""
from __future__ import annotations

import logging
from typing import AsyncIterator

from aiohttp import web

from actors.accounts.first_admin import ensure_first_admin, login_instructions
from handlers.auth import tokens, users
from runtime.routes import register
from runtime.services import SERVICES

log = logging.getLogger("mawid.auth")

ROUTES = [*tokens.ROUTES, *users.ROUTES]


async def first_admin_context(app: web.Application) -> AsyncIterator[None]:
    created = await ensure_first_admin(app[SERVICES].require_pool())
    if created is not None:
        text = login_instructions(*created)
        print(text, flush=True)  # the operator reads the console; the log may go to a collector
        log.warning("created the first admin %s; its one-time password was printed to stdout", created[0].email)
    yield


def setup(app: web.Application) -> None:
    config = app[SERVICES].config
    register(app, [users.register_route(config.allow_user_registration)])
    app.cleanup_ctx.append(first_admin_context)
