"""Write commands (STAFF): each hands the change to the code that owns the data.

Reservations and vacations → `actors.reservation.operations` (attendance → `actors.reservation.attendance`);
a secretary message → the WhatsApp sender, then the customer's ConversationActor (which stores it and
announces `conversation_new_message`). Nothing here writes SQL. The owning modules
are imported when a command runs, so the socket keeps serving reads while a
feature is being deployed or fails to import.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from handlers.ws_commands import Arguments, CommandContext, Reply, command, nack_error, nack_message
from runtime.db import QUERIES
from runtime.events import publish
from runtime.hub import reply
from runtime.routes import Role

log = logging.getLogger("mawid.ws")

SOURCE = "frontend"  # the reference's `_source` of every dashboard WebSocket write
MESSAGE_LIMIT = 4096


class ModifyArguments(Arguments):
    wa_id: Any = None
    date: Any = None
    time_slot: Any = None
    customer_name: Any = None
    type: Any = None
    approximate: Any = None
    reservation_id: Any = None
    ar: Any = None
    resource: Any = None  # Mawid: move to this resource (id or name); absent: the booking's own


class CancelArguments(Arguments):
    wa_id: Any = None
    date: Any = None
    reservation_id: Any = None


class AttendanceArguments(Arguments):
    reservation_id: Any = None
    attendance: Any = None  # "attended" | "no_show" | null (clears the mark)


class SendMessageArguments(Arguments):
    wa_id: Any = None
    message: Any = None


class TypingArguments(Arguments):
    wa_id: Any = None
    typing: Any = None


class VacationArguments(Arguments):
    periods: Any = None


@command("modify_reservation", role=Role.STAFF, schema=ModifyArguments,
         refusal=nack_message("modify_reservation_nack"), error_text="Server error during modification")
async def modify_reservation(ctx: CommandContext, message: dict[str, Any], data: dict[str, Any]) -> Reply:
    if not (data.get("wa_id") and data.get("date") and data.get("time_slot")):
        text = ("حقول مطلوبة مفقودة: wa_id, date, time_slot" if data.get("ar")
                else "Missing required fields: wa_id, date, time_slot")
        return reply("modify_reservation_nack", {"message": text})
    from actors.reservation import operations

    result = await operations.modify_reservation(
        ctx.services, data["wa_id"], new_date=data["date"], new_time_slot=data["time_slot"],
        new_name=data.get("customer_name"), new_type=data.get("type"),
        approximate=bool(data.get("approximate") or False), hijri=False, ar=bool(data.get("ar") or False),
        reservation_id_to_modify=data.get("reservation_id"), source=SOURCE, resource=data.get("resource"),
    )
    if result.get("success"):
        return reply("modify_reservation_ack", result.get("data") or {})
    return reply("modify_reservation_nack", {"message": result.get("message") or "Modification failed"})


@command("cancel_reservation", role=Role.STAFF, schema=CancelArguments,
         refusal=nack_error("cancel_reservation_nack"), error_text="Server error during cancellation")
async def cancel_reservation(ctx: CommandContext, message: dict[str, Any], data: dict[str, Any]) -> Reply:
    if not data.get("wa_id"):
        return reply("cancel_reservation_nack", error="Missing required field: wa_id")
    from actors.reservation import operations

    # `ar` is not forwarded: the reference answers this command in English (Quirk Q9).
    result = await operations.cancel_reservation(
        ctx.services, data["wa_id"], date_str=data.get("date"), hijri=False,
        reservation_id_to_cancel=data.get("reservation_id"), source=SOURCE,
    )
    if result.get("success"):
        return reply("cancel_reservation_ack", result.get("data") or {})
    return reply("cancel_reservation_nack", error=result.get("message") or "Cancellation failed")


@command("record_attendance", role=Role.STAFF, schema=AttendanceArguments,
         refusal=nack_error("record_attendance_nack"), error_text="Server error while recording attendance")
async def record_attendance(ctx: CommandContext, message: dict[str, Any], data: dict[str, Any]) -> Reply:
    """Mawid: mark a booking of today or earlier attended or no-show (null clears), as
    POST /reservations/{id}/attendance; announced as the opt-in `reservation_attendance`."""
    if data.get("reservation_id") is None or "attendance" not in data:
        return reply("record_attendance_nack", error="Missing required fields: reservation_id, attendance")
    from actors.reservation.attendance import record_attendance as record

    result = await record(ctx.services, data["reservation_id"], data["attendance"], source=SOURCE)
    if not result.ok:
        return reply("record_attendance_nack", error=result.message, reason=result.status)
    return reply("record_attendance_ack", result.data)


@command("conversation_send_message", role=Role.STAFF, schema=SendMessageArguments,
         refusal=nack_error("send_message_nack"), error_text="Server error during message sending")
async def conversation_send_message(ctx: CommandContext, message: dict[str, Any], data: dict[str, Any]) -> Reply:
    wa_id, text = data.get("wa_id"), data.get("message")
    if not wa_id or not text:
        return reply("send_message_nack", error="Missing required fields: wa_id, message")
    if not isinstance(text, str):
        return reply("send_message_nack", error="Invalid message payload")
    if len(text) > MESSAGE_LIMIT:
        return reply("send_message_nack", error=f"Message too long (max {MESSAGE_LIMIT})")
    wa_id = str(wa_id).strip()
    services = ctx.services
    from actors.customers.wa_id_guard import wa_id_refusal

    if (problem := await wa_id_refusal(services, wa_id)) is not None:
        return reply("send_message_nack", error=problem)
    # Same rules as POST /whatsapp/message (Quirk Q10): the system agent is not a WhatsApp number
    # (its turn runs in the background and answers with its own broadcast), and a blocked contact
    # is never messaged.
    if wa_id == services.config.system_agent_wa_id:
        from actors.conversation.system_agent import start_system_agent_turn

        await start_system_agent_turn(services, text)
        return reply("send_message_ack")
    if await services.require_pool().fetchval(QUERIES.realtime_customer_blocked, wa_id):
        return reply("send_message_nack", error="Contact is blocked.")
    from actors.whatsapp.outbound import send_text

    sent = await send_text(services, wa_id, text, source=SOURCE)
    if not sent.ok:
        # the 24-hour window refusal says why (no attempt was made); other failures keep the generic text
        window_refusal = isinstance(sent.body, dict) and sent.body.get("reason") == "outside_service_window"
        return reply("send_message_nack", error=sent.body["message"] if window_refusal else "Failed to send message")
    await _record_secretary_message(ctx, wa_id, text)
    return reply("send_message_ack")


async def _record_secretary_message(ctx: CommandContext, wa_id: str, text: str) -> None:
    """Store and announce through the customer's actor; if storing fails the dashboards still hear of it."""
    from actors.conversation.actor import ConversationActor
    from actors.conversation.messages import AppendMessage

    services = ctx.services
    try:
        await services.actors.ref(ConversationActor, wa_id).ask(
            AppendMessage(role="secretary", message=text, source=SOURCE))
    except Exception:
        log.exception("could not store a sent secretary message", extra={"wa_id": wa_id})
        now = datetime.now(ZoneInfo(services.config.timezone))
        await publish(services, "conversation_new_message", {
            "wa_id": wa_id, "role": "secretary", "message": text, "date": now.strftime("%Y-%m-%d"),
            "time": now.strftime("%H:%M:%S"), "_source": SOURCE}, [wa_id])


@command("secretary_typing", role=Role.STAFF, schema=TypingArguments,
         refusal=nack_error("typing_nack"), error_text="Server error during typing")
async def secretary_typing(ctx: CommandContext, message: dict[str, Any], data: dict[str, Any]) -> Reply:
    wa_id = data.get("wa_id")
    if not wa_id:
        return reply("typing_nack", error="Missing required field: wa_id")
    from actors.customers.wa_id_guard import wa_id_refusal

    if (problem := await wa_id_refusal(ctx.services, wa_id)) is not None:
        return reply("typing_nack", error=problem)
    typing = bool(data.get("typing"))
    # No `_source` here, as in the reference; awaited before the ack.
    await publish(ctx.services, "conversation_typing", {"wa_id": wa_id, "state": "start" if typing else "stop"},
                  [wa_id])
    if typing:
        try:
            from actors.whatsapp.outbound import send_typing_for_customer

            await send_typing_for_customer(ctx.services, str(wa_id))
        except Exception:
            log.debug("typing indicator not sent", exc_info=True)  # best effort, as in the reference
    return reply("typing_ack")


@command("vacation_update", role=Role.STAFF, schema=VacationArguments,
         refusal=nack_error("vacation_update_nack"), error_text="exception")
async def vacation_update(ctx: CommandContext, message: dict[str, Any], data: dict[str, Any]) -> Reply:
    periods = data.get("periods")
    # Not a list, or empty: zero periods, which clears every vacation (the HTTP route refuses this).
    periods = periods if isinstance(periods, list) else []
    from actors.reservation import operations
    from actors.reservation.ops_vacations import VacationUpdateRejected

    try:
        result = await operations.update_vacation_periods(ctx.services, periods, source=SOURCE)
    except VacationUpdateRejected as exc:
        # Mawid validates strictly (spec 20 quirk 17): a bad entry rejects the update, nothing is written.
        return reply("vacation_update_nack", error=str(exc))
    if not result.get("success"):
        return reply("vacation_update_nack", error=f"db_persist_failed: {result.get('message') or 'unknown error'}")
    return reply("vacation_update_ack")
