"""Pure rules of the offline dialogue: the customer's language and what their message asks."""
from __future__ import annotations

import re

_ARABIC_LETTER = re.compile(r"[\u0621-\u064A]")
_LATIN_LETTER = re.compile(r"[A-Za-z]")
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")

# Checked in this order: "cancel my booking" is a cancellation, not a booking.
INTENT_WORDS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("cancel", ("cancel", "الغاء", "إلغاء", "الغي", "ألغي", "الغ")),
    ("move", ("move", "change", "reschedule", "modify", "تغيير", "تعديل", "اغير", "أغير", "تأجيل", "اأجل")),
    ("waitlist", ("waitlist", "wait list", "waiting list", "قائمة الانتظار", "قائمة انتظار")),
    ("book", ("book", "reserve", "appointment please", "حجز", "احجز", "أحجز", "ابغى موعد", "أبغى موعد")),
    ("slots", ("free", "available", "slots", "متاح", "المتاحة", "فاضي")),
    ("mine", ("my appointment", "my reservation", "موعدي", "مواعيدي", "حجزي")),
    ("menu", ("menu", "hi", "hello", "help", "start", "قائمة", "القائمة", "مرحبا", "السلام", "اهلا", "أهلا")),
)
MENU_NUMBERS = {"1": "slots", "2": "book", "3": "move", "4": "cancel", "5": "mine", "6": "waitlist", "0": "menu"}
YES_WORDS = ("1", "yes", "y", "ok", "نعم", "اي", "أي", "ايوه", "تمام")


def normalise(text: str) -> str:
    return " ".join(text.translate(_DIGITS).strip().lower().split())


def language(text: str, previous: str | None) -> str:
    """Arabic letters → ar, Latin letters → en, digits only → the language already in use."""
    if _ARABIC_LETTER.search(text):
        return "ar"
    if _LATIN_LETTER.search(text):
        return "en"
    return previous or "en"


def number(text: str) -> int | None:
    cleaned = normalise(text).rstrip(".)")
    return int(cleaned) if cleaned.isdigit() and len(cleaned) <= 3 else None


def intent(text: str) -> str | None:
    cleaned = normalise(text)
    if cleaned in MENU_NUMBERS:
        return MENU_NUMBERS[cleaned]
    for name, words in INTENT_WORDS:
        if any(word in cleaned for word in words):
            return name
    return None


def is_yes(text: str) -> bool:
    return normalise(text) in YES_WORDS


_TITLES = ("dr.", "dr ", "doctor ", "د.", "د ", "دكتور ", "الدكتور ", "الدكتورة ", "دكتورة ")
_ANY = ("any doctor", "anyone", "any one", "any room", "أي طبيب", "اي طبيب", "أي دكتور", "اي دكتور", "أي أحد")


def _bare(name: str) -> str:
    cleaned = normalise(name)
    for title in _TITLES:
        cleaned = cleaned.replace(title, " ")
    return " ".join(cleaned.split())


def resource_in(text: str, resources: list[dict]) -> int | str | None:
    """The id of the resource whose name (without its title) the message contains, "any" when it asks for
    any doctor, else None. `resources`: [{id, name_en, name_ar}]."""
    cleaned = f" {_bare(text)} "
    for resource in resources:
        for name in (resource.get("name_en"), resource.get("name_ar")):
            bare = _bare(str(name or ""))
            if bare and f" {bare} " in cleaned:
                return resource["id"]
    padded = f" {normalise(text)} "
    return "any" if any(f" {word} " in padded or padded.strip().endswith(word) for word in _ANY) else None
