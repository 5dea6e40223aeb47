"""The reminder's words and template parameters (pure)."""
from datetime import time

import pytest

from actors.jobs.reminder_text import reminder_text, slot_12h, slot_24h, template_components


@pytest.mark.parametrize(("slot", "twelve", "wire"), [
    (time(0, 0), "12:00 AM", "00:00"),
    (time(0, 30), "12:30 AM", "00:30"),
    (time(9, 5), "9:05 AM", "09:05"),
    (time(11, 59), "11:59 AM", "11:59"),
    (time(12, 0), "12:00 PM", "12:00"),
    (time(14, 0), "2:00 PM", "14:00"),
    (time(23, 30), "11:30 PM", "23:30"),
])
def test_slot_forms(slot, twelve, wire):
    assert slot_12h(slot) == twelve
    assert slot_24h(slot) == wire


def test_the_text_keeps_the_reference_lines_with_the_business_name():
    assert reminder_text("Mawid Clinic", time(16, 30)) == (
        "نذكركم بأن لديكم حجز غدًا في Mawid Clinic، الساعة 4:30 PM.\n"
        "نرجو التكرم بالحضور في موعد الحجز المحدد.\n"
        "يفضل الحضور قبل موعد الحجز ب 10 دقائق.\n"
        "الدخول في الفترة الزمنية المحددة بالأعلى يكون بأسبقية الحضور."
    )


def test_the_template_parameter_is_the_raw_24_hour_slot():
    assert template_components(time(16, 30)) == [
        {"type": "body", "parameters": [{"type": "text", "text": "16:30"}]}]
