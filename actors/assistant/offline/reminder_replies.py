"""Answers to the reminder's quick-reply buttons: Confirm, Reschedule, Cancel.

The button's payload names the reservation (`remind:<action>:<id>`); only the customer's own
active, future booking is acted on, whatever payload arrives. Confirm records `confirmed_at`
through the day's actor; Cancel is a patient cancel (announced as any other); Reschedule offers
free slots as a list and moves that booking when one is chosen. Each answer is recorded on the
reminder for the confirmation analytics.
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from actors.assistant.offline.texts import say
from actors.reservation import operations
from actors.reservation.actor import day_ref
from actors.reservation.messages import ConfirmBooking
from actors.reservation.parsing import to_display, to_hhmm
from runtime.db import QUERIES
from runtime.events import publish

if TYPE_CHECKING:
    from actors.assistant.offline.assistant import Turn

CONFIRMED_EVENT = "reservation_confirmed"  # not a reference type: only clients that ask for it get it
RESPONSES = {"confirm": "confirmed", "cancel": "cancelled", "reschedule": "rescheduled"}


async def answer(turn: "Turn", action: str, reservation_id: int) -> str:
    services = turn.services
    pool = services.require_pool()
    row = await pool.fetchrow(QUERIES.reminder_reply_reservation, reservation_id, turn.wa_id)
    now = datetime.now(turn.conversation.zone).replace(tzinfo=None)
    if row is None or row["status"] != "active" or datetime.combine(row["slot_date"], row["slot_time"]) < now:
        turn.state["step"] = "menu"
        return say("reminder_gone", turn.lang)
    day, clock = row["slot_date"].isoformat(), to_display(row["slot_time"])
    if action == "confirm":
        outcome = await day_ref(services, row["slot_date"], row["resource_id"]).ask(ConfirmBooking(reservation_id))
        if outcome.status != "confirmed":
            return say("reminder_gone", turn.lang)
        confirmed = outcome.rows[0]
        await publish(services, CONFIRMED_EVENT, {
            "id": reservation_id, "wa_id": turn.wa_id, "date": day, "time_slot": to_hhmm(row["slot_time"]),
            "confirmed_at": confirmed["confirmed_at"].isoformat(), "_source": "assistant"}, [turn.wa_id])
        reply = say("reminder_confirmed", turn.lang, day=turn.day(day), date=day, time=clock)
        turn.state["step"] = "menu"
    elif action == "cancel":
        result = await operations.cancel_reservation(services, turn.wa_id, reservation_id_to_cancel=reservation_id,
                                                     source="assistant")
        turn.state["step"] = "menu"
        if not result.get("success"):
            return turn.failed(result)
        reply = say("cancelled", turn.lang, date=day)
    else:
        reply = await turn.offer("move")
        if turn.state.get("step") == "pick_slot":
            turn.state["move_id"] = reservation_id
        else:  # nowhere to move it: nothing is left pending, and the booking stands
            reply = say("no_slots_to_move", turn.lang, day=turn.day(day), date=day, time=clock)
    await pool.execute(QUERIES.reminder_response_record, reservation_id, row["slot_date"], RESPONSES[action])
    return reply
