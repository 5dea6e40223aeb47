"""Synthetic demo rows for `seed-demo`: customers, conversation, reservations.

Everything is generated with plain loops over precomputed pools (dates, times, names,
texts) and one `random.Random`, so ten million rows cost seconds of Python, not minutes.
"""

from __future__ import annotations

import json
import random
from datetime import date, datetime, time, timedelta, timezone
from typing import Iterator

AR_FIRST = (
    "محمد أحمد احمد عبدالله عبد الله خالد فهد سعود سلطان فيصل عمر علي إبراهيم ابراهيم يوسف"
    " ماجد نايف تركي بندر مصطفى مصطفي حسن حسين ياسر طلال راشد سامي وليد عادل"
    " فاطمة فاطمه نورة نوره سارة ريم هند منى هدى هدي ليلى ليلي آمنة امنه إيمان ايمان"
    " مريم عائشة جواهر لطيفة دانة رهف شهد غادة أمل"
).split()
AR_FIRST += ["مُحَمَّد", "محمـد", "عبدالرحمن", "عبد العزيز"]
AR_FAMILY = (
    "العتيبي الغامدي القحطاني الشهري الزهراني الدوسري الحربي المطيري العنزي الشمري"
    " السبيعي الرشيدي البلوي الجهني الأحمدي العمري المالكي السلمي الخالدي البقمي"
    " الشهراني العسيري الفيفي اليامي الهاجري الأنصاري الصالح الراشد النجار الحداد"
).split()
EN_FIRST = (
    "James Mary John Sarah Michael Emma David Olivia Daniel Sophia Omar Lina Adam Nora"
    " Yusuf Aisha Ryan Hannah Karim Layla Thomas Grace Ali Maya Samuel Zainab Peter Leah"
).split()
EN_LAST = (
    "Smith Johnson Brown Taylor Wilson Khan Hassan Ahmed Clark Lewis Walker Hall Young"
    " Allen King Wright Scott Green Baker Adams Nelson Carter Mitchell Roberts Turner"
).split()

AR_USER = (
    "السلام عليكم", "أبغى أحجز موعد", "ابغى موعد يوم الأحد", "هل فيه موعد بكرة؟",
    "كم سعر الكشف؟", "أبي أغير موعدي", "ممكن ألغي الحجز؟", "الساعة كم تفتحون؟",
    "وين موقع العيادة؟", "تمام شكراً", "أبغى موعد مراجعة", "هل الموعد مؤكد؟",
    "عندي موعد الأسبوع الجاي", "أحتاج أقدم الموعد", "الله يعطيك العافية",
    "هل تقبلون التأمين؟", "ممكن بعد العصر؟", "أبغى أحجز لأمي", "وصلت العيادة",
    "هل أحتاج تحاليل قبل الموعد؟",
)
AR_ASSISTANT = (
    "وعليكم السلام، كيف أقدر أساعدك؟", "تم حجز موعدك بنجاح ✅", "المواعيد المتاحة: 11:00، 13:00، 15:00",
    "تم تعديل موعدك.", "تم إلغاء الحجز.", "نعمل من الأحد إلى الخميس ومن 11 صباحاً حتى 5 مساءً",
    "هل تريد موعد كشف أو مراجعة؟", "موعدك مؤكد، نتشرف بزيارتك", "أرسل لي اسمك الكامل لو سمحت",
    "للأسف هذا الوقت ممتلئ، هل يناسبك وقت آخر؟", "الموقع مرسل على الخريطة 📍",
    "نعم نقبل أغلب شركات التأمين", "تذكير: موعدك غداً الساعة 13:00", "العفو، في الخدمة دائماً",
    "لا يلزم تحاليل، فقط احضر قبل الموعد بعشر دقائق",
)
EN_USER = (
    "Hello", "I'd like to book an appointment", "Do you have anything tomorrow?",
    "How much is a consultation?", "Can I move my appointment?", "Please cancel my booking",
    "What time do you open?", "Where is the clinic?", "Thanks!", "I need a follow-up visit",
    "Is my appointment confirmed?", "Can I come after 3pm?", "Do you accept insurance?",
    "I'm running 10 minutes late", "Can I book for my son?",
)
EN_ASSISTANT = (
    "Hi! How can I help you today?", "Your appointment is booked ✅", "Available slots: 11:00, 13:00, 15:00",
    "Your appointment has been moved.", "Your reservation is cancelled.",
    "We are open Sunday to Thursday, 11 AM to 5 PM.", "Is this a check-up or a follow-up?",
    "Confirmed, see you then!", "May I have your full name, please?",
    "Sorry, that slot is full. Would another time work?", "Here is our location 📍",
    "Yes, we accept most insurance providers.", "Reminder: your appointment is tomorrow at 13:00.",
    "You're welcome!", "No problem, please arrive 10 minutes early.",
)
DOCUMENT = json.dumps({"type": "tldraw", "snapshot": {"document": {"store": {"shape:1": {"type": "text"}}}}})

SLOT_TIMES = (time(11), time(13), time(15), time(17))
PAST_DAYS, FUTURE_DAYS = 400, 60
# other countries: (prefix, digits after prefix, weight); Saudi 9665XXXXXXXX takes the rest
OTHER_COUNTRIES = (("2010", 8, 0.03), ("9715", 8, 0.025), ("9655", 7, 0.015), ("1310555", 4, 0.0005), ("447", 9, 0.01))
SECONDS = [time(s // 3600, s // 60 % 60, s % 60) for s in range(86400)]
RIYADH_OFFSET = timedelta(hours=3)


def wa_ids(rnd: random.Random, n: int, taken: set[str] | frozenset[str] = frozenset()) -> list[str]:
    """n unique wa_ids, ~90% Saudi mobiles, none in `taken`, in random order."""
    out: list[str] = []
    for prefix, digits, weight in OTHER_COUNTRIES:
        k = min(int(n * weight), 10**digits // 2)
        out += [f"{prefix}{x:0{digits}d}" for x in rnd.sample(range(10**digits), k)]
    out += [f"9665{x:08d}" for x in rnd.sample(range(10**8), n - len(out) + len(taken))]
    if taken:
        out = [w for w in out if w not in taken]
    out = out[:n]
    rnd.shuffle(out)
    return out


def customer_rows(rnd: random.Random, ids: list[str], today: date) -> Iterator[tuple]:
    """(wa_id, customer_name, age, age_recorded_at, document, is_blocked, is_favorite)."""
    r = rnd.random
    for wa in ids:
        x = r()
        if x < 0.75:
            name = f"{AR_FIRST[int(r() * len(AR_FIRST))]} {AR_FAMILY[int(r() * len(AR_FAMILY))]}"
        elif x < 0.88:
            name = f"{EN_FIRST[int(r() * len(EN_FIRST))]} {EN_LAST[int(r() * len(EN_LAST))]}"
        elif x < 0.97:
            name = None
        else:
            name = "" if x < 0.985 else wa
        if r() < 0.4:
            age, recorded = 1 + int(r() * 85), today - timedelta(days=int(r() * 365))
        else:
            age = recorded = None
        yield (wa, name, age, recorded, DOCUMENT if r() < 0.005 else None, r() < 0.005, r() < 0.01)


def split_counts(rnd: random.Random, n: int, total: int) -> list[int]:
    """Split `total` into n non-negative counts (random cut points, so roughly exponential)."""
    cuts = sorted(rnd.randrange(total + 1) for _ in range(n - 1)) if n > 1 else []
    bounds = [0, *cuts, total]
    return [bounds[i + 1] - bounds[i] for i in range(n)]


def is_arabic(name: str | None) -> bool:
    return bool(name) and "\u0600" <= name[0] <= "\u06ff"


def conversation_rows(
    rnd: random.Random, customers: list[tuple[str, bool]], counts: list[int], today: date
) -> Iterator[tuple]:
    """(wa_id, role, message, local_date, local_time): alternating user/assistant turns."""
    r = rnd.random
    # dates[i] = today - (PAST_DAYS + 1) + i; a customer starts within the last PAST_DAYS days,
    # later visits may run up to FUTURE_DAYS ahead ("upcoming"), minutes may spill a little further
    dates = [today + timedelta(days=d) for d in range(-PAST_DAYS - 1, FUTURE_DAYS + 31)]
    last, max_visit_day = len(dates) - 1, PAST_DAYS + 1 + FUTURE_DAYS
    for (wa, arabic), count in zip(customers, counts):
        user, bot = (AR_USER, AR_ASSISTANT) if arabic else (EN_USER, EN_ASSISTANT)
        nu, nb = len(user), len(bot)
        t = (1 + int(r() * PAST_DAYS)) * 86400 + 28800 + int(r() * 50400)  # 08:00-22:00 local
        for i in range(count):
            d, s = divmod(t, 86400)
            day = dates[d if d < last else last]
            if i & 1:
                yield (wa, "assistant", bot[int(r() * nb)], day, SECONDS[s])
                if r() < 0.7 or d >= max_visit_day:  # next user turn minutes later ...
                    t += 60 + int(r() * 900)
                else:  # ... or on a later visit
                    t = min(d + 1 + int(r() * 30), max_visit_day) * 86400 + 28800 + int(r() * 50400)
            else:
                yield (wa, "user", user[int(r() * nu)], day, SECONDS[s])
                t += 5 + int(r() * 90)


def reservation_rows(rnd: random.Random, wa_list: list[str], counts: list[int], today: date) -> Iterator[tuple]:
    """(wa_id, slot_date, slot_time, type, status, cancelled_at, created_at, updated_at)."""
    r = rnd.random
    days = [today + timedelta(days=d) for d in range(-365, FUTURE_DAYS + 1)]
    days = [d for d in days if d.weekday() != 4]  # never Friday
    nd = len(days)
    now = datetime.now(timezone.utc).replace(microsecond=0)
    midnight_utc = {d: datetime(d.year, d.month, d.day, tzinfo=timezone.utc) - RIYADH_OFFSET for d in days}
    for wa, count in zip(wa_list, counts):
        for _ in range(count):
            day = days[int(r() * nd)]
            slot = SLOT_TIMES[int(r() * 4)]
            start = midnight_utc[day] + timedelta(hours=slot.hour)
            created = min(start - timedelta(seconds=3600 + int(r() * 30 * 86400)), now - timedelta(seconds=60))
            if r() < 0.15:
                cancelled = min(created + timedelta(seconds=int(r() * max(60, (start - created).total_seconds()))), now)
                yield (wa, day, slot, 0 if r() < 0.7 else 1, "cancelled", cancelled, created, cancelled)
            else:
                yield (wa, day, slot, 0 if r() < 0.7 else 1, "active", None, created, created)
