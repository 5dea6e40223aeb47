"""What an assistant turn needs from the conversation it runs in, and nothing more.

The conversation actor owns a customer's writes and runs their turns one at a time; the
assistant only needs to know who the customer is, keep its dialogue state, store a message
(announced like any other) and reach the shared services (database, sends, tools). Typing
the assistant against this port instead of `ConversationActor` keeps the dependency one
way: `actors.conversation` imports the assistant, never the reverse (import-linter checks).
"""
from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol
from zoneinfo import ZoneInfo

if TYPE_CHECKING:
    from actors.inbound.choice import Choice
    from runtime.services import Services


class Conversation(Protocol):
    """One customer's conversation, as seen from inside their turn."""

    key: str  # the customer's wa_id
    assistant_state: dict[str, Any]  # the offline dialogue's live state, kept between turns

    @property
    def services(self) -> "Services": ...

    @property
    def zone(self) -> ZoneInfo: ...

    async def append(self, role: str, message: str, *, source: str = "backend",
                     when: datetime | None = None) -> dict[str, Any]:
        """Store a message in the conversation and announce it; answers the stored item."""
        ...


class InboundTurn(Protocol):
    """The queued inbound message a turn answers."""

    queue_id: int
    message_id: str | None
    payload: dict
    choice: "Choice | None"  # a tapped list row or button, already read from the payload
