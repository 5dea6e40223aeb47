"""Read-only WebSocket commands (VIEWER): ping, filters, snapshot, history, customer document, resume."""
from __future__ import annotations

import logging
from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from handlers.notifications import load_history
from handlers.ws_commands import Arguments, CommandContext, Reply, command
from handlers.ws_replay import resume, sequence_number
from runtime.db import QUERIES
from runtime.hub import reply
from runtime.metrics_map import metrics_map
from runtime.services import Services

log = logging.getLogger("mawid.ws")

END_OF_DAY = time(23, 59, 59, 999999)


class NoArguments(Arguments):
    pass


class FilterArguments(Arguments):
    """Sent at the top level as `filters`: {updateTypes|update_types, entityIds|entity_ids} (lists of strings)."""


class NotificationsArguments(Arguments):
    limit: Any = None


class DocumentArguments(Arguments):
    wa_id: Any = None


class SubscribeArguments(Arguments):
    types: Any = None


class ResumeArguments(Arguments):
    since: Any = None


@command("ping", schema=NoArguments)
async def ping(ctx: CommandContext, message: dict[str, Any], data: dict[str, Any]) -> Reply:
    return reply("pong", seq=ctx.hub.last_seq)


@command("set_filter", schema=FilterArguments)
async def set_filter(ctx: CommandContext, message: dict[str, Any], data: dict[str, Any]) -> Reply:
    filters = message.get("filters")
    ctx.conn.set_filter(filters if isinstance(filters, dict) else {})
    return reply("filter_ack")


async def vacation_list(services: Services) -> list[dict[str, Any]]:
    """Spec 40 §8.1: start of the first day and end of the last day, in the business time zone."""
    zone = ZoneInfo(services.config.timezone)
    fallback = services.config.vacation_message
    rows = await services.require_pool().fetch(QUERIES.realtime_vacation_periods)
    periods = []
    for row in rows:
        if row["end_date"] is None:
            continue
        periods.append({
            "start": datetime.combine(row["start_date"], time(0), zone).isoformat(),
            "end": datetime.combine(row["end_date"], END_OF_DAY, zone).isoformat(),
            "title": row["title"] or fallback,
        })
    return periods


@command("get_snapshot", schema=NoArguments)
async def get_snapshot(ctx: CommandContext, message: dict[str, Any], data: dict[str, Any]) -> Reply:
    seq = ctx.hub.last_seq  # taken first: the snapshot reflects at least every event up to it
    try:
        vacations = await vacation_list(ctx.services)
    except Exception:
        log.exception("snapshot: could not read vacations")
        vacations = []
    try:
        metrics = metrics_map()
    except Exception:
        log.exception("snapshot: could not read metrics")
        metrics = {}
    return reply("snapshot", {"vacations": vacations, "metrics": metrics}, seq=seq)


def _limit(message: dict[str, Any], data: dict[str, Any]) -> int:
    raw = data.get("limit") or message.get("limit")  # a falsy data.limit falls back, as in the reference
    try:
        return int(raw)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a JSON Infinity
        return 100


@command("get_notifications", schema=NotificationsArguments)
async def get_notifications(ctx: CommandContext, message: dict[str, Any], data: dict[str, Any]) -> Reply:
    try:
        items = await load_history(ctx.services.require_pool(), _limit(message, data))
    except Exception:
        log.exception("could not load notification history")
        return reply("notifications_history", {"items": []}, error="failed_to_load")
    return reply("notifications_history", {"items": items})


@command("get_customer_document", schema=DocumentArguments, aliases=("get_document", "get_customer_doc"))
async def get_customer_document(ctx: CommandContext, message: dict[str, Any], data: dict[str, Any]) -> Reply:
    raw = data.get("wa_id") or message.get("wa_id") or message.get("waId")
    wa_id = str(raw) if raw else ""
    if not wa_id:
        return reply("ignored")
    try:
        document = await ctx.services.require_pool().fetchval(QUERIES.realtime_customer_document, wa_id)
    except Exception:
        log.exception("could not load a customer document")
        document = None
    return reply("customer_document_updated", {"wa_id": wa_id, "document": document})


@command("subscribe", schema=SubscribeArguments)
async def subscribe(ctx: CommandContext, message: dict[str, Any], data: dict[str, Any]) -> Reply:
    """Mawid addition: opt in to broadcasts the reference never sends (`metrics_updated`)."""
    subscribed = ctx.conn.subscribe(data.get("types", message.get("types")))
    return reply("subscribe_ack", {"types": sorted(subscribed)})


@command("resume", schema=ResumeArguments)
async def resume_command(ctx: CommandContext, message: dict[str, Any], data: dict[str, Any]) -> Reply | None:
    """Mawid addition: catch up from a sequence number without reconnecting (docs/realtime.md)."""
    since = sequence_number(data.get("since", message.get("since")))
    if since is None:
        return reply("resync", {"reason": "unknown_sequence", "seq": ctx.hub.last_seq})
    ctx.conn.floor = 0
    await resume(ctx.services, ctx.hub, ctx.conn, since)
    return None
