"""The reservation operations every entry point calls: HTTP handlers, WebSocket commands, LLM tools, jobs.

Each function takes `services` first and `source` last (the reference's `_call_source`:
"assistant" default, "frontend", "undo", "system_agent", …; it becomes `_source` in
events and picks the capacity role) and returns the reference's envelope
`{"success": bool, "data"?: ..., "message"?: str}`. Parameter names are the
reference's tool/route parameter names (spec 20 §9, spec 50 §8).

    reserve_time_slot(services, wa_id, customer_name, date_str, time_slot, reservation_type,
                      hijri=False, max_reservations=None, ar=False, source="assistant")
    modify_reservation(services, wa_id, new_date=None, new_time_slot=None, new_name=None, new_type=None,
                       max_reservations=None, approximate=False, hijri=False, ar=False,
                       reservation_id_to_modify=None, source="assistant")
    cancel_reservation(services, wa_id, date_str=None, hijri=False, ar=False,
                       reservation_id_to_cancel=None, source="assistant")
    undo_cancel_reservation_by_id(services, reservation_id, ar=False, max_reservations=None, source="undo")
        (aliases: undo_cancel_reservation, reinstate)
    get_available_time_slots(services, date_str, hijri=False, max_reservations=None, ar=False, source="assistant")
    search_available_appointments(services, start_date=None, time_slot=None, days_forward=3, days_backward=0,
                                  max_reservations=None, hijri=False, ar=False, source="assistant")
        (each range capped at 90 days)
    get_customer_reservations(services, wa_id, include_past=False, ar=False, source="assistant")
    get_current_datetime(services, ar=False, source="assistant")
    update_vacation_periods(services, periods, ar=False, source="assistant")
        replace-all; `periods` = [{"start", "end", "title"?}], [] clears; broadcasts the real periods;
        raises ops_vacations.VacationUpdateRejected (nothing written) when an entry is invalid
    vacation_periods_for_broadcast(services) -> list   the WS snapshot / vacation broadcast list (spec 40 §8.1)

Changing a customer's wa_id (`actors.reservation.ops_phone.modify_customer_wa_id`) is not re-exported
here: it goes through the customer's conversation actor, and the assistant's tools, which import this
module, must not depend on `actors.conversation` (import-linter contract assistant-below-conversation).

Reads for the dashboard (`GET /reservations`, `GET /vacations`) live in `actors.reservation.reads`.
"""
from __future__ import annotations

from actors.reservation.ops_availability import (  # noqa: F401  (re-exported API)
    get_available_time_slots,
    get_current_datetime,
    get_customer_reservations,
    search_available_appointments,
)
from actors.reservation.ops_cancel import cancel_reservation, undo_cancel_reservation_by_id  # noqa: F401
from actors.reservation.ops_modify import modify_reservation  # noqa: F401
from actors.reservation.ops_reserve import reserve_time_slot  # noqa: F401
from actors.reservation.ops_vacations import (  # noqa: F401
    update_vacation_periods,
    vacation_periods_for_broadcast,
)

undo_cancel_reservation = undo_cancel_reservation_by_id
reinstate = undo_cancel_reservation_by_id

__all__ = [
    "cancel_reservation", "get_available_time_slots", "get_current_datetime", "get_customer_reservations",
    "modify_reservation", "reinstate", "reserve_time_slot",
    "search_available_appointments", "undo_cancel_reservation", "undo_cancel_reservation_by_id",
    "update_vacation_periods", "vacation_periods_for_broadcast",
]
