"""wa_id validation and normalisation with libphonenumber (spec 20 §4.1)."""
from __future__ import annotations

import re

import phonenumbers

from actors.reservation.texts import text


def validation_error(value: object, ar: bool = False) -> str | None:
    """The reference's message when `value` is not a valid international number, else None."""
    candidate = str(value if value is not None else "").strip()
    if candidate.startswith("+"):
        candidate = candidate[1:]
    if not 8 <= len(candidate) <= 15:
        return text("phone_length_error", ar)
    try:
        number = phonenumbers.parse("+" + candidate, None)
    except phonenumbers.NumberParseException as exc:
        return text("phone_invalid", ar, error=str(exc))
    except Exception:
        return text("phone_validation_error", ar)
    if not phonenumbers.is_valid_number(number):
        return text("phone_format_error", ar)
    return None


_PARSE_ERRORS = {getattr(phonenumbers.NumberParseException, name): name for name in (
    "INVALID_COUNTRY_CODE", "NOT_A_NUMBER", "TOO_SHORT_AFTER_IDD", "TOO_SHORT_NSN", "TOO_LONG")}


class InvalidPhone(ValueError):
    """The value cannot be read as a valid international number; the text says why, on one line."""


def normalize(value: object) -> str:
    """E.164 digits without `+` (`"+966 50 123 4567"` -> `"966501234567"`). Numbers are accepted as text."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise InvalidPhone("Input should be a valid string")
    raw = str(value)
    cleaned = re.sub(r"[^\d+]", "", raw)
    if not re.search(r"\d", cleaned):
        raise InvalidPhone("WhatsApp ID must contain digits")
    if not cleaned.startswith("+"):
        cleaned = "+" + cleaned
    try:
        number = phonenumbers.parse(cleaned, None)
    except phonenumbers.NumberParseException as exc:
        # error_type is an int in phonenumbers (the reference's `.name` raised AttributeError -> 500).
        reason = _PARSE_ERRORS.get(exc.error_type, exc.error_type)
        raise InvalidPhone(f"Unable to parse phone number: {reason}") from None
    if not phonenumbers.is_valid_number(number):
        raise InvalidPhone("Phone number validation failed: Invalid phone number format")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


def canonical(value: object) -> str:
    """Normalised when possible, else the trimmed text as given (validation then reports why)."""
    try:
        return normalize(value)
    except InvalidPhone:
        return str(value if value is not None else "").strip()
