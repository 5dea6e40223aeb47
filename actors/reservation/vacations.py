"""Vacation rules (spec 20 §7): which days are closed, the message, and input normalisation."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from actors.reservation.parsing import hijri_string


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive
    title: str | None = None

    def contains(self, day: date) -> bool:
        return self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def period_containing(periods: list[Period], day: date) -> Period | None:
    """Every row is evaluated (the reference keyed rows by start date and lost duplicates)."""
    return next((p for p in periods if p.contains(day)), None)


def _line(day: date) -> str:
    return f"• {day.strftime('%A')} {day.isoformat()} ({hijri_string(day)} Hijri)"


def vacation_message(period: Period, base: str | None) -> str:
    head = f"🏖️:\n{_line(period.start)}\nTo:\n{_line(period.end)}"
    return f"{head}\n\n{base}" if base else head


def _date_part(value: str) -> date:
    """`YYYY-MM-DD`, or an ISO date-time whose written calendar date is kept."""
    if "T" in value:
        return datetime.fromisoformat(value.replace("Z", "+00:00")).date()
    return date.fromisoformat(value) if len(value) == 10 else _strict_error(value)


def _strict_error(value: str) -> date:
    raise ValueError(f"{value!r} is not a YYYY-MM-DD date")


class InvalidPeriod(ValueError):
    pass


def normalize_periods(raw: list[Any]) -> list[Period]:
    """Strict: every entry must have readable start and end (the reference silently dropped bad ones)."""
    periods = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or not item.get("start") or not item.get("end"):
            raise InvalidPeriod(f"periods[{index}] needs both start and end")
        try:
            start, end = _date_part(str(item["start"])), _date_part(str(item["end"]))
        except ValueError as exc:
            raise InvalidPeriod(f"periods[{index}]: {exc}") from None
        if end < start:
            start, end = end, start
        title = item.get("title") if isinstance(item.get("title"), str) else None
        periods.append(Period(start, end, title))
    return periods


def vacation_info(periods: list[Period], reference: date, base: str | None) -> dict[str, Any]:
    """Keys added to `get_current_datetime` / `search_available_appointments` (spec 20 §7.4), ISO strings."""
    current = period_containing(periods, reference)
    if current is not None:
        return {
            "vacation_info": {"status": "current", "message": vacation_message(current, base),
                              "end_date": current.end.isoformat()},
            "vacation_end_gregorian": current.end.isoformat(), "vacation_end_hijri": hijri_string(current.end),
        }
    upcoming = next((p for p in periods if 1 <= (p.start - reference).days <= 30), None)
    if upcoming is None:
        return {}
    return {
        "vacation_info": {"status": "upcoming", "message": vacation_message(upcoming, base),
                          "start_date": upcoming.start.isoformat(), "end_date": upcoming.end.isoformat(),
                          "days_until": (upcoming.start - reference).days},
        "vacation_start_gregorian": upcoming.start.isoformat(), "vacation_start_hijri": hijri_string(upcoming.start),
        "vacation_end_gregorian": upcoming.end.isoformat(), "vacation_end_hijri": hijri_string(upcoming.end),
    }


def day_after(period: Period) -> date:
    return period.end + timedelta(days=1)
