"""The pure conversion rules, table-tested."""
from __future__ import annotations

from datetime import date, datetime, time, timezone

import pytest

from actors.adoption import rules
from actors.adoption.rules import Unconvertible

CLOCKS = [
    ("14:05:33", time(14, 5, 33), "HH:MM:SS"),
    ("14:05", time(14, 5), "HH:MM"),
    ("09:00", time(9, 0), "HH:MM"),
    ("9:00", time(9, 0), "HH:MM"),
    ("00:00:00", time(0, 0), "HH:MM:SS"),
    ("23:59:59", time(23, 59, 59), "HH:MM:SS"),
    ("2:05 PM", time(14, 5), "12-hour"),
    ("03:00 PM", time(15, 0), "12-hour"),
    ("11:00 AM", time(11, 0), "12-hour"),
    ("12:00 PM", time(12, 0), "12-hour"),  # noon
    ("12:30 AM", time(0, 30), "12-hour"),  # half past midnight
    ("11:59 pm", time(23, 59), "12-hour"),
    ("1:00PM", time(13, 0), "12-hour"),
    ("1:00:15 PM", time(13, 0, 15), "12-hour"),
    (" 14:05 ", time(14, 5), "HH:MM"),
]
BAD_CLOCKS = ["25:00", "24:00", "14:60", "14:05:60", "13:00 PM", "0:30 AM", "noon", "", "14", "1400",
              "14:5", "١٤:٠٥", "14:05\n", "14.05"]


@pytest.mark.parametrize(("raw", "expected", "form"), CLOCKS)
def test_clock_time_reads_every_legacy_form(raw, expected, form):
    assert rules.clock_time(raw) == expected
    assert rules.time_format(raw) == form


@pytest.mark.parametrize("raw", BAD_CLOCKS)
def test_clock_time_refuses_what_it_cannot_read(raw):
    with pytest.raises(Unconvertible, match="unparseable time"):
        rules.clock_time(raw)
    assert rules.time_format(raw) == "unparseable"


def test_null_clock_stays_null():
    assert rules.clock_time(None) is None
    assert rules.time_format(None) == "null"


@pytest.mark.parametrize(("raw", "expected"), [("1:00 PM", time(13)), ("03:00 PM", time(15)), ("11:00", time(11))])
def test_slot_time(raw, expected):
    assert rules.slot_time(raw) == expected


@pytest.mark.parametrize(("raw", "reason"), [("11:00:30", "time_slot has seconds"), ("later", "unparseable time"),
                                              (None, "missing time_slot")])
def test_slot_time_refusals(raw, reason):
    with pytest.raises(Unconvertible, match=reason):
        rules.slot_time(raw)


@pytest.mark.parametrize(("raw", "expected"), [("2026-02-28", date(2026, 2, 28)), ("2028-02-29", date(2028, 2, 29)),
                                               ("2026-12-31", date(2026, 12, 31)), (None, None)])
def test_local_date(raw, expected):
    assert rules.local_date(raw) == expected


@pytest.mark.parametrize(("raw", "reason"), [("2026-02-29", "impossible date"), ("2026-04-31", "impossible date"),
                                              ("2026-13-01", "unparseable date"), ("26-01-01", "unparseable date"),
                                              ("2026/01/01", "unparseable date"), ("0000-01-01", "unparseable date")])
def test_local_date_refusals(raw, reason):
    with pytest.raises(Unconvertible, match=reason):
        rules.local_date(raw)


def test_local_moment_needs_both_or_neither():
    assert rules.local_moment(None, None) == (None, None)
    with pytest.raises(Unconvertible, match="date without time"):
        rules.local_moment(date(2026, 1, 1), None)
    with pytest.raises(Unconvertible, match="time without date"):
        rules.local_moment(None, time(1))


def test_naive_timestamps_are_utc():
    assert rules.naive_utc(datetime(2026, 3, 10, 9, 12, 44, 518204)) == datetime(
        2026, 3, 10, 9, 12, 44, 518204, tzinfo=timezone.utc)
    assert rules.naive_utc(None) is None


@pytest.mark.parametrize(("raw", "expected"), [
    ("2026-02-25T17:27:31Z", datetime(2026, 2, 25, 17, 27, 31, tzinfo=timezone.utc)),
    ("2026-02-25T17:27:31", datetime(2026, 2, 25, 17, 27, 31, tzinfo=timezone.utc)),
    ("2026-02-25T17:27:31.5+00:00", datetime(2026, 2, 25, 17, 27, 31, 500000, tzinfo=timezone.utc)),
])
def test_utc_stamp(raw, expected):
    assert rules.utc_stamp(raw) == expected


@pytest.mark.parametrize("raw", ["2026-02-25 17:27:31", "2026-02-30T00:00:00Z", "yesterday", None])
def test_utc_stamp_refusals(raw):
    with pytest.raises(Unconvertible):
        rules.utc_stamp(raw)


@pytest.mark.parametrize(("start", "end", "days", "expected"), [
    (date(2026, 3, 20), None, 5, date(2026, 3, 24)),
    (date(2026, 3, 20), None, 1, date(2026, 3, 20)),
    (date(2026, 3, 20), None, None, date(2026, 3, 20)),
    (date(2026, 5, 25), date(2026, 6, 1), None, date(2026, 6, 1)),
    (date(2026, 5, 25), date(2026, 6, 1), 3, date(2026, 6, 1)),  # end_date wins, as the reference reads it
])
def test_vacation_end(start, end, days, expected):
    assert rules.vacation_end(start, end, days) == expected


def test_vacation_end_refusals():
    with pytest.raises(Unconvertible, match="before"):
        rules.vacation_end(date(2026, 3, 20), date(2026, 3, 19), None)
    with pytest.raises(Unconvertible, match="below 1"):
        rules.vacation_end(date(2026, 3, 20), None, 0)


@pytest.mark.parametrize(("text", "reason"), [("{", "invalid JSON"), ("[1]", "not an object"), (None, "missing"),
                                              ('{"a": NaN}', "invalid JSON"), ('{"a": "\\u0000"}', "invalid JSON")])
def test_json_object_refusals(text, reason):
    with pytest.raises(Unconvertible, match=reason):
        rules.json_object(text)


def test_config_document_keeps_the_document_and_drops_row_columns():
    text = '{"llm_provider": "anthropic", "id": 4, "created_at": "x", "updated_at": "y", "calendar_locale": "ar"}'
    assert rules.config_document(text) == {"llm_provider": "anthropic", "calendar_locale": "ar"}
    assert rules.config_document('{"name": "\\u0639\\u064a\\u0627\\u062f\\u0629"}') == {"name": "عيادة"}


@pytest.mark.parametrize(("superuser", "role"), [(True, "admin"), (False, "staff"), (None, "staff")])
def test_user_role(superuser, role):
    assert rules.user_role(superuser) == role
