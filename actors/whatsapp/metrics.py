"""WhatsApp metrics, with the reference's names (spec 60 §6)."""
from __future__ import annotations

from aioprometheus import Counter

from runtime.metrics import REGISTRY

MESSAGE_FAILURES = Counter(
    "whatsapp_message_failures_total", "WhatsApp messages that failed (delivery status or send)", registry=REGISTRY
)
MESSAGE_FAILURES_BY_REASON = Counter(
    "whatsapp_message_failures_by_reason_total", "WhatsApp message failures by reason and message type",
    registry=REGISTRY,
)
STATUS_CALLBACKS = Counter(
    "whatsapp_status_callbacks_total", "Delivery status callbacks received, by status", registry=REGISTRY
)
OUTBOUND_MESSAGES = Counter(
    "whatsapp_outbound_messages_total", "Outbound WhatsApp messages by kind and delivery (sent, outbox, failed)",
    registry=REGISTRY,
)
# The reference counted webhook messages that found all its processing slots busy. Mawid's webhook only
# writes the durable queue and never refuses or drops for load, so these stay at 0; kept for dashboards.
CONCURRENT_LIMIT_REACHED = Counter(
    "concurrent_task_limit_reached_total", "Webhook messages refused for lack of processing slots (never in Mawid)",
    registry=REGISTRY,
)
CONCURRENT_LIMIT_REACHED_BY_REASON = Counter(
    "concurrent_task_limit_reached_by_reason_total", "The same, by reason, endpoint and method", registry=REGISTRY
)
MESSAGE_FAILURES.add({}, 0)
CONCURRENT_LIMIT_REACHED.add({}, 0)
CONCURRENT_LIMIT_REACHED_BY_REASON.add({"reason": "semaphore_saturated", "endpoint": "/webhook", "method": "POST"}, 0)


def count_failure(reason: str, message_type: str, *, total: bool = True) -> None:
    if total:
        MESSAGE_FAILURES.inc({})
    MESSAGE_FAILURES_BY_REASON.inc({"reason": reason or "unknown", "message_type": message_type})
