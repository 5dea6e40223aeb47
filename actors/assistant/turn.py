"""One inbound WhatsApp message, handled inside its customer's conversation actor.

The actor runs one turn at a time per customer, so turns are ordered. A text turn:
typing on, store the customer's message, ask the assistant (an LLM provider or the
offline assistant), record the reply durably, send it, typing off — each step
published on the bus. Media the assistant cannot read gets the unsupported-media
reply; a tapped list row or button is a turn too, answered as a structured choice
(`msg.choice`); other kinds (reactions, locations…) are only marked read.
Every step is safe to repeat: see `actors.assistant.replies`.
"""
from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from actors.assistant import replies
from actors.assistant.engine import Answer, respond, respond_to_choice
from actors.assistant.offline.state import commit_state
from actors.inbound.delivery import the_message
from actors.whatsapp.outbound import mark_read, send_typing_indicator
from runtime.db import QUERIES
from runtime.events import publish
from runtime.tasks import stop_task

if TYPE_CHECKING:
    from actors.assistant.port import Conversation, InboundTurn
    from runtime.services import Services

log = logging.getLogger("mawid.assistant")

MEDIA_KINDS = frozenset({"audio", "image", "video", "document", "sticker"})
TYPING_KEEPALIVE_SECONDS = 15.0
DEFAULT_UNSUPPORTED_MEDIA = "I'm sorry, I can't process audio or image files yet."


def _sent_at(message: dict[str, Any]) -> datetime:
    try:
        return datetime.fromtimestamp(int(message.get("timestamp")), timezone.utc)
    except (TypeError, ValueError, OverflowError):
        return datetime.now(timezone.utc)


async def _keep_typing(services: "Services", message_id: str | None) -> None:
    """WhatsApp shows the bubble ~25 s: refresh it until the reply is ready."""
    if not message_id:
        return
    while True:
        result = await send_typing_indicator(services, message_id)
        if not result.ok:
            log.info("typing indicator not sent: %s", result.body)
        await asyncio.sleep(TYPING_KEEPALIVE_SECONDS)


_announcing: set[asyncio.Task] = set()


def _announce(services: "Services", event_type: str, data: dict[str, Any], wa_id: str) -> None:
    """Publish without making the customer's turn wait for the event log; tasks start (and so submit) in order."""
    task = asyncio.create_task(publish(services, event_type, data, [wa_id]))
    _announcing.add(task)
    task.add_done_callback(_announcing.discard)


async def _typing(services: "Services", wa_id: str, state: str) -> None:
    _announce(services, "conversation_typing", {"wa_id": wa_id, "state": state, "_source": "assistant"}, wa_id)


async def _store_customer_message(conversation: "Conversation", text: str, when: datetime) -> None:
    """Append once: a replayed turn finds the same text at the same WhatsApp timestamp already stored."""
    services = conversation.services
    local = when.astimezone(conversation.zone).replace(microsecond=0)
    exists = await services.require_pool().fetchval(
        QUERIES.whatsapp_conversation_has_message, conversation.key, "user", text, local.date(),
        local.time().replace(tzinfo=None))
    if not exists:
        await conversation.append("user", text, source="assistant", when=when)


async def _announce_reply(services: "Services", item: dict[str, Any] | None) -> None:
    if item is not None:
        data = {k: item[k] for k in ("wa_id", "role", "message", "date", "time")}
        _announce(services, "conversation_new_message", {**data, "_source": "assistant"}, item["wa_id"])


async def _answer(conversation: "Conversation", msg: "InboundTurn", text: str) -> Answer:
    """A tap is answered as a structured choice; a choice the dialogue does not know, as its title."""
    if msg.choice is not None:
        answer = await respond_to_choice(conversation, msg.choice)
        if answer is not None:
            return answer
    return await respond(conversation, text)


async def _text_turn(conversation: "Conversation", msg: "InboundTurn", message: dict[str, Any], text: str) -> dict:
    services = conversation.services
    wa_id = conversation.key
    await _typing(services, wa_id, "start")
    try:
        keepalive = asyncio.create_task(_keep_typing(services, message.get("id")))
        try:
            await _store_customer_message(conversation, text, _sent_at(message))
            answer = await _answer(conversation, msg, text)
            item = None
            if answer.text:
                item = await replies.record(services, wa_id, msg.queue_id, answer.text,
                                            store_in_conversation=True, state=answer.state,
                                            interactive=answer.interactive)
                commit_state(conversation, answer.state)
        finally:
            await stop_task(keepalive)
        await _announce_reply(services, item)
        sent = await replies.deliver(services, wa_id, msg.queue_id)
    finally:
        await _typing(services, wa_id, "stop")
    return {"status": "replied" if answer.text else "no_reply", "parts": sent, "engine": answer.engine}


async def _media_turn(conversation: "Conversation", msg: "InboundTurn", message: dict[str, Any]) -> dict:
    services = conversation.services
    await mark_read(services, message.get("id"))
    text = services.config.unsupported_media_message or DEFAULT_UNSUPPORTED_MEDIA
    await replies.record(services, conversation.key, msg.queue_id, text, store_in_conversation=False)
    sent = await replies.deliver(services, conversation.key, msg.queue_id)
    return {"status": "unsupported_media", "parts": sent}


async def handle_inbound(conversation: "Conversation", msg: "InboundTurn") -> dict[str, Any]:
    services = conversation.services
    wa_id = conversation.key
    pool = services.require_pool()
    if msg.payload.get("system_agent") and wa_id == services.config.system_agent_wa_id:
        from actors.assistant.system_agent import run_system_agent

        return await run_system_agent(conversation)
    if await replies.recorded_parts(services, msg.queue_id):  # replay: the reply exists, finish sending it
        sent = await replies.deliver(services, wa_id, msg.queue_id)
        return {"status": "replayed", "parts": sent}
    message = the_message(msg.payload)
    if msg.message_id and message.get("id"):
        await pool.execute(QUERIES.whatsapp_last_inbound_set, wa_id, message["id"])
    if await pool.fetchval(QUERIES.whatsapp_customer_is_blocked, wa_id):
        return {"status": "ignored"}  # blocked after it was queued: no reply, no read receipt
    kind = message.get("type")
    body = (message.get("text") or {}).get("body") if isinstance(message.get("text"), dict) else None
    if kind == "text" and isinstance(body, str) and body.strip():
        return await _text_turn(conversation, msg, message, body)
    if msg.choice is not None:  # a tapped list row or button: stored as what the customer saw
        return await _text_turn(conversation, msg, message, msg.choice.title)
    if kind in MEDIA_KINDS:
        return await _media_turn(conversation, msg, message)
    await mark_read(services, message.get("id"))
    log.info("inbound %s message from %s has no text to answer", kind, wa_id, extra={"wa_id": wa_id})
    return {"status": "unprocessable", "kind": kind}
