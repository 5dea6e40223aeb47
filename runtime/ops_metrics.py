"""Metrics of scheduled jobs and backups, with the reference's names (spec 60 §6.2), plus Mawid's own.

Series the alert rules watch with `rate()`/`increase()` are created at 0 up
front (spec 60 Q14): a series that appears already at 1 has no increase, and the
first failure would not alert.
"""
from __future__ import annotations

from aioprometheus import Counter, Gauge, Histogram

from runtime.metrics import REGISTRY

# Shared with the assistant's tools and domain services (label `function`, the operation's name).
ASSISTANT_FUNCTION_ERRORS = Counter(
    "assistant_function_errors_total", "Errors raised by assistant functions and scheduled jobs", registry=REGISTRY
)

SCHEDULER_JOB_MISSED = Counter(
    "scheduler_job_missed_total", "Scheduled runs skipped because they started too late", registry=REGISTRY
)
SCHEDULER_JOB_MISSED_BY_REASON = Counter(
    "scheduler_job_missed_by_reason_total", "Missed scheduled runs by reason and job id", registry=REGISTRY
)
BACKUP_FAILURES = Counter("backup_script_failures_total", "Failed database backups", registry=REGISTRY)
BACKUP_FAILURES_BY_REASON = Counter(
    "backup_script_failures_by_reason_total", "Failed database backups by reason, stage and exit code",
    registry=REGISTRY,
)
BACKUP_CONFIG_FAILURE = {"reason": "config_error", "stage": "configuration", "exit_code": "config"}
BACKUP_EXECUTION_FAILURE = {"reason": "execution_failure", "stage": "pg_dump_to_s3", "exit_code": "exception"}

JOB_RUNS = Counter("mawid_job_runs_total", "Scheduled job runs by job id and outcome", registry=REGISTRY)
JOB_DURATION = Histogram(
    "mawid_job_duration_seconds", "Duration of scheduled job runs", registry=REGISTRY,
    buckets=[0.01, 0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 3600.0],
)
JOB_LAST_SUCCESS = Gauge(
    "mawid_job_last_success_timestamp_seconds", "Unix time of each job's last successful run", registry=REGISTRY
)
SCHEDULER_LEADER = Gauge(
    "mawid_scheduler_leader", "1 while this process is the scheduler leader, else 0", registry=REGISTRY
)
REMINDERS = Counter("mawid_reminders_total", "Appointment reminders by outcome", registry=REGISTRY)
BACKUP_LAST_SUCCESS = Gauge(
    "mawid_backup_last_success_timestamp_seconds", "Unix time of the last successful backup", registry=REGISTRY
)
BACKUP_SIZE = Gauge("mawid_backup_size_bytes", "Size of the last successful backup file", registry=REGISTRY)

JOB_OUTCOMES = ("ok", "error", "skipped", "missed")
REMINDER_OUTCOMES = ("sent", "failed", "skipped_blocked", "already_sent")


def _precreate() -> None:
    for counter in (SCHEDULER_JOB_MISSED, BACKUP_FAILURES):
        counter.set({}, 0)
    for labels in (BACKUP_CONFIG_FAILURE, BACKUP_EXECUTION_FAILURE):
        BACKUP_FAILURES_BY_REASON.set(labels, 0)
    for outcome in REMINDER_OUTCOMES:
        REMINDERS.set({"outcome": outcome}, 0)
    SCHEDULER_LEADER.set({}, 0)


def precreate_job(job: str) -> None:
    """Zero series for one job, so its first failure or miss shows as an increase."""
    for outcome in JOB_OUTCOMES:
        JOB_RUNS.set({"job_id": job, "outcome": outcome}, 0)
    ASSISTANT_FUNCTION_ERRORS.set({"function": f"scheduler_job_{job}"}, 0)
    SCHEDULER_JOB_MISSED_BY_REASON.set({"reason": "missed_start_deadline", "job_id": job}, 0)


_precreate()
