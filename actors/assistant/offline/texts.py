"""The offline assistant's sentences, in English and Arabic."""
from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "menu": {
        "en": "Welcome to {business}! I am the automatic booking assistant. Reply with a number:\n"
              "1. Free appointments\n2. Book an appointment\n3. Move my appointment\n"
              "4. Cancel my appointment\n5. My appointments\n6. Waitlist for a full day",
        "ar": "أهلاً بك في {business}! أنا مساعد الحجز الآلي. أرسل رقم الخيار:\n"
              "1. المواعيد المتاحة\n2. حجز موعد\n3. تغيير موعدي\n4. إلغاء موعدي\n5. مواعيدي\n"
              "6. قائمة الانتظار ليوم ممتلئ",
    },
    "free_slots": {"en": "Free appointments:\n{slots}\n\nReply 2 to book one.",
                   "ar": "المواعيد المتاحة:\n{slots}\n\nأرسل 2 لحجز موعد."},
    "pick_slot": {"en": "Choose an appointment by its number:\n{slots}\n\n0. Back to the menu",
                  "ar": "اختر الموعد برقمه:\n{slots}\n\n0. العودة إلى القائمة"},
    "pick_slot_list": {"en": "Choose an appointment from the list.", "ar": "اختر موعداً من القائمة."},
    "list_button": {"en": "Free times", "ar": "المواعيد"},
    "slot_taken": {"en": "Sorry, that time was just taken.", "ar": "عذراً، تم حجز هذا الموعد للتو."},
    "ask_type_short": {"en": "What kind of visit is it?", "ar": "ما نوع الزيارة؟"},
    "type_checkup": {"en": "Check-up", "ar": "كشف"},
    "type_followup": {"en": "Follow-up", "ar": "مراجعة"},
    "cancel_yes": {"en": "Yes, cancel it", "ar": "نعم، ألغِه"},
    "cancel_no": {"en": "No, keep it", "ar": "لا، أبقِه"},
    "reminder_confirmed": {"en": "Thank you! Your appointment on {day} {date} at {time} is confirmed.",
                           "ar": "شكراً لك! تم تأكيد موعدك يوم {day} {date} الساعة {time}."},
    "reminder_gone": {"en": "That appointment is no longer booked. Reply 0 for the menu.",
                      "ar": "هذا الموعد لم يعد محجوزاً. أرسل 0 لعرض القائمة."},
    "no_slots_to_move": {"en": "Sorry, there is no free time to move your appointment to in the coming days. "
                               "Your appointment on {day} {date} at {time} stays booked. Reply 4 to cancel it or 0 "
                               "for the menu.",
                         "ar": "عذراً، لا توجد مواعيد متاحة لنقل موعدك إليها في الأيام القادمة. يبقى موعدك يوم {day} "
                               "{date} الساعة {time} محجوزاً. أرسل 4 لإلغائه أو 0 لعرض القائمة."},
    "no_slots": {"en": "Sorry, there are no free appointments in the coming days.",
                 "ar": "عذراً، لا توجد مواعيد متاحة في الأيام القادمة."},
    "bad_choice": {"en": "Please reply with one of the numbers shown.", "ar": "الرجاء إرسال أحد الأرقام الظاهرة."},
    "ask_name": {"en": "What is the patient's name?", "ar": "ما اسم المراجع؟"},
    "ask_type": {"en": "What kind of visit is it?\n1. Check-up\n2. Follow-up",
                 "ar": "ما نوع الزيارة؟\n1. كشف\n2. مراجعة"},
    "booked": {"en": "Your appointment is booked: {day} {date} at {time}. See you then!",
               "ar": "تم حجز موعدك: {day} {date} الساعة {time}. بانتظارك!"},
    "booked_with": {"en": "Your appointment with {resource} is booked: {day} {date} at {time}. See you then!",
                    "ar": "تم حجز موعدك مع {resource}: {day} {date} الساعة {time}. بانتظارك!"},
    "moved": {"en": "Your appointment is moved to {day} {date} at {time}.",
              "ar": "تم تغيير موعدك إلى {day} {date} الساعة {time}."},
    "no_reservation": {"en": "You have no upcoming appointment. Reply 2 to book one.",
                       "ar": "ليس لديك موعد قادم. أرسل 2 لحجز موعد."},
    "confirm_cancel": {"en": "Cancel your appointment on {day} {date} at {time}?\n1. Yes, cancel it\n0. No",
                       "ar": "هل تريد إلغاء موعدك يوم {day} {date} الساعة {time}؟\n1. نعم، ألغِه\n0. لا"},
    "cancelled": {"en": "Your appointment on {date} is cancelled.", "ar": "تم إلغاء موعدك بتاريخ {date}."},
    "kept": {"en": "Your appointment is kept.", "ar": "تم الإبقاء على موعدك."},
    "your_reservations": {"en": "Your appointments:\n{items}", "ar": "مواعيدك:\n{items}"},
    "failed": {"en": "Sorry, that did not work: {reason}", "ar": "عذراً، لم تتم العملية: {reason}"},
    "menu_hint": {"en": "Reply 0 for the menu.", "ar": "أرسل 0 لعرض القائمة."},
}

DAY_NAMES = {
    "en": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    "ar": ["الاثنين", "الثلاثاء", "الأربعاء", "الخميس", "الجمعة", "السبت", "الأحد"],
}


def say(key: str, lang: str, **values: str) -> str:
    template = TEXTS[key].get(lang) or TEXTS[key]["en"]
    return template.format(**values)
