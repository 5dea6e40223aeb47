"""The reference's reservation metrics (spec 60 §6.2, spec 20 §12); names and labels are the contract.

Unlabelled counters are exported from start at 0 (the dashboard reads them).
`assistant_function_errors_total{function}` is the shared one of `runtime.ops_metrics`.
"""
from __future__ import annotations

from aioprometheus import Counter

from runtime.metrics import REGISTRY
from runtime.ops_metrics import ASSISTANT_FUNCTION_ERRORS  # noqa: F401  (shared, re-exported)


def _counter(name: str, doc: str, *, zero: bool = True) -> Counter:
    counter = Counter(name, doc, registry=REGISTRY)
    if zero:
        counter.set({}, 0)
    return counter


REQUESTED = _counter("reservations_requested_total", "Reserve operations called")
SUCCESSFUL = _counter("reservations_successful_total", "Reserve operations that succeeded")
FAILED = _counter("reservations_failed_total", "Reserve operations that raised")
FAILED_BY_REASON = _counter("reservations_failed_by_reason_total", "Reserve failures by reason", zero=False)

MODIFY_REQUESTED = _counter("reservations_modification_requested_total", "Modify operations called")
MODIFY_SUCCESSFUL = _counter("reservations_modification_successful_total", "Modify operations that succeeded")
MODIFY_FAILED = _counter("reservations_modification_failed_total", "Modify operations that raised")
MODIFY_FAILED_BY_REASON = _counter("reservations_modification_failed_by_reason_total", "Modify failures by reason",
                                   zero=False)

CANCEL_REQUESTED = _counter("reservations_cancellation_requested_total", "Cancel operations called")
CANCEL_SUCCESSFUL = _counter("reservations_cancellation_successful_total", "Cancel operations that succeeded")
CANCEL_FAILED = _counter("reservations_cancellation_failed_total", "Cancel operations that raised")
CANCEL_FAILED_BY_REASON = _counter("reservations_cancellation_failed_by_reason_total", "Cancel failures by reason",
                                   zero=False)



def by_reason(counter: Counter, reason: str) -> None:
    counter.inc({"reason": reason, "endpoint": "n/a", "method": "n/a"})
