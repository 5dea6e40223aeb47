"""Phone-number rules: the reference's validity check, E.164 normalisation and region of a wa_id."""
from __future__ import annotations

import re
from functools import lru_cache

import phonenumbers

from actors.customers.texts import text

_NOT_PHONE_CHARS = re.compile(r"[^\d+]")
_SEPARATORS = str.maketrans("", "", " -+")


def phone_error(wa_id: object, ar: bool = False) -> str | None:
    """None when `wa_id` passes the reference's `is_valid_number`, else the failure text (spec 30 §2.5)."""
    try:
        value = str(wa_id).strip()
        if value.startswith("+"):
            value = value[1:]
        if not 8 <= len(value) <= 15:
            return text("phone_length_error", ar)
        try:
            parsed = phonenumbers.parse("+" + value, None)
        except phonenumbers.NumberParseException as exc:
            return text("phone_invalid", ar, error=str(exc))
        if not phonenumbers.is_valid_number(parsed):
            return text("phone_format_error", ar)
        return None
    except Exception:  # the reference's catch-all branch: any other failure is a validation error
        return text("phone_validation_error", ar)


def normalize_wa_id(raw: object) -> str:
    """Digits-only E.164 (no '+'); raises ValueError when the number does not parse or is not valid."""
    cleaned = _NOT_PHONE_CHARS.sub("", str(raw))
    if not cleaned.startswith("+"):
        cleaned = "+" + cleaned
    try:
        parsed = phonenumbers.parse(cleaned, None)
    except phonenumbers.NumberParseException as exc:
        raise ValueError(f"cannot parse phone number {raw!r}: {exc}") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValueError(f"{raw!r} is not a valid phone number")
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164).lstrip("+")


@lru_cache(maxsize=65536)
def region_of(wa_id: str) -> str | None:
    """ISO region of `+wa_id` as libphonenumber sees it (a single-region calling code wins even if invalid)."""
    try:
        return phonenumbers.region_code_for_number(phonenumbers.parse("+" + wa_id, None))
    except Exception:
        return None


def calling_codes_of(region: str) -> int | None:
    """The country calling code of an ISO region (case-insensitive), or None for an unknown region."""
    code = phonenumbers.country_code_for_region(region.upper())
    return code or None


def strip_separators(value: str) -> str:
    """Remove spaces, '-' and '+', as the reference does for the digits query and the registered test."""
    return value.translate(_SEPARATORS)


def is_registered(name: str | None, wa_id: str) -> bool:
    """A real name: not empty, not the wa_id, not the wa_id once '+', spaces and '-' leave the name (quirk 17)."""
    return bool(name) and name != wa_id and strip_separators(name) != wa_id


_MIN_NSN, _MAX_NSN = 2, 17  # libphonenumber's bounds on the national number; outside them parse() fails


def calling_code_of(digits: str) -> int | None:
    """The country calling code a digits-only wa_id starts with (codes are prefix-free, 1–3 digits)."""
    if not digits or digits[0] == "0":
        return None
    for size in (1, 2, 3):
        code = int(digits[:size])
        if code in phonenumbers.COUNTRY_CODE_TO_REGION_CODE and len(digits) >= size:
            return code
    return None


def regions_of_code(code: int) -> tuple[str, ...]:
    return tuple(phonenumbers.COUNTRY_CODE_TO_REGION_CODE.get(code, ()))


def single_region_of_prefix(prefix: str, length: int) -> tuple[str | None, int | None]:
    """For a wa_id group (first 3 digits, total length): (region, None) when the calling code belongs to one
    region and the number parses; (None, code) when the code is shared and each number must be parsed;
    (None, None) when no number of the group parses."""
    code = calling_code_of(prefix)
    if code is None:
        return None, None
    regions = regions_of_code(code)
    if len(regions) != 1:
        return None, code
    nsn = length - len(str(code))
    return (regions[0] if _MIN_NSN <= nsn <= _MAX_NSN else None), None
