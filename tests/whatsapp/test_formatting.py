"""Pure text rules: WhatsApp formatting and splitting long replies (nothing silently unsent)."""
from __future__ import annotations

from actors.inbound.delivery import read_delivery
from actors.whatsapp.formatting import format_for_whatsapp, split_text
from tests.whatsapp.fakes import fixture


def test_formatting_drops_citations_and_converts_bold():
    assert format_for_whatsapp("  **Hello** there【4:0†source】  ") == "*Hello* there"


def test_short_text_is_one_message():
    assert split_text("hello") == ["hello"]


def test_long_text_splits_on_paragraphs_then_sentences_within_the_limit():
    paragraphs = [f"Sentence number {i} is here. " * 40 for i in range(6)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    parts = split_text(text, limit=1000)
    assert len(parts) > 1 and all(len(p) <= 1000 for p in parts)
    assert "".join(parts).replace("\n", "").replace(" ", "") == text.replace("\n", "").replace(" ", "")


def test_a_word_longer_than_the_limit_is_cut_not_dropped():
    parts = split_text("x" * 2500, limit=1000)
    assert [len(p) for p in parts] == [1000, 1000, 500]


def test_every_message_of_a_batch_is_read_with_its_own_sender():
    delivery = read_delivery(fixture("batch_two_customers.json"))
    assert [(i.message_id, i.wa_id) for i in delivery.items] == [
        ("wamid.batch0001", "966501234567"), ("wamid.batch0002", "201001234567"), ("wamid.batch0003", "966501234567")]
    single = delivery.items[1].payload["entry"][0]["changes"][0]["value"]
    assert single["contacts"] == [{"profile": {"name": "Omar"}, "wa_id": "201001234567"}]
    assert [m["id"] for m in single["messages"]] == ["wamid.batch0002"]


def test_unknown_shapes_are_not_errors():
    for body in (None, [], {"object": "x", "entry": []}, {"entry": [{"changes": [None, {"value": 3}]}]}):
        delivery = read_delivery(body)
        assert delivery.items == [] and delivery.statuses == []
