"""Pure parsing of user-typed times and dates (spec 20 §4), with the quirk fixes.

Fixes over the reference (see docs/decisions.md): a bare 1–2 digit number is an
hour, not midnight; ISO dates and date-times are read as ISO before the
day-first fallback; Hijri month names match the longest spelling first, as
whole words, and Arabic month names are recognised. Every failure raises
`ValueError` with a readable reason.
"""
from __future__ import annotations

import re
from datetime import date, datetime, time

from dateutil import parser as dateutil_parser
from hijridate import Gregorian, Hijri

_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")
_BARE_HOUR = re.compile(r"^\d{1,2}$")
_DOTTED = re.compile(r"^(\d{1,2})\.(\d{2})$")
_COMPACT = re.compile(r"^\d{3,4}$")
# Whole words first: the single-letter replacement below would mangle them ("مساء" -> "PMساء").
_ARABIC_MERIDIEM_WORDS = (("مساءً", "PM"), ("مساءا", "PM"), ("مساء", "PM"), ("صباحاً", "AM"), ("صباحا", "AM"),
                          ("صباح", "AM"), ("ظهراً", "PM"), ("ظهرا", "PM"))
_HH_MM = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2}))?$")


def ascii_digits(value: str) -> str:
    """Arabic-Indic and Persian digits to ASCII."""
    return value.translate(_DIGITS)


def _bare_hour(hour: int) -> time:
    # A lone "3" in a chat means 3 o'clock: 1–7 are afternoon (clinic hours), 8–12 morning/noon.
    if 1 <= hour <= 7:
        return time(hour + 12, 0)
    if 8 <= hour <= 12:
        return time(hour, 0)
    if 13 <= hour <= 23:
        return time(hour, 0)
    if hour == 0:
        return time(0, 0)
    raise ValueError(f"hour {hour} is out of range")


def parse_time(value: object) -> time:
    """User time (`10 am`, `4 م`, `15:00`, `١٠:٠٠`, `3`) -> a time on the minute."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("time is empty")
    text = ascii_digits(value)
    for word, meridiem in _ARABIC_MERIDIEM_WORDS:
        text = text.replace(word, meridiem)
    text = text.replace("ص", "AM").replace("م", "PM")
    text = " ".join(text.upper().split())
    if _BARE_HOUR.match(text):
        return _bare_hour(int(text))
    if _COMPACT.match(text):  # "1300" / "930": military time
        return parse_time(f"{text[:-2]}:{text[-2:]}")
    dotted = _DOTTED.match(text)
    if dotted:
        text = f"{dotted.group(1)}:{dotted.group(2)}"
    exact = _HH_MM.match(text)
    if exact:
        hour, minute = int(exact.group(1)), int(exact.group(2))
        if hour > 23 or minute > 59:
            raise ValueError(f"{value!r} is not a valid time")
        return time(hour, minute)
    if not re.search(r"\d", text):
        raise ValueError(f"{value!r} is not a time")
    if "AM" in text or "PM" in text:
        return _fallback_time(text.replace("P.M.", "PM").replace("A.M.", "AM"), value)
    try:
        parsed = dateutil_parser.parse(text.replace("P.M.", "PM").replace("A.M.", "AM"),
                                       default=datetime(2000, 1, 1))
        return time(parsed.hour, parsed.minute)
    except (ValueError, OverflowError):
        pass
    return _fallback_time(text, value)


def _fallback_time(text: str, original: object) -> time:
    meridiem = "PM" if "PM" in text else "AM" if "AM" in text else None
    if meridiem:
        bare = text.replace("AM", "").replace("PM", "").strip()
        hour_text, _, minute_text = bare.partition(":")
        try:
            hour, minute = int(hour_text), int(minute_text or 0)
        except ValueError:
            raise ValueError(f"{original!r} is not a time") from None
        if not (1 <= hour <= 12 and 0 <= minute <= 59):
            raise ValueError(f"{original!r} is not a valid 12-hour time")
        hour = hour % 12 + (12 if meridiem == "PM" else 0)
        return time(hour, minute)
    raise ValueError(f"{original!r} is not a time")


def to_display(slot: time) -> str:
    """`13:00` -> `1:00 PM` (spec 20 §4.3)."""
    hour = slot.hour % 12 or 12
    return f"{hour}:{slot.minute:02d} {'AM' if slot.hour < 12 else 'PM'}"


def to_hhmm(slot: time) -> str:
    return f"{slot.hour:02d}:{slot.minute:02d}"


def parse_time_12_24(value: str) -> time:
    """The 12/24 converter: a string with `:` and no space is already 24-hour."""
    text = ascii_digits(value.strip())
    if ":" in text and " " not in text:
        match = _HH_MM.match(text)
        if not match or int(match.group(1)) > 23 or int(match.group(2)) > 59:
            raise ValueError(f"{value!r} is not a 24-hour time")
        return time(int(match.group(1)), int(match.group(2)))
    return parse_time(value)


_EXACT_FORMATS = ("%d-%m-%Y", "%Y-%m-%d", "%d/%m/%Y", "%Y/%m/%d", "%m-%d-%Y", "%m/%d/%Y")


def parse_gregorian(value: object, today: date) -> date:
    if not isinstance(value, str) or not value.strip():
        raise ValueError("date is empty")
    text = ascii_digits(value).strip()
    for fmt in _EXACT_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    try:  # ISO dates and date-times keep month before day (the reference swapped them)
        return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
    except ValueError:
        pass
    if re.fullmatch(r"\d{8}", text):
        return datetime.strptime(text, "%Y%m%d").date()
    try:
        return dateutil_parser.parse(text, dayfirst=True, default=datetime(today.year, today.month, today.day)).date()
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"could not read {value!r} as a date ({exc})") from None


# Longest spellings first so "rabi ii" is not read as "rabi i".
_HIJRI_MONTHS: list[tuple[str, int]] = sorted([
    ("muharram", 1), ("محرم", 1), ("safar", 2), ("صفر", 2),
    ("rabi' al-awwal", 3), ("rabi al-awwal", 3), ("rabi1", 3), ("rabi i", 3), ("ربيع الأول", 3), ("ربيع الاول", 3),
    ("rabi' al-thani", 4), ("rabi al-thani", 4), ("rabi2", 4), ("rabi ii", 4), ("ربيع الثاني", 4), ("ربيع الآخر", 4),
    ("jumada al-awwal", 5), ("jumada1", 5), ("jumada i", 5), ("جمادى الأولى", 5), ("جمادى الاولى", 5),
    ("jumada al-thani", 6), ("jumada2", 6), ("jumada ii", 6), ("جمادى الآخرة", 6), ("جمادى الثانية", 6),
    ("rajab", 7), ("رجب", 7), ("sha'ban", 8), ("shaban", 8), ("شعبان", 8), ("ramadan", 9), ("رمضان", 9),
    ("shawwal", 10), ("شوال", 10), ("dhu al-qadah", 11), ("dhu al-qidah", 11), ("ذو القعدة", 11),
    ("dhu al-hijjah", 12), ("dhu al-hijja", 12), ("ذو الحجة", 12),
], key=lambda item: -len(item[0]))


def _hijri_month(text: str) -> int | None:
    for name, month in _HIJRI_MONTHS:
        if re.search(rf"(?<![\w']){re.escape(name)}(?![\w'])", text):
            return month
    return None


def parse_hijri(value: object) -> date:
    """Hijri (Umm al-Qura) date text -> the Gregorian date."""
    if not isinstance(value, str) or not value.strip():
        raise ValueError("date is empty")
    text = ascii_digits(value).strip()
    iso = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    if iso:
        year, month, day = (int(g) for g in iso.groups())
    else:
        lowered = text.lower().replace(",", " ")
        numbers = re.findall(r"\d+", lowered)
        month_from_name = _hijri_month(lowered)
        if month_from_name is not None and len(numbers) >= 2:
            day, month, year = int(numbers[0]), month_from_name, int(numbers[-1])
        elif len(numbers) == 3:
            first, second, third = numbers
            if len(first) == 4:
                year, month, day = int(first), int(second), int(third)
            else:
                day, month, year = int(first), int(second), int(third)
        else:
            raise ValueError(f"could not read {value!r} as a Hijri date")
    try:
        return date(*Hijri(year, month, day).to_gregorian().datetuple())
    except (ValueError, OverflowError) as exc:
        raise ValueError(f"Hijri date {year}-{month}-{day} is invalid or out of range ({exc})") from None


def parse_date(value: object, today: date, hijri: bool = False) -> date:
    return parse_hijri(value) if hijri else parse_gregorian(value, today)


def hijri_string(day: date) -> str:
    """Umm al-Qura `YYYY-MM-DD` of a Gregorian date."""
    h = Gregorian(day.year, day.month, day.day).to_hijri()
    return f"{h.year:04d}-{h.month:02d}-{h.day:02d}"


def hijri_month(day: date) -> int:
    return Gregorian(day.year, day.month, day.day).to_hijri().month


