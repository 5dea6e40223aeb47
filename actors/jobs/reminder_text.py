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


def reminder_text(business_name: str, slot: time) -> str:
    return "\n".join(_LINES).format(business_name=business_name, formatted_time=slot_12h(slot))


def template_components(slot: time) -> list[dict]:
    return [{"type": "body", "parameters": [{"type": "text", "text": slot_24h(slot)}]}]
