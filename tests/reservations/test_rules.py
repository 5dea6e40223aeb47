"""Pure rules, no database: parsing, display, phones, capacity, schedule, vacations, config documents."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pytest

from actors.app_config.defaults import first_boot_document, ramadan_ranges
from actors.app_config.migrations import migrate_stored
from actors.customers.profile import clean_name
from actors.reservation import phone
from actors.reservation.capacity import limits, role_for_source
from actors.reservation.parsing import (
    hijri_string,
    parse_gregorian,
    parse_hijri,
    parse_time,
    parse_time_12_24,
    to_display,
    to_hhmm,
)
from actors.reservation.schedule import day_schedule, is_upcoming, remaining_starts
from actors.reservation.texts import text
from actors.reservation.vacations import InvalidPeriod, Period, normalize_periods, period_containing, vacation_info

TODAY = date(2025, 6, 1)
DEFAULT = first_boot_document()


@pytest.mark.parametrize("raw, expected", [
    ("10 am", "10:00"), ("10am", "10:00"), ("10:00 AM", "10:00"), ("10 ص", "10:00"),
    ("3 PM", "15:00"), ("3pm", "15:00"), ("4 م", "16:00"), ("4م", "16:00"), ("PM 4", "16:00"),
    ("4:00 P.M.", "16:00"), ("15:00", "15:00"), ("16:00:00", "16:00"), ("1:30", "01:30"),
    ("12 AM", "00:00"), ("12 PM", "12:00"), ("١٠:٠٠", "10:00"), ("۱۰:۳۰", "10:30"),
    # Mawid fixes: bare hours, dotted and compact times, Arabic words for morning/evening
    ("3", "15:00"), ("13", "13:00"), ("0", "00:00"), ("11", "11:00"), ("11.00", "11:00"), ("1300", "13:00"),
    ("10:30 مساء", "22:30"), ("10 صباحا", "10:00"), ("٣ م", "15:00"),
])
def test_parse_time(raw, expected):
    assert to_hhmm(parse_time(raw)) == expected


@pytest.mark.parametrize("raw", ["noon", "24:00", "25", "", "   ", None, 10, "13 PM", "ab:cd", "10:75"])
def test_parse_time_refuses(raw):
    with pytest.raises(ValueError):
        parse_time(raw)


@pytest.mark.parametrize("slot, label", [(time(13), "1:00 PM"), (time(11), "11:00 AM"), (time(12), "12:00 PM"),
                                         (time(0, 30), "12:30 AM"), (time(9, 5), "9:05 AM")])
def test_display_round_trip(slot, label):
    assert to_display(slot) == label
    assert parse_time(label) == slot


def test_12_24_converter():
    assert parse_time_12_24("13:00") == time(13)
    assert parse_time_12_24("1:00 PM") == time(13)
    with pytest.raises(ValueError):
        parse_time_12_24("1:00PM")


@pytest.mark.parametrize("raw, expected", [
    ("2025-03-04", "2025-03-04"), ("2025-3-4", "2025-03-04"), ("2025/03/04", "2025-03-04"),
    ("04-03-2025", "2025-03-04"), ("03/04/2025", "2025-04-03"), ("12-31-2025", "2025-12-31"),
    ("5 March 2025", "2025-03-05"), ("04.03.2025", "2025-03-04"), ("March 5", "2025-03-05"),
    # Mawid fix (quirk 3): ISO forms keep month before day
    ("2025-03-04T10:00:00", "2025-03-04"), ("2025-03-04T10:00:00.000Z", "2025-03-04"), (" 2025-03-04", "2025-03-04"),
    ("20250304", "2025-03-04"), ("٢٠٢٥-٠٣-٠٤", "2025-03-04"),
])
def test_parse_gregorian(raw, expected):
    assert parse_gregorian(raw, TODAY).isoformat() == expected


@pytest.mark.parametrize("raw", ["tomorrow", "13-13-2025", "", None])
def test_parse_gregorian_refuses(raw):
    with pytest.raises(ValueError):
        parse_gregorian(raw, TODAY)


@pytest.mark.parametrize("raw, expected", [
    ("1446-09-03", "2025-03-03"), ("١٤٤٦-٠٩-٠٣", "2025-03-03"), ("3 Ramadan 1446", "2025-03-03"),
    ("3 ramadan, 1446", "2025-03-03"), ("3 رمضان 1446", "2025-03-03"), ("1446 9 3", "2025-03-03"),
    ("3 9 1446", "2025-03-03"),
    # quirk 4: "rabi ii" is month 4, "jumada ii" is month 6 (the reference read 3 and 5)
    ("5 rabi ii 1446", "2024-10-08"), ("5 rabi i 1446", "2024-09-08"),
    ("1 jumada ii 1446", "2024-12-02"), ("1 jumada i 1446", "2024-11-03"),
])
def test_parse_hijri(raw, expected):
    assert parse_hijri(raw).isoformat() == expected


@pytest.mark.parametrize("raw", ["Ramadan", "1446-13-01", "1600-01-01", "soon"])
def test_parse_hijri_refuses(raw):
    with pytest.raises(ValueError):
        parse_hijri(raw)


def test_hijri_output():
    assert hijri_string(date(2025, 6, 1)) == "1446-12-05"


def test_clean_name():
    assert clean_name("\\u0633\\u0627\\u0631\\u0629") == "سارة"
    assert clean_name("u0633u0627") == "سا"
    assert clean_name("  Sara  ") == "Sara"
    assert clean_name("Zoë") == "Zoë"
    assert clean_name(None) == ""


@pytest.mark.parametrize("value, message", [
    ("966501234567", None), ("+966501234567", None), ("1234567", "Phone number length is invalid (should be "
                                                                 "between 8-15 digits)."),
    ("9665012345678901", "Phone number length is invalid (should be between 8-15 digits)."),
    ("12345678", "Invalid phone number format."), ("abcdefghij", "Invalid phone number: (0) Missing or invalid "
                                                                  "default region."),
])
def test_phone_validation(value, message):
    result = phone.validation_error(value)
    if message is None:
        assert result is None
    else:
        assert result is not None and result.startswith(message[:20])


def test_phone_normalisation():
    assert phone.normalize("+966 50 123 4567") == "966501234567"
    assert phone.normalize(966501234567) == "966501234567"
    for bad, reason in (("abc", "WhatsApp ID must contain digits"), (None, "Input should be a valid string"),
                        ("12345", "Phone number validation failed: Invalid phone number format")):
        with pytest.raises(phone.InvalidPhone, match=reason):
            phone.normalize(bad)


def test_capacity():
    settings = {"agent": {"total_max": 5, "per_type_max": {"1": 2, "0": 0}}, "secretary": {"total_max": 6}}
    assert role_for_source(" Frontend ") == "secretary" and role_for_source("system_agent") == "agent"
    assert role_for_source(None) == "agent"
    assert limits(settings, "agent") == limits(settings, "agent", None) and limits(settings, "agent").total == 5
    assert limits(settings, "agent", 1).per_type == 2
    assert limits(settings, "agent", 0).type_disabled
    assert limits(settings, "agent", None, 3).total == 3
    assert limits(settings, "agent", None, 9).total == 5  # an override only lowers
    assert limits(settings, "secretary", 1).per_type == 6
    assert limits({}, "secretary").total == 6
    assert limits(settings, "agent", 1).admits(4, 1) and not limits(settings, "agent", 1).admits(4, 2)
    with pytest.raises(ValueError):
        limits(settings, "agent", None, "many")


@pytest.mark.parametrize("day, starts", [
    (date(2025, 6, 1), ["11:00", "13:00", "15:00"]),   # Sunday
    (date(2025, 6, 5), ["11:00", "13:00", "15:00"]),   # Thursday
    (date(2025, 6, 6), []),                             # Friday: closed
    (date(2025, 6, 7), ["16:00", "18:00", "20:00"]),   # Saturday
    (date(2025, 3, 3), ["10:00", "12:00", "14:00"]),   # Ramadan Monday
    (date(2025, 3, 1), ["10:00", "12:00", "14:00"]),   # Ramadan Saturday
    (date(2025, 3, 7), []),                             # Ramadan Friday
])
def test_default_schedule_reproduces_the_reference(day, starts):
    schedule = day_schedule(day, DEFAULT)
    assert [to_hhmm(s) for s in schedule.starts] == starts
    assert schedule.working == bool(starts)


def test_schedule_from_config():
    config = {**DEFAULT, "custom_calendar_ranges": [], "slot_duration_hours": 1,
              "day_specific_slot_durations": [{"day_of_week": 1, "slot_duration_hours": 3}],
              "working_days": [1, 2]}
    assert [to_hhmm(s) for s in day_schedule(date(2025, 6, 2), config).starts] == ["11:00", "14:00"]  # Monday
    assert [to_hhmm(s) for s in day_schedule(date(2025, 6, 3), config).starts] == [
        "11:00", "12:00", "13:00", "14:00", "15:00", "16:00"]
    assert not day_schedule(date(2025, 6, 1), config).working
    # With the Ramadan ranges cleared, a Ramadan Monday has the ordinary (here 3-hour) slots.
    assert [to_hhmm(s) for s in day_schedule(date(2025, 3, 3), config).starts] == ["11:00", "14:00"]


def test_todays_slots_and_upcoming():
    now = datetime(2025, 6, 1, 12, 30)
    schedule = day_schedule(TODAY, DEFAULT)
    assert [to_hhmm(s) for s in remaining_starts(TODAY, schedule, now)] == ["11:00", "13:00", "15:00"]
    assert [to_hhmm(s) for s in remaining_starts(TODAY, schedule, now.replace(hour=13))] == ["13:00", "15:00"]
    assert remaining_starts(TODAY, schedule, now.replace(hour=17)) == ()
    assert is_upcoming(TODAY, time(11), timedelta(hours=2), now)
    assert not is_upcoming(TODAY, time(11), timedelta(hours=2), now.replace(hour=13))


def test_vacations():
    periods = [Period(date(2025, 6, 10), date(2025, 6, 12)), Period(date(2025, 6, 10), date(2025, 6, 20), "long")]
    assert period_containing(periods, date(2025, 6, 15)).title == "long"  # same start: both rows count
    assert period_containing(periods, date(2025, 6, 21)) is None
    info = vacation_info(periods, date(2025, 6, 1), "Closed.")
    assert info["vacation_info"]["status"] == "upcoming" and info["vacation_info"]["days_until"] == 9
    assert info["vacation_start_hijri"] == "1446-12-14"
    current = vacation_info(periods, date(2025, 6, 11), "Closed.")
    assert current["vacation_info"]["end_date"] == "2025-06-12" and current["vacation_end_gregorian"] == "2025-06-12"
    assert vacation_info(periods, date(2025, 4, 1), "Closed.") == {}
    assert normalize_periods([{"start": "2025-06-12", "end": "2025-06-10", "title": 5}]) == [
        Period(date(2025, 6, 10), date(2025, 6, 12), None)]
    for bad in ([{"start": "2025-06-12"}], [{"start": "x", "end": "y"}], ["2025-06-01"]):
        with pytest.raises(InvalidPeriod):
            normalize_periods(bad)


def test_texts():
    assert text("reservation_not_found_id", id=4) == "Reservation with ID 4 not found."
    assert text("reservation_not_found_id") == "Reservation with ID {id} not found."
    assert text("reservation_not_found_id", wrong=1) == "Reservation with ID {id} not found."
    assert text("nope") == ""
    assert text("slot_fully_booked", ar=True) == "هذا الوقت محجوز بالكامل. يرجى اختيار وقت آخر."


def test_ramadan_ranges_match_the_reference():
    ranges = [(r["start_date"], r["end_date"]) for r in ramadan_ranges()]
    assert ranges[0] == ("2022-04-02", "2022-05-01") and ranges[3] == ("2025-03-01", "2025-03-29")
    assert ranges[-1] == ("2031-12-15", "2031-12-31") and len(ranges) == 11


def test_read_migrations():
    stored = {"event_colors": {"document_stroke_color_light": "#111111", "default_event_color": 5},
              "saturday_working_hours": {"start_time": "15:00"}, "slot_capacity_settings": {"agent": {"total_max": 99}},
              "available_themes": []}
    doc, dirty = migrate_stored(stored)
    assert dirty
    assert doc["event_colors"]["document_stroke_color"] == "#facc15"  # invalid object -> defaults
    assert doc["day_specific_hours"] == [{"day_of_week": 6, "start_time": "15:00", "end_time": "22:00"}]
    assert doc["slot_capacity_settings"]["agent"]["total_max"] == 5
    assert len(doc["available_themes"]) == 15 and "saturday_working_hours" not in doc
    colors, _ = migrate_stored({"event_colors": {"document_stroke_color_dark": "#222222"}, "available_themes": ["a"],
                                "available_calendar_views": ["b"]})
    assert colors["event_colors"]["document_stroke_color"] == "#222222"
