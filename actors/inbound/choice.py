"""A customer's tap, read from an inbound message: a list row, a reply button, or a template's quick reply.

Meta delivers a list pick as `type: interactive` with `interactive.list_reply {id, title,
description}`, a reply button as `interactive.button_reply {id, title}`, and a template's
quick-reply button as `type: button` with `button {payload, text}`. All three become one
`Choice`: what was chosen (`id`, the id or payload we sent) and what the customer saw (`title`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

ID_LIMIT = 256


@dataclass(frozen=True)
class Choice:
    kind: str  # "list_reply" | "button_reply" | "quick_reply"
    id: str
    title: str
    replied_to: str | None = None  # the wamid of our message the customer answered (context.id)


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""


def read_choice(message: dict[str, Any]) -> Choice | None:
    """The choice a message carries, or None (not a tap, or a malformed one)."""
    if not isinstance(message, dict):
        return None
    context = message.get("context") if isinstance(message.get("context"), dict) else {}
    replied_to = _text(context.get("id")) or None
    kind = message.get("type")
    if kind == "interactive" and isinstance(message.get("interactive"), dict):
        interactive = message["interactive"]
        sub = interactive.get("type")
        if sub in ("list_reply", "button_reply") and isinstance(interactive.get(sub), dict):
            reply = interactive[sub]
            ident = _text(reply.get("id"))
            if ident and len(ident) <= ID_LIMIT:
                return Choice(sub, ident, _text(reply.get("title")) or ident, replied_to)
        return None
    if kind == "button" and isinstance(message.get("button"), dict):
        button = message["button"]
        ident = _text(button.get("payload")) or _text(button.get("text"))
        if ident and len(ident) <= ID_LIMIT:
            return Choice("quick_reply", ident, _text(button.get("text")) or ident, replied_to)
    return None
