"""Messages of the conversation actor (frozen dataclasses named as verbs)."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from actors.inbound.choice import Choice


class _Unset:
    """Marks a field the caller did not send (distinct from an explicit null)."""

    _instance: "_Unset | None" = None

    def __new__(cls) -> "_Unset":
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "UNSET"

    def __bool__(self) -> bool:
        return False


UNSET: Any = _Unset()


class CustomerRefusal(Exception):
    """A write the actor refused; `body` is the reference's response envelope, `status` its HTTP status."""

    def __init__(self, body: dict[str, Any], status: int = 400) -> None:
        super().__init__(body.get("message", "refused"))
        self.body = body
        self.status = status


@dataclass(frozen=True)
class AppendMessage:
    """Store one chat message (any role) and announce it; answers the wire dict of the stored row."""

    role: str
    message: str
    source: str = "backend"
    when: datetime | None = None  # aware instant; None = now. Rendered in the business time zone.


@dataclass(frozen=True)
class UpdateCustomer:
    """`PUT /customers/{wa_id}`: name / age / document, each only when sent (`UNSET` = not sent).

    `age=None` clears the age, `document=None` clears the document; `name=None` means no name change.
    Answers the reference's response body; raises CustomerRefusal (HTTP 400) for invalid input.
    """

    name: str | None = None
    age: Any = UNSET
    document: Any = UNSET
    source: str | None = None
    ar: bool = False


@dataclass(frozen=True)
class SetFavorite:
    value: bool
    source: str = "backend"


@dataclass(frozen=True)
class SetBlocked:
    value: bool
    source: str = "backend"


@dataclass(frozen=True)
class ClearConversation:
    """Delete every message of the customer (the customer row stays); answers the number deleted."""

    source: str = "backend"


@dataclass(frozen=True)
class DeleteCustomer:
    """Hard delete: reservations, messages, then the customer row (Q12); answers the rows deleted."""

    source: str = "backend"


@dataclass(frozen=True)
class ChangeWaId:
    """Move this customer to another WhatsApp id in one transaction (spec 30 §3.11 with quirk 9 fixed).

    `new_wa_id` must already be normalised (see actors.conversation.wa_id_change.change_customer_wa_id,
    which does the reference's normalisation and addresses the actor). Answers the reference's envelope.
    """

    new_wa_id: str
    new_name: str | None = None
    reservation_id: int | None = None
    source: str = "assistant"
    ar: bool = False


@dataclass(frozen=True)
class HandleInbound:
    """One queued inbound WhatsApp message for this customer (processed by actors.assistant.turn)."""

    queue_id: int
    message_id: str | None
    payload: dict = field(default_factory=dict)
    choice: Choice | None = None  # a tapped list row or button, read from the payload by the dispatcher
