"""Repairs applied to a stored document when it is read (spec 05 §6.1), pure."""
from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel, ValidationError

from actors.app_config import defaults
from actors.app_config.schema import EventColors, EventDuration, NotificationPrefs, SlotCapacity


def _valid_or_default(value: Any, model: type[BaseModel]) -> dict[str, Any]:
    if not isinstance(value, dict):
        return model().model_dump(mode="json")
    try:
        return model.model_validate(value).model_dump(mode="json")
    except ValidationError:
        return model().model_dump(mode="json")


def migrate_stored(stored: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Return the repaired document and whether it must be written back.

    Mawid keeps an explicit empty `custom_calendar_ranges` (the reference re-seeded
    Ramadan on every read, so a user could never clear it: spec 05 quirk Q6).
    """
    doc = copy.deepcopy(stored)
    dirty = False
    colors = doc.get("event_colors")
    if isinstance(colors, dict):
        colors = dict(colors)
        if "document_stroke_color" not in colors:
            legacy = colors.get("document_stroke_color_light") or colors.get("document_stroke_color_dark")
            if legacy:
                colors["document_stroke_color"] = legacy
        colors.pop("document_stroke_color_light", None)
        colors.pop("document_stroke_color_dark", None)
    doc["event_colors"] = _valid_or_default(colors, EventColors)
    doc["notification_preferences"] = _valid_or_default(doc.get("notification_preferences"), NotificationPrefs)
    doc["event_duration_settings"] = _valid_or_default(doc.get("event_duration_settings"), EventDuration)
    doc["slot_capacity_settings"] = _valid_or_default(doc.get("slot_capacity_settings"), SlotCapacity)
    if "saturday_working_hours" in doc:
        legacy = doc.pop("saturday_working_hours")
        if "day_specific_hours" not in doc:
            doc["day_specific_hours"] = [{
                "day_of_week": 6, "start_time": (legacy or {}).get("start_time", "16:00"),
                "end_time": (legacy or {}).get("end_time", "22:00"),
            }] if legacy else []
        dirty = True
    if not doc.get("available_themes"):
        doc["available_themes"] = list(defaults.THEMES)
        dirty = True
    if not doc.get("available_calendar_views"):
        doc["available_calendar_views"] = list(defaults.CALENDAR_VIEWS)
        dirty = True
    return doc, dirty
