"""Staff talk to the calendar AI through POST /whatsapp/message (spec 50 §9): store, then ask the agent's actor.

The operator's message is stored at once (no broadcast: the dashboard shows it
already) and answered later, inside the system agent's conversation actor, off the
request and off the event loop's critical path (spec 50 Q10).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from actors.conversation.actor import ConversationActor
from actors.conversation.messages import HandleInbound
from runtime.db import QUERIES

if TYPE_CHECKING:
    from runtime.services import Services

log = logging.getLogger("mawid.assistant")

SYSTEM_AGENT_PAYLOAD = {"system_agent": True}


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
    ref = services.actors.ref(ConversationActor, services.config.system_agent_wa_id)
    try:
        await ref.ask(HandleInbound(0, None, dict(SYSTEM_AGENT_PAYLOAD)), timeout=600)
    except Exception:
        log.exception("system agent turn failed")
