"""Masking of personal data and secrets before anything leaves the process (logs, spans).

Phone numbers keep their last four digits; tokens, passwords and keys are
replaced. Applied to every exported span and every log line at INFO and above.
"""
from __future__ import annotations

import re
from typing import Any

_LONG_DIGITS = re.compile(r"\+?\d{7,}")
_SECRET_PAIR = re.compile(
    r"(?i)\b(token|access_token|refresh_token|password|secret|api_key|key|code)([=:]\s*)([^&\s\"',]+)"
)
_BEARER = re.compile(r"(?i)\bbearer\s+[A-Za-z0-9._~+/=-]+")
# One cheap scan first: most strings (SQL statements, methods, names) need no substitution at all.
_ANYTHING_TO_MASK = re.compile(r"\d{7}|(?i:bearer|token|password|secret|key|code)")


def mask_phone(value: str) -> str:
    """Keep the last four digits: enough to tell customers apart, not enough to call them."""
    digits = value.lstrip("+")
    return "*" * max(len(digits) - 4, 0) + digits[-4:]


def mask_text(value: str) -> str:
    if not _ANYTHING_TO_MASK.search(value):
        return value
    value = _BEARER.sub("Bearer ***", value)
    value = _SECRET_PAIR.sub(lambda m: f"{m.group(1)}{m.group(2)}***", value)
    return _LONG_DIGITS.sub(lambda m: mask_phone(m.group(0)), value)


def mask_value(value: Any) -> Any:
    if isinstance(value, str):
        return mask_text(value)
    if isinstance(value, (list, tuple)):
        return type(value)(mask_value(v) for v in value)
    if isinstance(value, dict):
        return {k: mask_value(v) for k, v in value.items()}
    return value
