"""Pure conversion rules: the reference's legacy values -> Mawid's typed values.

The bulk tables are converted in SQL (sql/adoption/functions.sql) for speed; these
functions are the same rules in Python, table-tested, and the adoption tests check
that both agree on every row of the fixture. Each rule raises `Unconvertible` with a
short reason instead of guessing.
"""
from __future__ import annotations

import json
import re
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

# Keep these patterns identical to sql/adoption/functions.sql.
# ASCII digits only ([0-9], not \d, which would accept Arabic-Indic digits in Python).
CLOCK_24H = re.compile(r"^ *([01]?[0-9]|2[0-3]):([0-5][0-9])(?::([0-5][0-9]))? *$")
CLOCK_12H = re.compile(r"^ *(0?[1-9]|1[0-2]):([0-5][0-9])(?::([0-5][0-9]))? *([AaPp][Mm]) *$")
ISO_DATE = re.compile(r"^ *([1-9][0-9]{3})-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01]) *$")
UTC_STAMP = re.compile(
    r"^ *([1-9][0-9]{3}-[0-9]{2}-[0-9]{2})T([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9])(\.[0-9]{1,6})?(Z|\+00:00)? *$"
)

# Keys the reference adds to the config on the wire; they are table columns in Mawid.
CONFIG_ROW_KEYS = ("id", "created_at", "updated_at")


class Unconvertible(ValueError):
    """A legacy value that has no faithful typed equivalent; `reason` says why."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def time_format(raw: str | None) -> str:
    """Which legacy form a clock string has: `HH:MM:SS`, `HH:MM`, `12-hour`, `null` or `unparseable`."""
    if raw is None:
        return "null"
    if match := CLOCK_24H.fullmatch(raw):
        return "HH:MM:SS" if match.group(3) else "HH:MM"
    if CLOCK_12H.fullmatch(raw):
        return "12-hour"
    return "unparseable"


def clock_time(raw: str | None) -> time | None:
    """`HH:MM:SS`, `HH:MM` (seconds 00) or `h:MM AM/PM` (12 AM = 00, 12 PM = 12); NULL stays NULL."""
    if raw is None:
        return None
    if match := CLOCK_24H.fullmatch(raw):
        return time(int(match.group(1)), int(match.group(2)), int(match.group(3) or 0))
    if match := CLOCK_12H.fullmatch(raw):
        hour = int(match.group(1)) % 12 + (12 if match.group(4).upper() == "PM" else 0)
        return time(hour, int(match.group(2)), int(match.group(3) or 0))
    raise Unconvertible("unparseable time")


def slot_time(raw: str | None) -> time:
    """A reservation `time_slot` (24h `HH:MM` or 12h `h:MM AM/PM`): a slot start has no seconds."""
    if raw is None:
        raise Unconvertible("missing time_slot")
    value = clock_time(raw)
    if value.second:
        raise Unconvertible("time_slot has seconds")
    return value


def local_date(raw: str | None) -> date | None:
    """A `YYYY-MM-DD` string date; NULL stays NULL; impossible dates (2026-02-30) are refused."""
    if raw is None:
        return None
    match = ISO_DATE.fullmatch(raw)
    if not match:
        raise Unconvertible("unparseable date")
    try:
        return date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
    except ValueError:
        raise Unconvertible("impossible date") from None


def local_moment(day: date | None, clock: time | None) -> tuple[date | None, time | None]:
    """A conversation row's date and time: both present or both absent, never just one."""
    if (day is None) != (clock is None):
        raise Unconvertible("date without time" if clock is None else "time without date")
    return day, clock


def naive_utc(value: datetime | None) -> datetime | None:
    """The reference's naive timestamps are UTC wall-clock times: attach UTC."""
    if value is None:
        return None
    if value.tzinfo is not None:
        return value.astimezone(timezone.utc)
    return value.replace(tzinfo=timezone.utc)


def utc_stamp(raw: str | None) -> datetime:
    """`notification_events.ts_iso` (`YYYY-MM-DDTHH:MM:SSZ`) -> an aware UTC datetime."""
    match = UTC_STAMP.fullmatch(raw or "")
    if not match:
        raise Unconvertible("unparseable ts_iso")
    day = local_date(match.group(1))
    fraction = match.group(5) or ""
    micro = int((fraction[1:] + "000000")[:6]) if fraction else 0
    clock = time(int(match.group(2)), int(match.group(3)), int(match.group(4)), micro)
    return datetime.combine(day, clock, tzinfo=timezone.utc)


def vacation_end(start: date, end: date | None, duration_days: int | None) -> date:
    """Inclusive last day: `end_date`, else start + duration - 1, else the start day alone."""
    if end is not None:
        if end < start:
            raise Unconvertible("end_date before start_date")
        return end
    if duration_days is not None and duration_days < 1:
        raise Unconvertible("duration_days below 1")
    return start + timedelta(days=(duration_days or 1) - 1)


def json_object(text: str | None) -> dict[str, Any]:
    """JSON stored as text (notification data, queue payloads) -> an object."""
    if text is None:
        raise Unconvertible("missing JSON")
    if "\\u0000" in text:  # PostgreSQL's jsonb cannot hold NUL
        raise Unconvertible("invalid JSON")
    try:
        value = json.loads(text, parse_constant=_reject_constant)
    except ValueError:
        raise Unconvertible("invalid JSON") from None
    if not isinstance(value, dict):
        raise Unconvertible("JSON is not an object")
    return value


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN / Infinity: Python accepts them, jsonb does not


def config_document(config_data: str | None) -> dict[str, Any]:
    """The `app_config.config_data` text -> Mawid's `config` document.

    Stored as the reference stored it (its read-time repairs stay with the config
    reader); only the row columns the wire adds are removed if a client saved them.
    """
    document = json_object(config_data)
    return {key: value for key, value in document.items() if key not in CONFIG_ROW_KEYS}


def user_role(is_superuser: bool | None) -> str:
    """The reference had no roles: its superusers administer, everyone else is staff."""
    return "admin" if is_superuser else "staff"
