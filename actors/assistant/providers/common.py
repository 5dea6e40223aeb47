"""What every provider loop shares: history, tools, tool-row persistence, limits, error metrics."""
from __future__ import annotations

import html
import json
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from actors.assistant.metrics import (
    API_RETRY_ATTEMPTS,
    API_RETRY_EXHAUSTED,
    API_RETRY_LAST,
    LLM_API_ERRORS,
    LLM_API_ERRORS_DETAILED,
    LLM_EMPTY,
    LLM_RETRIES,
)
from actors.assistant.prompt import system_agent_prompt, system_prompt
from actors.assistant.tools import INTERACTIVE_RESULT_KEY, TOOLS, customer_tools, execute
from runtime.db import QUERIES
from runtime.tracing import span

if TYPE_CHECKING:
    from actors.assistant.port import Conversation
    from runtime.services import Services

log = logging.getLogger("mawid.assistant")

MAX_TOOL_ROUNDS = 10
MAX_OUTPUT_TOKENS = 4096
CLIENTS_KEY = "llm_clients"


class EmptyAnswer(Exception):
    """The provider answered, but with nothing to send (e.g. every output token spent thinking)."""

    def __init__(self, provider: str, reason: str) -> None:
        super().__init__(f"{provider} answered with nothing usable: {reason}")
        self.provider = provider
        self.reason = reason


@dataclass
class TurnContext:
    conversation: "Conversation"
    provider: str
    history: list[dict[str, str]]
    prompt: str
    tools: dict[str, Any] = field(default_factory=lambda: TOOLS)
    offers: list[dict[str, Any]] = field(default_factory=list)  # interactive lists the tools built this turn

    @property
    def services(self) -> "Services":
        return self.conversation.services

    @property
    def wa_id(self) -> str:
        return self.conversation.key

    @classmethod
    async def load(cls, conversation: "Conversation", provider: str) -> "TurnContext":
        services = conversation.services
        is_agent = conversation.key == services.config.system_agent_wa_id
        rows = await services.require_pool().fetch(QUERIES.assistant_history, conversation.key,
                                                    services.config.llm_context_messages_limit)
        history = []
        for row in rows:
            role = "user" if row["role"] == "user" or (is_agent and row["role"] in ("secretary", "admin")) \
                else "assistant"
            history.append({"role": role, "content": row["message"]})
        prompt = system_agent_prompt(services.config) if is_agent else system_prompt(services.config)
        tools = TOOLS if is_agent else await customer_tools(services)  # the system agent brings its own
        return cls(conversation, provider, history, prompt, tools)

    async def call_tool(self, name: str, args: Any) -> dict[str, Any]:
        """Run a tool for this conversation's customer, with the call and the result stored for the dashboard."""
        await self._store("Tool", name, args)
        result = await execute(self.services, self.wa_id, name, args, provider=self.provider)
        offer = result.pop(INTERACTIVE_RESULT_KEY, None) if isinstance(result, dict) else None
        if offer is not None:  # sent with the reply, not shown to the model
            self.offers.append(offer)
        await self._store("Result", name, result)
        return result

    async def _store(self, label: str, name: str, value: Any) -> None:
        pretty = html.escape(json.dumps(value, ensure_ascii=False, indent=2, default=str))
        row = (f'<details class="details"><summary>{label}: {html.escape(name)}</summary><div><pre>'
               f'<code class="language-json">{pretty}</code></pre></div></details>')
        try:
            await self.conversation.append("tool", row, source="assistant")
        except Exception:
            log.exception("could not store a tool row for %s", self.wa_id)


@contextmanager
def llm_request(provider: str, model: str) -> Iterator[Any]:
    """One span per request to a provider: who, which model, how long, tokens — never the text sent or received."""
    started = time.perf_counter()
    with span("llm.request", **{"llm.provider": provider, "llm.model": model}) as current:
        outcome = "error"
        try:
            yield current
            outcome = "ok"
        finally:
            current.set_attribute("mawid.llm.outcome", outcome)
            current.set_attribute("mawid.llm.latency_ms", round((time.perf_counter() - started) * 1000, 1))


def record_tokens(current: Any, input_tokens: Any, output_tokens: Any) -> None:
    """Token counts as the SDK reports them (absent from some responses)."""
    if isinstance(input_tokens, int):
        current.set_attribute("mawid.llm.input_tokens", input_tokens)
    if isinstance(output_tokens, int):
        current.set_attribute("mawid.llm.output_tokens", output_tokens)


def client_cache(services: "Services") -> dict[str, Any]:
    return services.extras.setdefault(CLIENTS_KEY, {})


def classify(exc: BaseException) -> tuple[str, bool]:
    """(error_type, retry-eligible) in the reference's vocabulary."""
    name = type(exc).__name__
    status = getattr(exc, "status_code", None) or getattr(exc, "code", None)
    text = str(exc).lower()
    if "timeout" in name.lower() or "timed out" in text:
        return "timeout", True
    if status == 429 or "ratelimit" in name.lower():
        return "rate_limit", True
    if status in (401, 403) or "authentication" in name.lower() or "permission" in name.lower():
        return "authentication", False
    if "context" in text and "length" in text:
        return "context_length", False
    if isinstance(status, int) and status >= 500:
        return "server", True
    if "connection" in name.lower() or "connect" in text:
        return "network", True
    if status == 400 or "badrequest" in name.lower():
        return "bad_request", False
    return f"unknown::{name}", False


RUN_FUNCTIONS = {"anthropic": "run_claude", "openai": "run_openai", "gemini": "run_gemini"}


def count_error(provider: str, exc: BaseException) -> None:
    error_type, retryable = classify(exc)
    exception_type = type(exc).__name__
    function = RUN_FUNCTIONS.get(provider, provider)
    API_RETRY_EXHAUSTED.inc({"function": function, "exception_type": exception_type})
    LLM_API_ERRORS.inc({"provider": provider, "error_type": error_type})
    if provider == "openai":
        status = getattr(exc, "status_code", None)
        LLM_API_ERRORS_DETAILED.inc({"provider": provider, "error_type": error_type, "exception_type": exception_type,
                                     "http_status": "" if status is None else str(status), "function": function})
    if retryable:
        LLM_RETRIES.inc({"provider": provider, "error_type": error_type})
        API_RETRY_ATTEMPTS.inc({"exception_type": exception_type})
        API_RETRY_LAST.set({"exception_type": exception_type}, time.time())


def count_empty(provider: str, response_type: str) -> None:
    LLM_EMPTY.inc({"provider": provider, "response_type": response_type})


def parse_arguments(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        value = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return value if isinstance(value, dict) else {}
