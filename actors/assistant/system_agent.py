"""The system agent's turn (spec 50 §9): the configured LLM answers staff with batch reservation tools.

It runs inside the system agent's conversation actor (started by
`actors.conversation.system_agent`); nothing is ever sent to WhatsApp.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from runtime.events import publish

if TYPE_CHECKING:
    from actors.assistant.port import Conversation

log = logging.getLogger("mawid.assistant")

NO_PROVIDER_REPLY = ("The calendar assistant needs an LLM provider: set OPENAI_API_KEY, ANTHROPIC_API_KEY or "
                     "GEMINI_API_KEY.")


async def run_system_agent(conversation: "Conversation") -> dict[str, Any]:
    """The agent's turn: LLM with the system tools over the stored history; reply stored and broadcast."""
    from actors.assistant.engine import select_provider
    from actors.assistant.providers import run_provider
    from actors.assistant.system_tools import SYSTEM_TOOLS

    services = conversation.services
    wa_id = conversation.key
    try:
        provider = await select_provider(services)
        if provider == "offline":
            reply = NO_PROVIDER_REPLY
        else:
            reply = await run_provider(provider, conversation, tools=SYSTEM_TOOLS)
    except Exception:
        log.exception("system agent failed to respond")
        await publish(services, "system_agent_error", {"wa_id": wa_id, "error": "System agent failed to respond.",
                                                       "_source": "system_agent"}, [wa_id])
        return {"status": "error"}
    if reply:
        await conversation.append("assistant", reply, source="system_agent")
    return {"status": "replied" if reply else "no_reply"}
