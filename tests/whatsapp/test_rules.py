"""Pure rules of the assistant: the offline dialogue's reading of messages, the circuit breaker, backoff."""
from __future__ import annotations

import pytest

from actors.assistant.breaker import CircuitBreaker
from actors.assistant.offline import dialogue
from actors.inbound.queue import backoff_seconds
from actors.whatsapp.in_doubt import Verdict, callback_data, decide


@pytest.mark.parametrize("text, expected", [
    ("2", "book"), ("٢", "book"), ("I want to book", "book"), ("أبغى أحجز موعد", "book"),
    ("cancel my booking", "cancel"), ("ابي الغي موعدي", "cancel"), ("change my appointment", "move"),
    ("what is free?", "slots"), ("my appointment", "mine"), ("0", "menu"), ("hello", "menu"), ("xyz", None),
])
def test_intents(text, expected):
    assert dialogue.intent(text) == expected


@pytest.mark.parametrize("text, previous, expected", [
    ("hello", None, "en"), ("مرحبا", "en", "ar"), ("3", "ar", "ar"), ("3", None, "en"), ("٣", "en", "en"),
])
def test_language_follows_the_script(text, previous, expected):
    assert dialogue.language(text, previous) == expected


def test_numbers_accept_arabic_indic_digits():
    assert dialogue.number("١٢") == 12 and dialogue.number(" 3. ") == 3 and dialogue.number("three") is None


def test_breaker_opens_after_the_threshold_and_lets_one_trial_through_after_cooldown():
    now = [0.0]
    breaker = CircuitBreaker(threshold=2, cooldown=10, clock=lambda: now[0])
    assert breaker.allow()
    breaker.failure()
    assert breaker.state == "closed" and breaker.allow()
    breaker.failure()
    assert breaker.state == "open" and not breaker.allow()
    now[0] = 10.0
    assert breaker.allow() and not breaker.allow()  # one trial at a time
    breaker.failure()
    assert breaker.state == "open"
    now[0] = 20.0
    assert breaker.allow()
    breaker.success()
    assert breaker.state == "closed" and breaker.allow()


def test_backoff_doubles_and_is_capped():
    assert [backoff_seconds(n, 2.0) for n in (1, 2, 3, 4, 9, 10)] == [2.0, 4.0, 8.0, 16.0, 300.0, 300.0]
    # the default budget (12 attempts) outlasts a WhatsApp Cloud API outage of ~23 minutes
    assert sum(backoff_seconds(n, 2.0) for n in range(1, 12)) > 20 * 60


@pytest.mark.parametrize("reported, attempted_ago, expected", [
    ("wamid.1", 2.0, Verdict("accepted", wamid="wamid.1")),  # Meta reported it: never sent again
    ("wamid.1", None, Verdict("accepted", wamid="wamid.1")),  # a late callback of an attempt refused since
    ("wamid.1", 99.0, Verdict("accepted", wamid="wamid.1")),
    (None, 2.0, Verdict("wait", wait_seconds=28.0)),  # in doubt: the callback may still come
    (None, -1.0, Verdict("wait", wait_seconds=30.0)),
    (None, 30.0, Verdict("send")),  # grace passed without a callback: the unavoidable resend
    (None, None, Verdict("send")),  # never attempted, or refused with an HTTP error
])
def test_a_send_in_doubt_is_settled_by_its_callback_or_the_grace(reported, attempted_ago, expected):
    assert decide(reported, attempted_ago, 30.0) == expected


def test_callback_data_is_the_key_when_meta_accepts_its_length():
    assert callback_data("reply:12:000") == "reply:12:000"
    assert callback_data(None) is None and callback_data("") is None and callback_data("k" * 513) is None
