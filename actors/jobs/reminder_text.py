"""The appointment reminder's words and WhatsApp template parameters (spec 60 §4.2), pure.

The stored text keeps the reference's four Arabic lines; only the clinic's name
is replaced by the configured business name. The template's one body parameter
stays the raw 24-hour slot (`14:00`) as the approved Meta template expects
(spec 60 Q4), while the stored text shows the 12-hour time.
"""
from __future__ import annotations

from datetime import time

TEMPLATE_NAME = "appointment_reminder"
TEMPLATE_LANGUAGE = "ar"

_LINES = (
    "نذكركم بأن لديكم حجز غدًا في {business_name}، الساعة {formatted_time}.",
    "نرجو التكرم بالحضور في موعد الحجز المحدد.",
    "يفضل الحضور قبل موعد الحجز ب 10 دقائق.",
    "الدخول في الفترة الزمنية المحددة بالأعلى يكون بأسبقية الحضور.",
)


def slot_24h(slot: time) -> str:
    """The wire form of a slot: `HH:MM`."""
    return slot.strftime("%H:%M")


def slot_12h(slot: time) -> str:
    """`h:MM AM|PM` without a leading zero and with English AM/PM, whatever the locale."""
    hour = slot.hour % 12 or 12
    return f"{hour}:{slot.minute:02d} {'AM' if slot.hour < 12 else 'PM'}"


_WITH_RESOURCE = "نذكركم بأن لديكم حجز غدًا في {business_name} مع {resource}، الساعة {formatted_time}."


def reminder_text(business_name: str, slot: time, resource: str | None = None) -> str:
    """`resource`: who the booking is with, named once the clinic has several resources."""
    lines = (_WITH_RESOURCE, *_LINES[1:]) if resource else _LINES
    return "\n".join(lines).format(business_name=business_name, formatted_time=slot_12h(slot), resource=resource)


# The approved template's quick-reply buttons, in its order; each tap comes back as `button.payload`.
QUICK_REPLIES = ("confirm", "reschedule", "cancel")
QUICK_REPLY_PREFIX = "remind:"


def quick_reply_payload(action: str, reservation_id: int) -> str:
    return f"{QUICK_REPLY_PREFIX}{action}:{reservation_id}"


def parse_quick_reply(payload: str) -> tuple[str, int] | None:
    """(action, reservation id) of a reminder button's payload, or None."""
    parts = payload.split(":")
    if len(parts) != 3 or f"{parts[0]}:" != QUICK_REPLY_PREFIX or parts[1] not in QUICK_REPLIES:
        return None
    return (parts[1], int(parts[2])) if parts[2].isascii() and parts[2].isdigit() and len(parts[2]) < 10 else None


def template_components(slot: time, reservation_id: int | None = None) -> list[dict]:
    """The body's time parameter, then (with a reservation id) a payload for each quick-reply button."""
    components: list[dict] = [{"type": "body", "parameters": [{"type": "text", "text": slot_24h(slot)}]}]
    if reservation_id is not None:
        components += [{"type": "button", "sub_type": "quick_reply", "index": str(index),
                        "parameters": [{"type": "payload", "payload": quick_reply_payload(action, reservation_id)}]}
                       for index, action in enumerate(QUICK_REPLIES)]
    return components
