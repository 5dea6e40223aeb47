"""Inbound-queue metrics, with the reference's names (spec 60 §6)."""
from __future__ import annotations

from aioprometheus import Counter, Gauge

from runtime.metrics import REGISTRY

ENQUEUED = Counter("inbound_queue_enqueued_total", "Inbound messages queued", registry=REGISTRY)
DUPLICATES = Counter("inbound_queue_enqueue_duplicate_total", "Inbound messages already queued", registry=REGISTRY)
CLAIMED = Counter("inbound_queue_claimed_total", "Queue rows claimed by a worker", registry=REGISTRY)
CLAIM_FAILURES = Counter("inbound_queue_claim_failures_total", "Failed claim attempts", registry=REGISTRY)
PROCESSED = Counter("inbound_queue_processed_total", "Queue rows processed to done", registry=REGISTRY)
ERRORS = Counter("inbound_queue_processing_errors_total", "Failed processing attempts", registry=REGISTRY)
GAVE_UP = Counter("inbound_queue_failed_total", "Queue rows that ended failed after their last attempt",
                  registry=REGISTRY)
LENGTH = Gauge("inbound_queue_length", "Pending inbound messages", registry=REGISTRY)
OLDEST_AGE = Gauge("inbound_queue_oldest_age_seconds", "Age of the oldest pending message", registry=REGISTRY)
FAILED_ROWS = Gauge("inbound_queue_failed_rows", "Queue rows in the failed state", registry=REGISTRY)
BLOCKED = Counter("inbound_queue_blocked_total", "Inbound messages ignored because the sender is blocked",
                  registry=REGISTRY)

for _counter in (CLAIMED, CLAIM_FAILURES, PROCESSED, ERRORS, GAVE_UP):
    _counter.add({}, 0)

# The webhook's request problems, as the reference counts them.
INVALID_REQUESTS = Counter("invalid_http_requests_total", "Invalid webhook requests", registry=REGISTRY)
INVALID_REQUESTS_BY_REASON = Counter("invalid_http_requests_by_reason_total",
                                     "Invalid webhook requests by reason, endpoint and method", registry=REGISTRY)
INVALID_REQUESTS.add({}, 0)


def count_invalid(reason: str, method: str, endpoint: str = "/webhook") -> None:
    INVALID_REQUESTS.inc({})
    INVALID_REQUESTS_BY_REASON.inc({"reason": reason, "endpoint": endpoint, "method": method})
