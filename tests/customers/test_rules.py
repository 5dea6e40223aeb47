"""Pure customer rules, table-tested without a database."""
from __future__ import annotations

from datetime import date

import pytest

from actors.customers.analytics import stats_window, tokenize, trend
from actors.customers.phone import (
    calling_code_of,
    is_registered,
    normalize_wa_id,
    phone_error,
    region_of,
    single_region_of_prefix,
)
from actors.customers.profile import AgeError, clean_name, coerce_age, effective_age, has_document
from actors.customers.search import SearchTerms, day_bounds, escape_like, parse_instant_date


@pytest.mark.parametrize(("wa_id", "expected"), [
    ("966501234567", None),
    ("+966501234567", None),
    ("abc", "Phone number length is invalid (should be between 8-15 digits)."),
    ("1234567", "Phone number length is invalid (should be between 8-15 digits)."),
    ("1234567890123456", "Phone number length is invalid (should be between 8-15 digits)."),
    ("000000000000", "Invalid phone number: (0) Could not interpret numbers after plus-sign."),
    ("966000000000", "Invalid phone number format."),
])
def test_phone_error(wa_id, expected):
    assert phone_error(wa_id) == expected


def test_phone_error_in_arabic():
    assert phone_error("abc", ar=True).startswith("طول رقم الهاتف")


@pytest.mark.parametrize(("raw", "expected"), [
    ("966501234567", "966501234567"), ("+966 50 123 4567", "966501234567"), ("00966501234567", None),
    ("(966) 50-123-4567", "966501234567"), ("12125550123", "12125550123"),
])
def test_normalize_wa_id(raw, expected):
    if expected is None:
        with pytest.raises(ValueError):
            normalize_wa_id(raw)
    else:
        assert normalize_wa_id(raw) == expected


@pytest.mark.parametrize(("wa_id", "region"), [
    ("966501234567", "SA"), ("966666666666", "SA"), ("201012345678", "EG"), ("971501234567", "AE"),
    ("13105550178", "US"), ("12125550123", "US"), ("447400123456", "GB"), ("447911123456", "GG"),
    ("447700900123", None), ("999123", None), ("0123", None),
])
def test_region_of(wa_id, region):
    assert region_of(wa_id) == region


def test_prefix_groups_agree_with_parsing():
    for wa_id in ("966501234567", "966666666666", "201012345678", "971501234567", "96551234567", "20101"):
        region, shared = single_region_of_prefix(wa_id[:3], len(wa_id))
        assert shared is None and region == region_of(wa_id), wa_id
    assert single_region_of_prefix("131", 11) == (None, 1)  # +1 is shared: parse each number
    assert calling_code_of("0966") is None


@pytest.mark.parametrize(("name", "wa_id", "registered"), [
    ("Sara", "966501234567", True), (None, "966501234567", False), ("", "966501234567", False),
    ("966501234567", "966501234567", False), ("+966501234567", "966501234567", False),
    ("966-501-234 567", "966501234567", False), (" Sara", "966501234567", True),
])
def test_registered_names(name, wa_id, registered):
    assert is_registered(name, wa_id) is registered


@pytest.mark.parametrize(("raw", "clean"), [
    ("  Sara  ", "Sara"), ("\\u0623\\u062d\\u0645\\u062f", "أحمد"), ("u0623u062du0645u062f", "أحمد"),
    ("John u0", "John u0"), ("أحمد", "أحمد"),
    # spec 20 Q28: only unicode escapes are decoded; other backslash sequences and real letters stay as typed
    ("Sara\\nAli \\u0041", "Sara\\nAli A"), ("أحمد \\u0623", "أحمد أ"),
])
def test_name_repair(raw, clean):
    assert clean_name(raw) == clean


@pytest.mark.parametrize(("value", "age"), [("30", 30), (30.9, 30), (True, 1), (None, None), (0, 0), (120, 120)])
def test_age_coercion(value, age):
    assert coerce_age(value) == age


@pytest.mark.parametrize(("value", "message"), [
    ("abc", "Age must be a whole number between 0 and 120"), (121, "Age must be between 0 and 120"),
    (-1, "Age must be between 0 and 120"), ({}, None), ([1], None), ("1e400", None),
])
def test_age_refusals(value, message):
    with pytest.raises(AgeError) as caught:
        coerce_age(value)
    if message:
        assert str(caught.value) == message


@pytest.mark.parametrize(("today", "age"), [
    (date(2025, 3, 14), 30), (date(2025, 3, 15), 31), (date(2027, 1, 1), 32), (date(2024, 1, 1), 30),
])
def test_effective_age_worked_example(today, age):
    assert effective_age(30, date(2024, 3, 15), today) == age
    assert effective_age(None, date(2024, 3, 15), today) is None
    assert effective_age(30, None, today) == 30


@pytest.mark.parametrize(("document", "has"), [
    ({"type": "tldraw", "snapshot": {"document": {"store": {}}}}, True),
    ({"type": "tldraw", "snapshot": {"document": {"instance:1": {}, "camera:1": {}}}}, False),
    ({"document": {"pointer:1": {}, "shape:1": {}}}, True),
    ({"document": {"presence": 1}}, False), ({}, False), (None, False), ([1], False), ("x", False),
])
def test_has_document(document, has):
    assert has_document(document) is has


def test_search_terms():
    assert SearchTerms.parse("   ") is None
    assert SearchTerms.parse("\x00") is None
    john = SearchTerms.parse(" John ")
    assert (john.name, john.phone, john.like_pattern) == ("John", "John", None)
    spaced = SearchTerms.parse("+966 512-345")
    assert (spaced.phone, spaced.like_pattern) == ("966512345", "%966512345%")
    assert SearchTerms.parse("-").like_pattern is None  # quirk 10: no digits, no substring rule
    assert SearchTerms.parse("5_%").like_pattern == "%5\\_\\%%"
    assert len(SearchTerms.parse("x" * 10_000).name) == 200
    assert escape_like("a\\b") == "a\\\\b"


def test_directory_dates_are_business_zone_days():
    from zoneinfo import ZoneInfo

    riyadh = ZoneInfo("Asia/Riyadh")
    # the dashboard sends local midnight as a UTC instant: it is the next day in Riyadh (quirk 15)
    assert parse_instant_date("2025-03-09T21:00:00.000Z", riyadh) == date(2025, 3, 10)
    assert parse_instant_date("2025-03-10T20:59:59.999Z", riyadh) == date(2025, 3, 10)
    assert parse_instant_date("2025-03-10", riyadh) == date(2025, 3, 10)
    start, end = day_bounds(date(2025, 3, 10), None)
    assert (start.isoformat(), end.isoformat()) == ("2025-03-10T00:00:00", "2025-03-10T23:59:59.999999")
    assert day_bounds(None, None) is None
    with pytest.raises(ValueError):
        parse_instant_date("yesterday", riyadh)


def test_tokenizer_example():
    text = "Hello, I'd like to book 2 appointments at 10:30! مرحبا، أريد حجز ٣ مواعيد؟ snake_case"
    assert tokenize(text) == ["hello", "like", "book", "appointments", "مرحبا،", "أريد", "حجز", "مواعيد؟", "snake_case"]


def test_stats_window():
    today = date(2025, 3, 20)
    w = stats_window(date(2025, 3, 1), date(2025, 3, 10), today)
    assert (w.start, w.end, w.previous_start, w.previous_end) == (
        date(2025, 3, 1), date(2025, 3, 10), date(2025, 2, 19), date(2025, 2, 28))
    default = stats_window(None, None, today)
    assert (default.start, default.end, default.days) == (date(2025, 2, 19), today, 30)
    assert stats_window(None, date(2026, 1, 1), today).end == today
    swapped = stats_window(date(2025, 3, 10), date(2025, 3, 1), today)
    assert (swapped.start, swapped.end) == (date(2025, 3, 1), date(2025, 3, 10))
    future = stats_window(date(2025, 4, 1), None, today)  # quirk 22: never past today
    assert (future.start, future.end) == (today, today)


@pytest.mark.parametrize(("current", "previous", "higher", "change", "positive"), [
    (5, 2, True, 150.0, True), (2, 0, False, 100.0, False), (0, 0, False, 0.0, True), (0, 0, True, 0.0, False),
    (60.0, 4.0, False, 1400.0, False), (2 / 3 * 100, 100.0, True, -33.33333333333333, False),
])
def test_trend(current, previous, higher, change, positive):
    result = trend(current, previous, higher)
    assert result["percentChange"] == pytest.approx(change) and result["isPositive"] is positive


@pytest.mark.parametrize("counts", [[], [5], [5, 2, 1], [1, 2, 3, 4], [3, 3, 1, 7, 7, 7], [2, 2]])
def test_count_histogram_matches_statistics(counts):
    import statistics
    from collections import Counter

    from actors.customers.analytics import CountHistogram

    histogram = CountHistogram.of(Counter(counts).items())
    assert histogram.customers == len(counts)
    assert histogram.median() == (statistics.median(counts) if counts else 0.0)
    assert histogram.largest == max(counts, default=0)
    repeat = [n for n in counts if n >= 2]
    assert histogram.mean_of(2, offset=1) == (statistics.mean(n - 1 for n in repeat) if repeat else 0.0)
