"""`GET /notifications`: the persisted notification history (spec 40 §9, spec 10 §3.8).

The same reader serves the WebSocket `get_notifications` command.
"""
from __future__ import annotations

import json
import logging
from typing import Any

import asyncpg
from aiohttp import web
from pydantic import BaseModel, Field

from runtime.db import DATABASE_UNAVAILABLE, QUERIES
from runtime.events import HISTORY_LIMIT
from runtime.routes import QUERY, Role, Route, json_response, success_json_response
from runtime.services import SERVICES

log = logging.getLogger("mawid.notifications")


def clamp_limit(value: int) -> int:
    """At most the 100 kept; 0 (or less, from the WebSocket) asks for none (the reference gave one)."""
    return max(0, min(HISTORY_LIMIT, value))


async def history_json(pool: asyncpg.Pool, limit: int) -> str:
    """The history as a JSON array, newest first, assembled by PostgreSQL; `timestamp` is the stored envelope
    timestamp, byte-identical to the live one."""
    return await pool.fetchval(QUERIES.recent_notification_events_json, clamp_limit(limit))


async def load_history(pool: asyncpg.Pool, limit: int) -> list[dict[str, Any]]:
    """The same history as objects, for the WebSocket's reply."""
    return json.loads(await history_json(pool, limit))


class NotificationsQuery(BaseModel):
    limit: int = Field(HISTORY_LIMIT, ge=0, le=2**31 - 1,
                       description=f"how many, newest first: 0 for none, at most {HISTORY_LIMIT}")


async def notifications(request: web.Request) -> web.Response:
    try:
        # Passed on as PostgreSQL assembles it: no stored payload is decoded to be encoded again.
        items = await history_json(request.app[SERVICES].require_pool(), request[QUERY].limit)
    except DATABASE_UNAVAILABLE:
        raise  # a JSON 503 with Retry-After from the error middleware: the client may retry
    except Exception:
        log.exception("could not load notification history")
        return json_response({"success": False, "message": "failed_to_load"}, status=500)
    return success_json_response(items.encode("utf-8"))


ROUTES = [
    Route("GET", "/notifications", notifications, Role.VIEWER, query=NotificationsQuery,
          summary="Notification history, newest first (at most 100)", tags=("realtime",)),
]
