"""Name repair, age coercion and the effective age (spec 30 §2.1–2.3)."""
from __future__ import annotations

import re
from datetime import date

AGE_MIN, AGE_MAX = 0, 120
_ESCAPE = re.compile(r"\\?u([0-9a-fA-F]{4})")


def repair_name(name: str) -> str:
    """Decode `\\uXXXX` (or bare `uXXXX` when `u0` occurs) escapes some clients send; else unchanged.

    Only those escapes are decoded (spec 20 Q28): the reference's byte-level codec also rewrote other
    backslash sequences and mangled names mixing real letters with escapes.
    """
    if "\\u" in name or "u0" in name:
        return _ESCAPE.sub(lambda m: chr(int(m.group(1), 16)), name)
    return name


def clean_name(name: object) -> str:
    """A name as stored: escapes repaired, trimmed; anything but text is no name."""
    return repair_name(name).strip() if isinstance(name, str) else ""


AGE_NOT_A_NUMBER = "Age must be a whole number between 0 and 120"


class AgeError(ValueError):
    """The age input cannot be stored; the message is shown to the user."""


def coerce_age(value: object) -> int | None:
    """The reference's `int(value)` then a 0..120 check; None clears the age."""
    if value is None:
        return None
    try:
        age = int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError, OverflowError):
        # The reference answered Python's own text ("invalid literal for int() …"): say what is expected.
        raise AgeError(AGE_NOT_A_NUMBER) from None
    if not AGE_MIN <= age <= AGE_MAX:
        raise AgeError("Age must be between 0 and 120")
    return age


def full_years_between(start: date, end: date) -> int:
    years = end.year - start.year
    if (end.month, end.day) < (start.month, start.day):
        years -= 1
    return years


def effective_age(age: int | None, recorded: date | None, today: date) -> int | None:
    """The stored age plus the full years elapsed since it was recorded (never less than the stored age)."""
    if age is None:
        return None
    if recorded is None:
        return age
    years = full_years_between(recorded, today)
    return max(0, age + years) if years > 0 else age


_INTERNAL_KEY_PREFIXES = ("instance", "camera", "pointer", "presence")


def _has_content(store: object) -> bool:
    return isinstance(store, dict) and any(not str(k).startswith(_INTERNAL_KEY_PREFIXES) for k in store)


def has_document(document: object) -> bool:
    """Q10: a tldraw snapshot (or a top-level `document`) with at least one non-session record."""
    if not isinstance(document, dict):
        return False
    if document.get("type") == "tldraw":
        snapshot = document.get("snapshot")
        if isinstance(snapshot, dict) and _has_content(snapshot.get("document")):
            return True
    return _has_content(document.get("document"))
