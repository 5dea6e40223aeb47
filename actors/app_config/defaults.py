"""Defaults of the app-config document (spec 05 §6.3, §6.5) and the generated Ramadan ranges (§6.6)."""
from __future__ import annotations

import copy
import functools
from datetime import date, timedelta
from typing import Any

from hijridate import Gregorian

THEMES = [
    "theme-default", "theme-clerk", "theme-amethyst-haze", "theme-claude", "theme-art-deco", "theme-neo-brutalism",
    "theme-perpetuity", "theme-retro-arcade", "theme-soft-pop", "theme-ghibli-studio", "theme-valorant",
    "theme-t3chat", "theme-perplexity", "theme-neomorphism", "theme-inline",
]
CALENDAR_VIEWS = ["timeGridWeek", "dayGridMonth", "dayGridWeek", "listMonth", "multiMonthYear"]
WORKING_DAYS = [0, 1, 2, 3, 4, 6]
EVENT_COLOR_BY_TYPE = {
    "0": {"background": "#e2eee9", "border": "#12b981"},
    "1": {"background": "#e2e8f4", "border": "#3c82f6"},
    "2": {"background": "#edae49", "border": "#edae49"},
}


def _column(name: str, title: str, data_type: str, width: int, *, required: bool = True,
            metadata: dict | None = None) -> dict[str, Any]:
    return {"id": name, "name": name, "title": title, "data_type": data_type, "is_editable": True,
            "is_required": required, "width": width, "metadata": metadata}


CALENDAR_COLUMNS = [
    _column("scheduled_time", "field_time_scheduled", "datetime", 170),
    _column("phone", "field_phone", "phone", 150),
    _column("type", "field_type", "dropdown", 100, metadata={"options": ["appt_checkup", "appt_followup"]}),
    _column("name", "field_name", "text", 150),
]
DOCUMENTS_COLUMNS = [
    _column("name", "field_name", "text", 150),
    _column("age", "field_age", "number", 50, required=False, metadata={"useWheel": True}),
    _column("phone", "field_phone", "phone", 150),
]


@functools.cache
def _ramadan_ranges() -> tuple[tuple[date, date], ...]:
    runs: list[tuple[date, date]] = []
    day, last, start = date(2022, 1, 1), date(2031, 12, 31), None
    while day <= last:
        in_ramadan = Gregorian(day.year, day.month, day.day).to_hijri().month == 9
        if in_ramadan and start is None:
            start = day
        elif not in_ramadan and start is not None:
            runs.append((start, day - timedelta(days=1)))
            start = None
        day += timedelta(days=1)
    if start is not None:
        runs.append((start, last))
    return tuple(runs)


def ramadan_ranges() -> list[dict[str, Any]]:
    return [
        {"name": "Ramadan", "start_date": start.isoformat(), "end_date": end.isoformat(),
         "working_days": list(WORKING_DAYS), "start_time": "10:00", "end_time": "16:00", "slot_duration_hours": None}
        for start, end in _ramadan_ranges()
    ]


def first_boot_document() -> dict[str, Any]:
    """The document stored when no row exists; it reproduces the reference's hard-coded schedule."""
    from actors.app_config.schema import AppConfigDocument

    doc = AppConfigDocument().model_dump(mode="json")
    doc.update({
        "day_specific_hours": [{"day_of_week": 6, "start_time": "16:00", "end_time": "22:00"}],
        "custom_calendar_ranges": ramadan_ranges(),
        "calendar_columns": copy.deepcopy(CALENDAR_COLUMNS),
        "documents_columns": copy.deepcopy(DOCUMENTS_COLUMNS),
    })
    return doc
