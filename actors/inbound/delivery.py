"""Pure reading of a webhook delivery: every message of every entry and change, and every status.

Meta may batch several entries, changes and messages in one delivery; each message
becomes its own queue item whose payload is a one-message delivery of the same shape,
so processing one item never depends on the rest of the batch.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

STATUS_RANK = {"sent": 1, "delivered": 2, "read": 3, "failed": 4}


@dataclass(frozen=True)
class InboundItem:
    message_id: str
    wa_id: str
    payload: dict[str, Any]


@dataclass(frozen=True)
class Delivery:
    items: list[InboundItem]
    statuses: list[dict[str, Any]]
    recognised: bool  # a WhatsApp delivery at all (object + entries), even with nothing we act on


def _dicts(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def message_key(message: dict[str, Any]) -> str:
    """The WhatsApp id, or a stable digest for the rare message without one (still deduplicated)."""
    message_id = message.get("id")
    if isinstance(message_id, str) and message_id:
        return message_id
    digest = hashlib.sha256(json.dumps(message, sort_keys=True, ensure_ascii=False).encode()).hexdigest()
    return f"noid:{digest[:40]}"


def _sender(message: dict[str, Any], contacts: list[dict[str, Any]]) -> str | None:
    sender = message.get("from")
    for contact in contacts:
        if contact.get("wa_id") and contact.get("wa_id") == sender:
            return str(contact["wa_id"])
    if len(contacts) == 1 and contacts[0].get("wa_id"):
        return str(contacts[0]["wa_id"])
    return str(sender) if sender else None


def read_delivery(body: Any) -> Delivery:
    if not isinstance(body, dict):
        return Delivery([], [], False)
    entries = _dicts(body.get("entry"))
    items: list[InboundItem] = []
    statuses: list[dict[str, Any]] = []
    for entry in entries:
        for change in _dicts(entry.get("changes")):
            value = change.get("value")
            if not isinstance(value, dict):
                continue
            statuses.extend(_dicts(value.get("statuses")))
            contacts = _dicts(value.get("contacts"))
            for message in _dicts(value.get("messages")):
                wa_id = _sender(message, contacts)
                if not wa_id:
                    continue
                contact = next((c for c in contacts if str(c.get("wa_id")) == wa_id), {"wa_id": wa_id})
                single = {k: v for k, v in value.items() if k not in ("messages", "contacts", "statuses")}
                single.update({"contacts": [contact], "messages": [message]})
                payload = {"object": body.get("object"), "entry": [{
                    "id": entry.get("id"), "changes": [{"field": change.get("field"), "value": single}]}]}
                items.append(InboundItem(message_key(message), wa_id, payload))
    return Delivery(items, statuses, bool(body.get("object")) and bool(entries))


def the_message(payload: dict[str, Any]) -> dict[str, Any]:
    """The single message of a queued payload."""
    try:
        return payload["entry"][0]["changes"][0]["value"]["messages"][0]
    except (KeyError, IndexError, TypeError):
        return {}


def failure_reason(status: dict[str, Any]) -> str:
    error = status.get("error") if isinstance(status.get("error"), dict) else {}
    errors = _dicts(status.get("errors"))
    return (error or {}).get("title") or (errors[0].get("title") if errors else None) or "delivery_failed"
