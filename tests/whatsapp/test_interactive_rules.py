"""Pure rules of interactive messages: Meta's limits on what we build, and reading taps in Meta's shapes."""
from __future__ import annotations

import pytest

from actors.assistant.offers import parse_slot_id, slot_id, slot_list, slots_from_search
from actors.inbound.choice import Choice, read_choice
from actors.inbound.delivery import read_delivery, the_message
from actors.jobs.reminder_text import parse_quick_reply, quick_reply_payload
from actors.whatsapp.interactive import Row, Section, button_message, fallback_text, list_message
from tests.whatsapp.fakes import fixture


def test_a_list_keeps_at_most_ten_rows_over_its_sections_and_clips_titles():
    sections = [Section(f"Day {d} with a very long section title", tuple(
        Row(f"r{d}-{i}", f"Row title that is far too long {i}", "d" * 100) for i in range(4))) for d in range(4)]
    built = list_message("Pick one", "A button label over twenty", sections)
    kept = built["action"]["sections"]
    assert sum(len(s["rows"]) for s in kept) == 10 and len(kept) == 3
    assert all(len(s["title"]) <= 24 for s in kept)
    assert all(len(r["title"]) <= 24 and len(r["description"]) <= 72 for s in kept for r in s["rows"])
    assert len(built["action"]["button"]) <= 20 and built["type"] == "list"


def test_reply_buttons_are_at_most_three():
    built = button_message("Sure?", [("a", "Yes"), ("b", "No"), ("c", "Later"), ("d", "Never")])
    assert [b["reply"]["id"] for b in built["action"]["buttons"]] == ["a", "b", "c"]
    assert all(b["type"] == "reply" for b in built["action"]["buttons"])
    with pytest.raises(ValueError):
        button_message("Sure?", [])


def test_fallback_text_numbers_the_choices():
    built = button_message("Sure?", [("a", "Yes"), ("b", "No")])
    assert fallback_text(built) == "Sure?\n1. Yes\n2. No"


def test_slot_rows_name_their_slot_and_group_by_day():
    search = {"success": True, "data": {"appointments": [
        {"gregorian_date": "2026-12-08", "time_slots": [{"time_slot": "10:00 AM"}, {"time_slot": "11:00 AM"}]},
        {"gregorian_date": "2026-12-09", "time_slots": [{"time_slot": "1:00 PM"}]}]}}
    slots = slots_from_search(search)
    built = slot_list(slots, "Choose", "Times", lambda day: f"Day {day}")
    sections = built["action"]["sections"]
    assert [s["title"] for s in sections] == ["Day 2026-12-08", "Day 2026-12-09"]
    assert sections[0]["rows"][1] == {"id": "slot:2026-12-08|11:00 AM", "title": "11:00 AM"}
    assert parse_slot_id(slot_id("2026-12-09", "1:00 PM")) == {"date": "2026-12-09", "time": "1:00 PM"}
    assert parse_slot_id("type:1") is None and parse_slot_id("slot:nope") is None


@pytest.mark.parametrize("name, expected", [
    ("interactive_list_reply.json", Choice("list_reply", "slot:2026-01-03|10:00 AM", "10:00 AM",
                                           "wamid.outbound0002")),
    ("interactive_button_reply.json", Choice("button_reply", "confirm", "Confirm", "wamid.outbound0001")),
    ("template_quick_reply.json", Choice("quick_reply", "remind:confirm:42", "Confirm", "wamid.reminder0001")),
    ("text.json", None),
    ("reaction.json", None),
])
def test_taps_are_read_from_meta_deliveries(name, expected):
    delivery = read_delivery(fixture(name))
    assert len(delivery.items) == 1
    assert read_choice(the_message(delivery.items[0].payload)) == expected


@pytest.mark.parametrize("message", [
    {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": {"title": "no id"}}},
    {"type": "interactive", "interactive": {"type": "list_reply", "list_reply": "flat"}},
    {"type": "interactive", "interactive": {"type": "nfm_reply", "nfm_reply": {"id": "x"}}},
    {"type": "button", "button": {"payload": "x" * 300}},
    {"type": "button", "button": None},
    "not a message",
])
def test_malformed_taps_are_not_choices(message):
    assert read_choice(message) is None


@pytest.mark.parametrize("payload, expected", [
    ("remind:confirm:42", ("confirm", 42)), ("remind:reschedule:7", ("reschedule", 7)),
    ("remind:cancel:1", ("cancel", 1)), ("remind:delete:1", None), ("remind:confirm:x", None),
    ("remind:confirm:99999999999", None), ("slot:2026-01-03|10:00 AM", None), ("confirm", None),
])
def test_reminder_quick_reply_payloads(payload, expected):
    assert parse_quick_reply(payload) == expected
    if expected is not None:
        assert quick_reply_payload(*expected) == payload
