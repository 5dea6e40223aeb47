"""What the customer routes share: the envelope, the business clock, actor addressing and failures."""
from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any, Awaitable, Callable
from zoneinfo import ZoneInfo

import asyncpg
from aiohttp import web

from actors.conversation.actor import ConversationActor
from actors.conversation.messages import CustomerRefusal
from actors.customers.texts import text
from runtime.actor_system import ActorRef
from runtime.routes import json_response
from runtime.services import SERVICES, Services

log = logging.getLogger("mawid.customers")

# Failures of the database itself; the reference answers these with its own envelopes, not a 500 page.
DATABASE_ERRORS = (asyncpg.PostgresError, asyncpg.InterfaceError, OSError)


def services_of(request: web.Request) -> Services:
    return request.app[SERVICES]


def today(request: web.Request) -> date:
    return datetime.now(ZoneInfo(services_of(request).config.timezone)).date()


def customer(request: web.Request, wa_id: str) -> ActorRef:
    return services_of(request).actors.ref(ConversationActor, wa_id)


def envelope(success: bool, data: Any = None, message: str | None = None, status: int = 200) -> web.Response:
    """The reference's service envelope: `data` and `message` only when set."""
    body: dict[str, Any] = {"success": success}
    if data is not None:
        body["data"] = data
    if message is not None:
        body["message"] = message
    return json_response(body, status)


async def guarded(
    work: Callable[[], Awaitable[web.Response]], failure: Callable[[], web.Response], what: str
) -> web.Response:
    """Run a route's work; a database failure becomes the reference's failure envelope (logged)."""
    try:
        return await work()
    except CustomerRefusal as refusal:
        return json_response(refusal.body, refusal.status)
    except DATABASE_ERRORS:
        log.exception("%s failed", what)
        return failure()


def secretary_failure() -> web.Response:
    return envelope(False, message=text("system_error_contact_secretary"))


def try_later_failure() -> web.Response:
    return envelope(False, message=text("system_error_try_later"))
