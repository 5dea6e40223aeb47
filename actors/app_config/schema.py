"""The app-config document as pydantic models (spec 05 §6.3–6.4), validated as §6.8 recommends.

Stricter than the reference where the dashboard would otherwise refuse to load
the saved config: `HH:MM` zero-padded, start before end, weekdays 0..6, column
data types the dashboard supports, positive widths.
"""
from __future__ import annotations

import re
from datetime import date
from typing import Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from actors.app_config import defaults

_HHMM = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
Weekday = Field(ge=0, le=6)
COLUMN_TYPES = {"text", "number", "datetime", "phone", "dropdown", "date", "time"}


def _time(value: str) -> str:
    if not isinstance(value, str) or not _HHMM.match(value):
        raise ValueError("Time must be in HH:MM format (24-hour, zero-padded)")
    return value


def _ordered(start: str | None, end: str | None) -> None:
    if start and end and start >= end:
        raise ValueError(f"start_time {start} must be before end_time {end}")


class _Model(BaseModel):
    model_config = ConfigDict(extra="ignore")


class WorkingHours(_Model):
    days_of_week: list[int] = Field(default_factory=lambda: list(defaults.WORKING_DAYS), min_length=1)
    start_time: str = "11:00"
    end_time: str = "17:00"
    _t = field_validator("start_time", "end_time")(_time)

    @field_validator("days_of_week")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(not 0 <= d <= 6 for d in value):
            raise ValueError("days_of_week must be between 0 (Sunday) and 6 (Saturday)")
        return value

    @model_validator(mode="after")
    def _order(self) -> "WorkingHours":
        _ordered(self.start_time, self.end_time)
        return self


class DaySpecificHours(_Model):
    day_of_week: int = Weekday
    start_time: str
    end_time: str
    _t = field_validator("start_time", "end_time")(_time)

    @model_validator(mode="after")
    def _order(self) -> "DaySpecificHours":
        _ordered(self.start_time, self.end_time)
        return self


class DaySlotDuration(_Model):
    day_of_week: int = Weekday
    slot_duration_hours: int = Field(ge=1, le=24)


class CustomRange(_Model):
    name: str
    start_date: date
    end_date: date
    working_days: list[int] = Field(default_factory=lambda: list(defaults.WORKING_DAYS))
    start_time: str
    end_time: str
    slot_duration_hours: int | None = Field(default=None, ge=1, le=24)
    _t = field_validator("start_time", "end_time")(_time)

    @field_validator("start_date", "end_date", mode="before")
    @classmethod
    def _midnight(cls, value: Any) -> Any:
        if isinstance(value, str) and "T" in value:
            head, _, clock = value.partition("T")
            if clock.strip("Z").startswith("00:00"):
                return head
        return value

    @model_validator(mode="after")
    def _order(self) -> "CustomRange":
        if self.end_date < self.start_date:
            raise ValueError("end_date must be after start_date")
        _ordered(self.start_time, self.end_time)
        return self


class Column(_Model):
    id: str
    name: str
    title: str
    data_type: str
    is_editable: bool = True
    is_required: bool = False
    width: int | None = Field(default=None, gt=0)
    metadata: dict[str, Any] | None = None

    @field_validator("data_type")
    @classmethod
    def _type(cls, value: str) -> str:
        if value.lower() not in COLUMN_TYPES:
            raise ValueError(f"data_type must be one of {sorted(COLUMN_TYPES)}")
        return value


class ColorPair(_Model):
    background: str
    border: str


class EventColors(_Model):
    default_event_color: str = "#edae49"
    event_color_by_type: dict[str, ColorPair | str] = Field(
        default_factory=lambda: {k: ColorPair(**v) for k, v in defaults.EVENT_COLOR_BY_TYPE.items()})
    use_event_colors: bool = True
    event_color_by_status: dict[str, str] | None = None
    event_color_by_priority: dict[str, str] | None = None
    document_stroke_color: str = "#facc15"


class EventTimeFormat(_Model):
    format: Literal["12h", "24h", "auto"] = "auto"
    show_minutes: bool = True
    show_meridiem: bool = True


class EventLoading(_Model):
    day_max_events: int | bool = True
    day_max_event_rows: int | bool = True
    more_link_click: Literal["popover", "week", "day", "timeGridWeek", "timeGridDay"] = "popover"

    @field_validator("day_max_events", "day_max_event_rows", mode="before")
    @classmethod
    def _numeric_text(cls, value: Any) -> Any:
        return int(value) if isinstance(value, str) and value.strip().isdigit() else value


def _type_map(value: Any, low: int, high: int) -> dict[str, int]:
    """Keys "0", "1", "2" only; non-integers dropped; values clamped (normalised, never rejected)."""
    if not value:
        return {}
    if not isinstance(value, dict):
        raise ValueError("must be an object")
    result = {}
    for key, raw in value.items():
        if str(key) not in {"0", "1", "2"}:
            continue
        try:
            number = int(raw)
        except (TypeError, ValueError):
            continue
        result[str(key)] = max(low, min(high, number))
    return result


class EventDuration(_Model):
    strategy: Literal["auto", "manual"] = "auto"
    default_minutes: int = Field(default=20, ge=5, le=480)
    per_type_minutes: dict[str, int] = Field(default_factory=dict)

    @field_validator("per_type_minutes", mode="before")
    @classmethod
    def _normalise(cls, value: Any) -> dict[str, int]:
        return _type_map(value, 5, 480)


class RoleCapacity(_Model):
    total_max: int = Field(default=5, ge=1, le=50)
    per_type_max: dict[str, int] = Field(default_factory=dict)

    @field_validator("per_type_max", mode="before")
    @classmethod
    def _normalise(cls, value: Any) -> dict[str, int]:
        return _type_map(value, 0, 50)


class SecretaryCapacity(RoleCapacity):
    total_max: int = Field(default=6, ge=1, le=50)  # per-role default (the reference fell back to 5)


class SlotCapacity(_Model):
    agent: RoleCapacity = Field(default_factory=RoleCapacity)
    secretary: SecretaryCapacity = Field(default_factory=SecretaryCapacity)


class QuietHours(_Model):
    start: str | None = None
    end: str | None = None


class NotificationPrefs(_Model):
    notify_on_event_create: bool = True
    notify_on_event_update: bool = True
    notify_on_event_delete: bool = True
    notify_on_event_reminder: bool = False
    notification_sound: bool = False
    notification_desktop: bool = False
    quiet_hours: QuietHours | None = None


def _timezone(value: str) -> str:
    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError, OSError):  # OSError: a name too long for a file path
        raise ValueError(f"Invalid timezone identifier: {value}") from None
    return value


def _provider(value: str) -> str:
    lowered = value.lower()
    if lowered not in {"anthropic", "gemini", "openai"}:
        raise ValueError("llm_provider must be one of: anthropic, gemini, openai")
    return lowered


class AppConfigDocument(_Model):
    """The full document; every key has a schema default (so POST `{}` is valid)."""

    working_days: list[int] = Field(default_factory=lambda: list(defaults.WORKING_DAYS))
    default_working_hours: WorkingHours = Field(
        default_factory=lambda: WorkingHours(days_of_week=[0, 1, 2, 3, 4]))
    day_specific_hours: list[DaySpecificHours] = Field(default_factory=list)
    slot_duration_hours: int = Field(default=2, ge=1, le=24)
    day_specific_slot_durations: list[DaySlotDuration] = Field(default_factory=list)
    custom_calendar_ranges: list[CustomRange] = Field(default_factory=list)
    calendar_columns: list[Column] = Field(default_factory=list)
    documents_columns: list[Column] = Field(default_factory=list)
    default_country_prefix: str = "SA"
    available_languages: list[str] = Field(default_factory=lambda: ["en", "ar"])
    available_themes: list[str] = Field(default_factory=lambda: list(defaults.THEMES))
    available_calendar_views: list[str] = Field(default_factory=lambda: list(defaults.CALENDAR_VIEWS))
    timezone: str = "Asia/Riyadh"
    llm_provider: str = "openai"
    calendar_first_day: int | None = Field(default=6, ge=0, le=6)
    event_colors: EventColors = Field(default_factory=EventColors)
    event_time_format: EventTimeFormat = Field(default_factory=EventTimeFormat)
    default_calendar_view: str | None = "timeGridWeek"
    calendar_locale: str | None = None
    calendar_direction: Literal["ltr", "rtl", "auto"] = "auto"
    event_loading: EventLoading = Field(default_factory=EventLoading)
    event_duration_settings: EventDuration = Field(default_factory=EventDuration)
    slot_capacity_settings: SlotCapacity = Field(default_factory=SlotCapacity)
    notification_preferences: NotificationPrefs = Field(default_factory=NotificationPrefs)

    _tz = field_validator("timezone")(_timezone)
    _llm = field_validator("llm_provider")(_provider)

    @field_validator("working_days")
    @classmethod
    def _days(cls, value: list[int]) -> list[int]:
        if any(not 0 <= d <= 6 for d in value):
            raise ValueError("working_days must be between 0 (Sunday) and 6 (Saturday)")
        return value


class AppConfigUpdate(_Model):
    """PUT body: any subset of top-level keys, each parsed on its own (422); the merge is validated after (400)."""

    working_days: list[int] | None = None
    default_working_hours: WorkingHours | None = None
    day_specific_hours: list[DaySpecificHours] | None = None
    slot_duration_hours: int | None = None
    day_specific_slot_durations: list[DaySlotDuration] | None = None
    custom_calendar_ranges: list[CustomRange] | None = None
    calendar_columns: list[Column] | None = None
    documents_columns: list[Column] | None = None
    default_country_prefix: str | None = None
    available_languages: list[str] | None = None
    available_themes: list[str] | None = None
    available_calendar_views: list[str] | None = None
    timezone: str | None = None
    llm_provider: str | None = None
    calendar_first_day: int | None = Field(default=None, ge=0, le=6)
    event_colors: EventColors | None = None
    event_time_format: EventTimeFormat | None = None
    default_calendar_view: str | None = None
    calendar_locale: str | None = None
    calendar_direction: Literal["ltr", "rtl", "auto"] | None = None
    event_loading: EventLoading | None = None
    event_duration_settings: EventDuration | None = None
    slot_capacity_settings: SlotCapacity | None = None
    notification_preferences: NotificationPrefs | None = None

    def present(self) -> dict[str, Any]:
        """The keys the client sent (explicit nulls included), nested objects with their defaults filled."""
        return {key: (None if getattr(self, key) is None else self.model_dump(mode="json", include={key})[key])
                for key in self.model_fields_set}
