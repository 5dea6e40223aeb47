"""`/metrics` of the full app exposes every name of spec 60 §6 with its type (and the actor runtime's)."""
from __future__ import annotations

import importlib.util
import re

import pytest

from runtime.metrics import REGISTRY

# spec 60 §6.2, counters with their exported `_total` name, and the owning module of names other areas define.
CATALOG: dict[str, tuple[str, str]] = {
    "http_requests_total": ("counter", "runtime.metrics"),
    "http_request_duration_seconds": ("histogram", "runtime.metrics"),
    "reservations_requested_total": ("counter", "actors.reservation.metrics"),
    "reservations_successful_total": ("counter", "actors.reservation.metrics"),
    "reservations_failed_total": ("counter", "actors.reservation.metrics"),
    "reservations_failed_by_reason_total": ("counter", "actors.reservation.metrics"),
    "reservations_cancellation_requested_total": ("counter", "actors.reservation.metrics"),
    "reservations_cancellation_successful_total": ("counter", "actors.reservation.metrics"),
    "reservations_cancellation_failed_total": ("counter", "actors.reservation.metrics"),
    "reservations_cancellation_failed_by_reason_total": ("counter", "actors.reservation.metrics"),
    "reservations_modification_requested_total": ("counter", "actors.reservation.metrics"),
    "reservations_modification_successful_total": ("counter", "actors.reservation.metrics"),
    "reservations_modification_failed_total": ("counter", "actors.reservation.metrics"),
    "reservations_modification_failed_by_reason_total": ("counter", "actors.reservation.metrics"),
    "api_retry_attempts_total": ("counter", "actors.assistant"),
    "api_retry_last_timestamp_seconds": ("gauge", "actors.assistant"),
    "api_retry_exhausted_total": ("counter", "actors.assistant"),
    "process_cpu_percent": ("gauge", "runtime.process_metrics"),
    "process_memory_bytes": ("gauge", "runtime.process_metrics"),
    "assistant_function_errors_total": ("counter", "runtime.ops_metrics"),
    "llm_api_errors_total": ("counter", "actors.assistant"),
    "llm_api_errors_detailed_total": ("counter", "actors.assistant"),
    "llm_tool_execution_errors_total": ("counter", "actors.assistant"),
    "llm_retry_attempts_total": ("counter", "actors.assistant"),
    "llm_empty_responses_total": ("counter", "actors.assistant"),
    "whatsapp_message_failures_total": ("counter", "actors.whatsapp.metrics"),
    "whatsapp_message_failures_by_reason_total": ("counter", "actors.whatsapp.metrics"),
    "scheduler_job_missed_total": ("counter", "runtime.ops_metrics"),
    "scheduler_job_missed_by_reason_total": ("counter", "runtime.ops_metrics"),
    "backup_script_failures_total": ("counter", "runtime.ops_metrics"),
    "backup_script_failures_by_reason_total": ("counter", "runtime.ops_metrics"),
    "invalid_http_requests_total": ("counter", "actors.whatsapp.metrics"),
    "invalid_http_requests_by_reason_total": ("counter", "actors.whatsapp.metrics"),
    "concurrent_task_limit_reached_total": ("counter", "actors.whatsapp.metrics"),
    "concurrent_task_limit_reached_by_reason_total": ("counter", "actors.whatsapp.metrics"),
    "inbound_queue_enqueued_total": ("counter", "actors.inbound"),
    "inbound_queue_enqueue_duplicate_total": ("counter", "actors.inbound"),
    "inbound_queue_claimed_total": ("counter", "actors.inbound"),
    "inbound_queue_claim_failures_total": ("counter", "actors.inbound"),
    "inbound_queue_processed_total": ("counter", "actors.inbound"),
    "inbound_queue_processing_errors_total": ("counter", "actors.inbound"),
    "inbound_queue_length": ("gauge", "actors.inbound"),
    "inbound_queue_oldest_age_seconds": ("gauge", "actors.inbound"),
}

# spec 60 §6.1: the client library's standard series; and what Mawid adds (actor runtime, jobs).
STANDARD = {
    "process_cpu_seconds_total": "counter", "process_resident_memory_bytes": "gauge",
    "process_virtual_memory_bytes": "gauge", "process_start_time_seconds": "gauge", "process_open_fds": "gauge",
    "process_max_fds": "gauge", "python_info": "gauge", "python_gc_objects_collected_total": "counter",
    "python_gc_objects_uncollectable_total": "counter", "python_gc_collections_total": "counter",
}
MAWID = {
    "mawid_actors_active": "gauge", "mawid_actor_mailbox_depth": "gauge", "mawid_actor_message_seconds": "histogram",
    "mawid_actor_messages_total": "counter", "mawid_actor_failures_total": "counter",
    "mawid_job_runs_total": "counter", "mawid_job_duration_seconds": "histogram",
    "mawid_scheduler_leader": "gauge", "mawid_reminders_total": "counter",
}
# Unlabelled counters are exported from the start at 0 (spec 60 §6.1); the dashboard reads these.
UNLABELLED_AT_ZERO = [
    "reservations_requested_total", "reservations_successful_total", "reservations_failed_total",
    "reservations_cancellation_requested_total", "reservations_cancellation_successful_total",
    "reservations_cancellation_failed_total", "reservations_modification_requested_total",
    "reservations_modification_successful_total", "reservations_modification_failed_total",
    "scheduler_job_missed_total", "backup_script_failures_total",
]

TYPE_LINE = re.compile(r"^# TYPE (\S+) (\S+)$", re.MULTILINE)


def _module_missing(module: str) -> bool:
    try:
        return importlib.util.find_spec(module) is None
    except ModuleNotFoundError:
        return True


@pytest.fixture
def env(env):
    return {**env, "SCHEDULER_ENABLED": "true"}  # the full app as `serve` runs it


@pytest.fixture
async def exposition(client):
    response = await client.get("/metrics")
    assert response.status == 200
    assert response.headers["Content-Type"].startswith("text/plain")
    return await response.text()


def _types(text: str) -> dict[str, str]:
    return dict(TYPE_LINE.findall(text))


PENDING: dict[str, str] = {}  # every catalog name is defined now


async def test_every_catalog_name_is_exposed_with_its_type(exposition):
    types = _types(exposition)
    # A labelled series appears in the exposition only after its first increment: a name defined in the
    # registry with the right type counts too.
    types = {**{name: c.kind.name for name, c in REGISTRY.collectors.items()}, **types}
    wrong = {name: (kind, types.get(name), owner) for name, (kind, owner) in CATALOG.items() if types.get(name) != kind}
    pending = {name for name, (_, found, owner) in wrong.items()
               if found is None and (name in PENDING or _module_missing(owner))}
    broken = {name: f"expected {kind}, got {found or 'nothing'} (owner {owner})"
              for name, (kind, found, owner) in wrong.items() if name not in pending}
    assert not broken, broken
    if pending:
        pytest.xfail("not defined yet by their owners: " + "; ".join(
            f"{name} ({PENDING.get(name) or CATALOG[name][1] + ' is missing'})" for name in sorted(pending)))


async def test_standard_and_mawid_series_are_exposed(exposition):
    types = _types(exposition)
    assert {name: types.get(name) for name in STANDARD} == STANDARD
    assert {name: types.get(name) for name in MAWID} == MAWID
    assert re.search(r'^python_info\{.*implementation="CPython".*\} 1', exposition, re.MULTILINE)
    assert re.search(r'^python_gc_collections_total\{generation="0"\} \d+', exposition, re.MULTILINE)
    assert re.search(r"^process_memory_bytes [1-9]\d*", exposition, re.MULTILINE)  # sampled at start, not 0


async def test_unlabelled_counters_start_at_zero_and_alerted_series_are_precreated(exposition):
    for name in UNLABELLED_AT_ZERO:
        if name.startswith("reservations_") and _module_missing("actors.reservation.metrics"):
            continue
        assert re.search(rf"^{name} \d", exposition, re.MULTILINE), f"{name} has no sample"
    # spec 60 Q14: both backup failure series exist (at 0 until a failure) before the first failure, so it alerts.
    # Values are not checked: other tests in this process may have counted failures already.
    for series in (
        'backup_script_failures_by_reason_total{exit_code="config",reason="config_error",stage="configuration"}',
        'backup_script_failures_by_reason_total{exit_code="exception",reason="execution_failure",'
        'stage="pg_dump_to_s3"}',
        'scheduler_job_missed_by_reason_total{job_id="send_reminders",reason="missed_start_deadline"}',
    ):
        assert re.search("^" + re.escape(series) + r" \d", exposition, re.MULTILINE), series
