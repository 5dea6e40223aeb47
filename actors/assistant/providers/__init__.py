"""LLM providers behind one call: `run_provider(name, conversation) -> reply text or None`.

Each provider module uses its official SDK (openai, anthropic, google-genai), with the
base URL configurable so tests and benchmarks point them at local fakes.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from actors.assistant.providers.common import TurnContext

if TYPE_CHECKING:
    from actors.assistant.port import Conversation


async def run_provider(name: str, conversation: "Conversation", tools: dict | None = None,
                       offers: list | None = None) -> str | None:
    """The provider's reply; interactive lists its tools built on the way are appended to `offers`."""
    if name == "openai":
        from actors.assistant.providers.openai_provider import run
    elif name == "anthropic":
        from actors.assistant.providers.anthropic_provider import run
    elif name == "gemini":
        from actors.assistant.providers.gemini_provider import run
    else:
        raise ValueError(f"Unknown LLM_PROVIDER: {name}")
    turn = await TurnContext.load(conversation, name)
    if tools is not None:
        turn.tools = tools
    if offers is not None:
        turn.offers = offers
    return await run(turn)
