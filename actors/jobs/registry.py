"""Every scheduled job, its schedule (cron, business time zone) and where it runs (spec 60 §4)."""
from __future__ import annotations

from actors.jobs.backups import database_backup
from actors.jobs.job import Job
from actors.jobs.maintenance import (
    gc_collect,
    prune_job_history,
    prune_notifications,
    system_metrics,
    warm_stats_days,
)
from actors.jobs.reminders import send_reminders

JOBS: tuple[Job, ...] = (
    Job("send_reminders", "0 19 * * *", send_reminders, "Tomorrow's appointment reminders (19:00 daily)"),
    Job("database_backup", "0 0 * * *", database_backup,
        "pg_dump to BACKUP_DIR, upload to S3 when configured, local retention (00:00 daily)"),
    Job("system_metrics", "*/3 * * * *", system_metrics,
        "Refresh process_cpu_percent and process_memory_bytes (every 180 s)", per_process=True),
    Job("gc_collect", "0 * * * *", gc_collect, "Forced garbage collection (hourly)", per_process=True),
    Job("prune_notifications", "*/15 * * * *", prune_notifications,
        "Keep the newest 100 notification events (every 15 min)"),
    Job("prune_job_history", "30 3 * * *", prune_job_history,
        "Delete job, reminder and status-callback history older than 90 days (03:30 daily)"),
    Job("warm_stats_days", "45 3 * * *", warm_stats_days,
        "Summarise settled days' messages for /stats (the last 400 days; 03:45 daily)"),
)


def job_named(name: str) -> Job:
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(f"no job named {name!r}; known jobs: {', '.join(j.name for j in JOBS)}")
