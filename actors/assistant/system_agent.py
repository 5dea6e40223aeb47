"""The system agent (spec 50 §9): staff talk to a calendar AI through POST /whatsapp/message.

The operator's message is stored at once (no broadcast: the dashboard shows it
already) and answered later by the configured LLM with batch reservation tools. The
turn runs inside the system agent's conversation actor, off the request and off the
event loop's critical path (spec 50 Q10); nothing is ever sent to WhatsApp.
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from runtime.db import QUERIES
from runtime.events import publish

if TYPE_CHECKING:
    from actors.conversation.actor import ConversationActor
    from runtime.services import Services

log = logging.getLogger("mawid.assistant")

SYSTEM_AGENT_PAYLOAD = {"system_agent": True}
NO_PROVIDER_REPLY = ("The calendar assistant needs an LLM provider: set OPENAI_API_KEY, ANTHROPIC_API_KEY or "
                     "GEMINI_API_KEY.")


async def start_system_agent_turn(services: "Services", text: str) -> dict[str, Any]:
    config = services.config
    now = datetime.now(ZoneInfo(config.timezone)).replace(microsecond=0)
    async with services.require_pool().acquire() as conn, conn.transaction():
        await conn.execute(QUERIES.whatsapp_ensure_customer, config.system_agent_wa_id, config.system_agent_name)
        await conn.execute(QUERIES.whatsapp_conversation_insert, config.system_agent_wa_id, "secretary", text,
                           now.date(), now.time().replace(tzinfo=None))
    await services.jobs.spawn(_ask_agent(services))
    return {"status": "ok", "data": {"request_timestamp": now.strftime("%Y-%m-%d %H:%M:%S")}}


async def _ask_agent(services: "Services") -> None:
    from actors.conversation.actor import ConversationActor
    from actors.conversation.messages import HandleInbound

    ref = services.actors.ref(ConversationActor, services.config.system_agent_wa_id)
    try:
        await ref.ask(HandleInbound(0, None, dict(SYSTEM_AGENT_PAYLOAD)), timeout=600)
    except Exception:
        log.exception("system agent turn failed")


async def run_system_agent(conversation: "ConversationActor") -> dict[str, Any]:
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
