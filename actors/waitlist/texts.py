"""The waitlist's words to patients, in English and Arabic."""
from __future__ import annotations

TEXTS: dict[str, dict[str, str]] = {
    "offer": {"en": "Good news: a place opened on {date} at {time}. It is held for you for {minutes} minutes. "
                    "Do you want it?",
              "ar": "خبر سار: توفر موعد بتاريخ {date} الساعة {time}، محجوز لك لمدة {minutes} دقيقة. هل تريده؟"},
    "offer_with": {"en": "Good news: a place opened with {resource} on {date} at {time}. It is held for you for "
                         "{minutes} minutes. Do you want it?",
                   "ar": "خبر سار: توفر موعد مع {resource} بتاريخ {date} الساعة {time}، محجوز لك لمدة {minutes} دقيقة. "
                         "هل تريده؟"},
    "accept": {"en": "Book it", "ar": "احجزه"},
    "decline": {"en": "No, thanks", "ar": "لا، شكراً"},
    "booked": {"en": "Your appointment is booked: {date} at {time}. See you then!",
               "ar": "تم حجز موعدك: {date} الساعة {time}. بانتظارك!"},
    "booked_with": {"en": "Your appointment with {resource} is booked: {date} at {time}. See you then!",
                    "ar": "تم حجز موعدك مع {resource}: {date} الساعة {time}. بانتظارك!"},
    "declined": {"en": "No problem, we offered the place to the next patient. You stay on the waitlist.",
                 "ar": "لا بأس، عرضنا الموعد على المراجع التالي. ما زلت في قائمة الانتظار."},
    "expired": {"en": "Sorry, this offer has expired and the place went to the next patient on the waitlist. "
                      "You stay on the waitlist.",
                "ar": "عذراً، انتهت مهلة هذا العرض وعُرض الموعد على المراجع التالي. ما زلت في قائمة الانتظار."},
    "gone": {"en": "Sorry, this offer is no longer available.", "ar": "عذراً، هذا العرض لم يعد متاحاً."},
    "taken": {"en": "Sorry, that place is no longer free.", "ar": "عذراً، هذا الموعد لم يعد متاحاً."},
    "join_pick": {"en": "These days are full. Choose one to join its waitlist; we will message you if a place opens.",
                  "ar": "هذه الأيام ممتلئة. اختر يوماً للانضمام إلى قائمة انتظاره، وسنراسلك إذا توفر موعد."},
    "join_button": {"en": "Full days", "ar": "الأيام الممتلئة"},
    "joined": {"en": "You are on the waitlist for {date}. We will message you if a place opens.",
               "ar": "أنت في قائمة الانتظار ليوم {date}. سنراسلك إذا توفر موعد."},
    "join_pick_with": {"en": "These days are full with {resource}. Choose one to join {resource}'s waitlist; we will "
                             "message you if a place opens.",
                       "ar": "هذه الأيام ممتلئة لدى {resource}. اختر يوماً للانضمام إلى قائمة انتظار {resource}، "
                             "وسنراسلك إذا توفر موعد."},
    "joined_with": {"en": "You are on the waitlist for {date} with {resource}. We will message you if a place opens "
                          "with {resource}.",
                    "ar": "أنت في قائمة الانتظار ليوم {date} لدى {resource}. سنراسلك إذا توفر موعد لدى {resource}."},
    "no_full_days_with": {"en": "{resource} has no full day in the coming week: reply 2 to book.",
                          "ar": "لا يوجد يوم ممتلئ لدى {resource} في الأسبوع القادم: أرسل 2 للحجز."},
    "type_not_taken": {"en": "Sorry, {resource} does not take this kind of visit. Reply 6 to wait for any doctor.",
                       "ar": "عذراً، {resource} لا يستقبل هذا النوع من الزيارات. أرسل 6 للانتظار لدى أي طبيب."},
    "no_full_days": {"en": "No day is full in the coming week: reply 2 to book.",
                     "ar": "لا يوجد يوم ممتلئ في الأسبوع القادم: أرسل 2 للحجز."},
}


def say(key: str, lang: str, **values: object) -> str:
    template = TEXTS[key].get(lang) or TEXTS[key]["en"]
    return template.format(**values)
