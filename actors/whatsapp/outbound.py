"""Outbound WhatsApp messages: text, template, interactive, location, typing indicator, read receipt.

With ACCESS_TOKEN and PHONE_NUMBER_ID set, messages go to the Cloud API. Without
them Mawid runs in OUTBOX mode: each message is stored in `whatsapp_outbound`
(delivery `outbox`), logged and published on the bus as `whatsapp_outbox_message`,
and reported as sent. Every message is recorded either way, so the dashboard and
tests see what the customer was sent.

A message may carry an idempotency key: a second send with the same key returns the
first result without sending again (replies to a reprocessed inbound message). A keyed
send also carries the key as `biz_opaque_callback_data` and is marked attempted before
the request, so a send whose outcome is unknown is settled from Meta's status callback
instead of being repeated blindly (`actors.whatsapp.in_doubt`).
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from actors.whatsapp import window
from actors.whatsapp.formatting import TEXT_LIMIT, format_for_whatsapp, split_text
from actors.whatsapp.graph import SendResult, error, post_message
from actors.whatsapp.in_doubt import CALLBACK_FIELD, callback_data, decide
from actors.whatsapp.metrics import OUTBOUND_MESSAGES, count_failure
from runtime.db import QUERIES
from runtime.events import publish

if TYPE_CHECKING:
    from runtime.services import Services

log = logging.getLogger("mawid.whatsapp")

KIND_LABELS = {"text": "message", "template": "template message", "location": "location message",
               "interactive": "interactive message"}
OUTBOX_EVENT = "whatsapp_outbox_message"
# Replies to an inbound message (actors.assistant.replies keys) answer a customer who just wrote.
REPLY_KEY_PREFIX = "reply:"


def outbox_mode(services: "Services") -> bool:
    return not services.config.whatsapp_configured


def _envelope(wa_id: str, kind: str, body: dict[str, Any]) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id, "type": kind, **body}


def _graph_like(wa_id: str, message_id: str) -> dict[str, Any]:
    return {"messaging_product": "whatsapp", "contacts": [{"input": wa_id, "wa_id": wa_id}],
            "messages": [{"id": message_id}]}


def _wamid(body: Any) -> str | None:
    try:
        return str(body["messages"][0]["id"])
    except (KeyError, IndexError, TypeError):
        return None


async def _deliver(services: "Services", wa_id: str, kind: str, payload: dict[str, Any],
                   idempotency_key: str | None = None, source: str = "assistant") -> SendResult:
    """Record the message, then send it (or keep it in the outbox); never sends a key twice knowingly."""
    pool = services.require_pool()
    delivery = "outbox" if outbox_mode(services) else "pending"
    if delivery != "outbox" and kind in window.FREE_FORM_KINDS and services.config.whatsapp_service_window \
            and not (idempotency_key or "").startswith(REPLY_KEY_PREFIX):
        refused = await window.refusal(services, wa_id)
        if refused is not None:  # Meta would refuse it (error 131047): not attempted, not recorded
            count_failure(window.REFUSAL_REASON, kind)
            log.info("%s to %s not sent: outside the 24-hour window", kind, wa_id, extra={"wa_id": wa_id})
            return refused
    marker = callback_data(idempotency_key)
    # The last commit before the message leaves is durable (under relaxed_commits too), so that a crash of
    # PostgreSQL cannot forget it: the attempt mark before the request to Graph, or else the row itself
    # (an outbox row is the send: it is announced on the bus right after).
    record_pool = pool if marker is not None and delivery != "outbox" else services.durable_pool()
    row = await record_pool.fetchrow(QUERIES.whatsapp_outbound_insert, wa_id, kind, payload, idempotency_key,
                                     delivery)
    if not row["created"] and row["delivery"] in ("sent", "outbox"):
        return SendResult(_graph_like(wa_id, row["wamid"] or f"outbox.{row['id']}"), 200)
    if delivery == "outbox":
        if not row["created"]:  # recorded earlier (a reply part) or left pending: it is in the outbox now
            await record_pool.execute(QUERIES.whatsapp_outbound_mark, row["id"], "outbox", None, None, None, False)
        OUTBOUND_MESSAGES.inc({"kind": kind, "delivery": "outbox"})
        log.info("outbox: %s to %s", kind, wa_id, extra={"wa_id": wa_id, "kind": kind, "outbound_id": row["id"]})
        await publish(services, OUTBOX_EVENT, {"id": row["id"], "wa_id": wa_id, "kind": kind, "payload": payload,
                                               "_source": source}, [wa_id])
        return SendResult(_graph_like(wa_id, f"outbox.{row['id']}"), 200)
    if marker is not None:
        if not row["created"] and (row["attempted_ago"] is not None or row["delivery"] == "failed"):
            settled = await _settle_earlier_attempt(services, row, wa_id, kind, marker)
            if settled is not None:
                return settled
        payload = {**payload, CALLBACK_FIELD: marker}  # Meta echoes it in this message's status callbacks
        await services.durable_pool().execute(QUERIES.whatsapp_outbound_attempt, row["id"])
    result = await post_message(services, payload, KIND_LABELS[kind])
    wamid = _wamid(result.body) if result.ok else None
    await pool.execute(QUERIES.whatsapp_outbound_mark, row["id"], "sent" if result.ok else "failed", wamid,
                       result.status, None if result.ok else str(result.body.get("message")),
                       result.in_doubt and marker is not None)
    OUTBOUND_MESSAGES.inc({"kind": kind, "delivery": "sent" if result.ok else "failed"})
    return result


async def _settle_earlier_attempt(services: "Services", row: Any, wa_id: str, kind: str,
                                  marker: str) -> SendResult | None:
    """A send of this message may have been accepted: settle it from its status callback, or wait (None: send)."""
    pool = services.require_pool()
    reported = await pool.fetchval(QUERIES.whatsapp_status_callback_wamid, marker)
    verdict = decide(reported, row["attempted_ago"], services.config.outbound_in_doubt_grace)
    if verdict.action == "accepted":
        await pool.execute(QUERIES.whatsapp_outbound_mark, row["id"], "sent", verdict.wamid, None, None, False)
        OUTBOUND_MESSAGES.inc({"kind": kind, "delivery": "sent"})
        log.warning("%s %s was accepted by the Cloud API (status callback %s): not sent again", kind, marker,
                    verdict.wamid, extra={"wa_id": wa_id, "outbound_id": row["id"]})
        return SendResult(_graph_like(wa_id, verdict.wamid), 200)
    if verdict.action == "wait":
        cause = row["error"] or "attempt interrupted"
        return SendResult({"status": "error", "message": f"{kind} {marker} in doubt ({cause}): may have been "
                           f"accepted, waiting {verdict.wait_seconds:.1f}s more for its status callback"},
                          409, True, verdict.wait_seconds)
    return None


async def send_text(services: "Services", wa_id: str, text: Any, *, idempotency_key: str | None = None,
                    source: str = "assistant") -> SendResult:
    """One text message, as the reference sends it: over 4096 characters is refused (see send_reply)."""
    if not isinstance(text, str):
        return error("Invalid text payload", 400)
    if len(text) > TEXT_LIMIT:
        count_failure("message_too_long", "text")
        return error(f"Message exceeds {TEXT_LIMIT} characters", 400)
    payload = _envelope(wa_id, "text", {"text": {"preview_url": False, "body": text}})
    return await _deliver(services, wa_id, "text", payload, idempotency_key, source)


async def send_reply(services: "Services", wa_id: str, text: str, *, key: str) -> list[SendResult]:
    """A formatted reply, split into as many messages as the limit needs; each part sent once per key."""
    parts = split_text(format_for_whatsapp(text))
    results = []
    for index, part in enumerate(parts):
        result = await send_text(services, wa_id, part, idempotency_key=f"{key}:{index:03d}")
        if not result.ok:
            log.warning("reply part %d/%d to %s not delivered: %s", index + 1, len(parts), wa_id, result.body)
        results.append(result)
    return results


async def send_template(services: "Services", wa_id: str, template_name: str, language_code: str = "en_US",
                        components: list | None = None, *, idempotency_key: str | None = None,
                        source: str = "assistant") -> SendResult:
    template: dict[str, Any] = {"name": template_name, "language": {"code": language_code or "en_US"}}
    if components:
        template["components"] = components
    payload = _envelope(wa_id, "template", {"template": template})
    return await _deliver(services, wa_id, "template", payload, idempotency_key, source)


async def send_interactive(services: "Services", wa_id: str, interactive: dict[str, Any], *,
                           idempotency_key: str | None = None, source: str = "assistant",
                           template: dict[str, Any] | None = None) -> SendResult:
    """A list or reply-button message (`actors.whatsapp.interactive` builds the object).

    `template` ({name, language, components}) is sent instead when the customer is outside the
    24-hour window, where WhatsApp delivers only templates.
    """
    payload = _envelope(wa_id, "interactive", {"interactive": interactive})
    result = await _deliver(services, wa_id, "interactive", payload, idempotency_key, source)
    if template is not None and result.status == 409 and result.body.get("reason") == window.REFUSAL_REASON:
        return await send_template(services, wa_id, template["name"], template.get("language") or "en_US",
                                   template.get("components"), source=source,
                                   idempotency_key=f"{idempotency_key}:template" if idempotency_key else None)
    return result


async def send_location(services: "Services", wa_id: str, latitude: Any, longitude: Any, name: str = "",
                        address: str = "", *, source: str = "assistant") -> SendResult:
    """Location message; success is the reference's `{"status": "success", ...}` body."""
    payload = _envelope(wa_id, "location", {"location": {
        "latitude": latitude, "longitude": longitude, "name": name or "", "address": address or ""}})
    try:
        result = await _deliver(services, wa_id, "location", payload, None, source)
    except Exception as exc:
        log.exception("location message to %s failed", wa_id)
        count_failure(type(exc).__name__, "location")
        return error(f"Failed to send location message: {exc}", 500)
    if not result.ok:
        return result
    if not result.body:
        count_failure("empty_response", "location")
        return error("Empty response when sending location", 500)
    return SendResult({"status": "success", "message": "Location sent successfully"}, 200)


async def send_typing_indicator(services: "Services", message_id: str) -> SendResult:
    """Typing bubble for the customer who sent `message_id` (also marks it read)."""
    if not isinstance(message_id, str) or not message_id:
        return error("Invalid message_id", 400)
    if outbox_mode(services):
        return SendResult({"success": True}, 200)
    payload = {"messaging_product": "whatsapp", "message_id": message_id,
               "typing_indicator": {"type": "text"}, "status": "read"}
    try:
        return await post_message(services, payload, "typing indicator")
    except Exception:
        log.exception("typing indicator failed")
        return error("Failed to send typing indicator", 500)


async def send_typing_for_customer(services: "Services", wa_id: Any) -> SendResult:
    """Typing bubble in the customer's chat, answering their newest inbound message."""
    if not isinstance(wa_id, str) or not wa_id:
        return error("Invalid wa_id", 400)
    message_id = await services.require_pool().fetchval(QUERIES.whatsapp_last_inbound_get, wa_id)
    if not message_id:
        return error("No recent message context for typing", 400)
    return await send_typing_indicator(services, message_id)


async def mark_read(services: "Services", message_id: Any) -> SendResult:
    if not isinstance(message_id, str) or not message_id:
        return error("Invalid message_id", 400)
    if outbox_mode(services):
        return SendResult({"success": True}, 200)
    payload = {"messaging_product": "whatsapp", "status": "read", "message_id": message_id}
    result = await post_message(services, payload, "read receipt")
    if not result.ok and result.status == 500 and "Missing" in str(result.body.get("message")):
        return error("Missing WhatsApp API configuration", 500)
    return result
