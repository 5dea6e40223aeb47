"""The offline dialogue's state: kept on the conversation actor, saved with each reply, read back when the
actor is activated again."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from runtime.db import QUERIES

if TYPE_CHECKING:
    from actors.assistant.port import Conversation


async def load_state(conversation: "Conversation") -> dict[str, Any]:
    """The actor's state, or the one saved with the last reply when the actor was just activated."""
    if not conversation.assistant_state.get("offline_loaded"):
        saved = await conversation.services.require_pool().fetchval(QUERIES.assistant_state_get, conversation.key)
        conversation.assistant_state.update(saved or {})
        conversation.assistant_state["offline_loaded"] = True
    return conversation.assistant_state


def commit_state(conversation: "Conversation", state: dict[str, Any] | None) -> None:
    if state is not None:
        conversation.assistant_state.clear()
        conversation.assistant_state.update(state, offline_loaded=True)
