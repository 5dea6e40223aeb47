"""Who answers a customer: the configured LLM provider, or the offline assistant.

The provider comes from the app config's `llm_provider` (env LLM_PROVIDER when the
config cannot be read); a provider without an API key cannot answer, so the env
provider is tried next and, failing that, the built-in offline assistant answers.
A provider that fails, or answers with no text, falls back to the offline assistant for
that message (a customer never gets silence), and a circuit breaker stops calling a
provider for a while when it keeps failing.

A tapped list row or button is answered by the offline dialogue whatever the provider
(its ids name what was chosen), and so is the rest of a booking a tap started.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from actors.assistant.breaker import CircuitBreaker
from actors.assistant.metrics import FALLBACKS

if TYPE_CHECKING:
    from actors.assistant.port import Conversation
    from actors.inbound.choice import Choice
    from runtime.services import Services

log = logging.getLogger("mawid.assistant")

API_KEYS = {"openai": "openai_api_key", "anthropic": "anthropic_api_key", "gemini": "gemini_api_key"}
BREAKERS_KEY = "llm_breakers"


@dataclass(frozen=True)
class Answer:
    text: str | None
    state: dict[str, Any] | None = None  # the offline assistant's dialogue state, saved with the reply
    engine: str = "offline"
    interactive: dict[str, Any] | None = None  # a list or reply buttons to send instead of the text


async def configured_provider(services: "Services") -> str | None:
    try:
        from actors.app_config.store import current_app_config

        provider = (await current_app_config(services)).get("llm_provider")
    except Exception as exc:  # the reference falls back to the environment when the config cannot be read
        log.info("app config unreadable, using LLM_PROVIDER: %r", exc)
        return None
    return str(provider).lower() if provider else None


async def select_provider(services: "Services") -> str:
    env = services.config.llm_provider
    for candidate in (await configured_provider(services) or env, env):
        if candidate == "offline":
            return "offline"
        if candidate in API_KEYS and getattr(services.config, API_KEYS[candidate]):
            return candidate
    return "offline"


def preload_providers(config) -> None:
    """Import the SDKs of providers that have a key now: a first import inside a turn blocks the loop for seconds."""
    import importlib

    for name, key in API_KEYS.items():
        if getattr(config, key):
            importlib.import_module(f"actors.assistant.providers.{name}_provider")


def breaker_for(services: "Services", provider: str) -> CircuitBreaker:
    breakers = services.extras.setdefault(BREAKERS_KEY, {})
    if provider not in breakers:
        breakers[provider] = CircuitBreaker(services.config.llm_breaker_failures, services.config.llm_breaker_cooldown)
    return breakers[provider]


async def respond_to_choice(conversation: "Conversation", choice: "Choice") -> Answer | None:
    from actors.assistant.offline import assistant as offline

    return await offline.respond_to_choice(conversation, choice)


async def respond(conversation: "Conversation", text: str) -> Answer:
    from actors.assistant.offline import assistant as offline

    services = conversation.services
    provider = await select_provider(services)
    if provider != "offline" and not await offline.mid_dialogue(conversation):
        breaker = breaker_for(services, provider)
        if breaker.allow():
            from actors.assistant.providers import run_provider
            from actors.assistant.providers.common import EmptyAnswer

            offers: list[dict[str, Any]] = []
            try:
                reply = await run_provider(provider, conversation, offers=offers)
            except EmptyAnswer as exc:  # the provider is up; this answer had nothing in it
                breaker.success()
                log.warning("%s; the offline assistant answers", exc, extra={"wa_id": conversation.key,
                                                                             "provider": provider})
                FALLBACKS.inc({"provider": provider, "reason": "empty"})
            except Exception as exc:
                breaker.failure()
                log.warning("LLM provider %s failed (breaker %s): %r", provider, breaker.state, exc,
                            extra={"wa_id": conversation.key, "provider": provider})
                FALLBACKS.inc({"provider": provider, "reason": "error"})
            else:
                breaker.success()
                if reply:
                    return Answer(reply, None, provider, offers[-1] if offers else None)
                log.warning("LLM provider %s answered no text; the offline assistant answers", provider,
                            extra={"wa_id": conversation.key, "provider": provider})
                FALLBACKS.inc({"provider": provider, "reason": "empty"})
        else:
            FALLBACKS.inc({"provider": provider, "reason": "circuit_open"})
    return await offline.respond(conversation, text)
