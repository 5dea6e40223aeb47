"""Replies to inbound messages, recorded once and delivered once.

The reply to queue row N is recorded in one transaction — the assistant's
conversation row, each outbound part under idempotency key `reply:N:<part>`, and
the offline assistant's state — before anything is sent. Reprocessing row N (after
a crash or a retry) finds the recorded parts and only delivers those not yet sent,
so a customer gets exactly one reply per message whatever fails in between — except
when a send's outcome is unknown and Meta never reports the message within
OUTBOUND_IN_DOUBT_GRACE (`actors.whatsapp.in_doubt`): then the part is sent again.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from actors.inbound.queue import RetryLater
from actors.whatsapp.formatting import format_for_whatsapp, split_text
from actors.whatsapp.outbound import REPLY_KEY_PREFIX, send_interactive, send_text
from runtime.db import QUERIES

if TYPE_CHECKING:
    from runtime.services import Services


class ReplyNotDelivered(RuntimeError):
    """A recorded reply part could not be sent; the queue retries the message, which only resends it."""


class ReplyInDoubt(RetryLater):
    """An earlier send of a reply part may have been accepted: wait for its status callback before resending."""


def reply_key(queue_id: int) -> str:
    return f"{REPLY_KEY_PREFIX}{queue_id}:"


def _text_payload(wa_id: str, text: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id, "type": "text",
            "text": {"preview_url": False, "body": text}}


async def recorded_parts(services: "Services", queue_id: int) -> list[dict[str, Any]]:
    rows = await services.require_pool().fetch(QUERIES.whatsapp_outbound_by_key_prefix, reply_key(queue_id))
    return [dict(row) for row in rows]


def _parts(services: "Services", wa_id: str, text: str,
           interactive: dict[str, Any] | None) -> list[tuple[str, dict[str, Any]]]:
    """(kind, payload) of each message of the reply: the text's parts, or one interactive message.

    An interactive message carries its own short body; the reply's text (kept in the conversation)
    goes out as plain text when interactive messages are switched off (WHATSAPP_INTERACTIVE).
    """
    if interactive is not None and services.config.whatsapp_interactive:
        return [("interactive", {"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id,
                                 "type": "interactive", "interactive": interactive})]
    return [("text", _text_payload(wa_id, part)) for part in split_text(format_for_whatsapp(text))]


async def record(services: "Services", wa_id: str, queue_id: int, text: str, *, store_in_conversation: bool,
                 state: dict[str, Any] | None = None,
                 interactive: dict[str, Any] | None = None) -> dict[str, Any] | None:
    """Store the reply (and the dialogue state) atomically; answers the conversation item, if stored."""
    now = datetime.now(ZoneInfo(services.config.timezone)).replace(microsecond=0)
    parts = _parts(services, wa_id, text, interactive)
    item = None
    async with services.require_pool().acquire() as conn, conn.transaction():
        if store_in_conversation:
            await conn.execute(QUERIES.whatsapp_ensure_customer, wa_id, None)
            conversation_id = await conn.fetchval(QUERIES.whatsapp_conversation_insert, wa_id, "assistant", text,
                                                  now.date(), now.time().replace(tzinfo=None))
            item = {"id": conversation_id, "wa_id": wa_id, "role": "assistant", "message": text,
                    "date": now.strftime("%Y-%m-%d"), "time": now.strftime("%H:%M:%S")}
        for index, (kind, payload) in enumerate(parts):
            await conn.execute(QUERIES.whatsapp_outbound_insert, wa_id, kind, payload,
                               f"{reply_key(queue_id)}{index:03d}", "pending")
        if state is not None:
            await conn.execute(QUERIES.assistant_state_put, wa_id, state)
    return item


async def deliver(services: "Services", wa_id: str, queue_id: int) -> int:
    """Send every recorded part not yet sent, in order; raise if one cannot be delivered."""
    sent = 0
    for part in await recorded_parts(services, queue_id):
        if part["delivery"] in ("sent", "outbox"):
            continue
        if part["kind"] == "interactive":
            result = await send_interactive(services, wa_id, part["payload"]["interactive"],
                                            idempotency_key=part["idempotency_key"])
        else:
            result = await send_text(services, wa_id, part["payload"]["text"]["body"],
                                     idempotency_key=part["idempotency_key"])
        if result.retry_after is not None:
            raise ReplyInDoubt(str(result.body.get("message")), result.retry_after)
        if not result.ok:
            raise ReplyNotDelivered(f"reply part {part['idempotency_key']} not delivered: {result.body}")
        sent += 1
    return sent
