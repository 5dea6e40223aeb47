"""`database_backup`: the nightly dump (00:00 business time), shared with `bin/mawid backup` (spec 60 §4.3, §5).

Mawid dumps from the service with `pg_dump` (the reference ran it inside a
custom PostgreSQL image through an untrusted PL/Python function, spec 60 Q20):
always into BACKUP_DIR, then uploaded to S3-compatible storage when S3_BUCKET is
set, then local copies older than RETENTION_DAYS are deleted. Failures count
under the reference's labels so its `BackupScriptFailure` alert keeps working.
"""
from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

from actors.jobs import backup_io
from actors.jobs.backup_settings import BackupConfigError, BackupSettings, prune_local
from actors.jobs.job import JobContext, JobFailed
from runtime.ops_metrics import (
    ASSISTANT_FUNCTION_ERRORS,
    BACKUP_CONFIG_FAILURE,
    BACKUP_EXECUTION_FAILURE,
    BACKUP_FAILURES,
    BACKUP_FAILURES_BY_REASON,
    BACKUP_LAST_SUCCESS,
    BACKUP_SIZE,
)

log = logging.getLogger("mawid.jobs.backup")

ERRORS_LABEL = {"function": "run_database_backup"}


@dataclass(frozen=True)
class BackupResult:
    path: Path
    size: int
    compression: str
    object_key: str | None  # None: not uploaded (no S3_BUCKET)
    pruned: tuple[Path, ...]
    seconds: float


class ProgressReport(Protocol):
    """What `bin/mawid backup` shows; called from the worker thread doing the work."""

    def dumped(self, count: int) -> None: ...

    def upload_started(self, total: int) -> None: ...

    def uploaded(self, count: int) -> None: ...


async def perform_backup(
    settings: BackupSettings, *, started: datetime | None = None, progress: ProgressReport | None = None
) -> BackupResult:
    """Dump, upload when configured, prune old local copies. Raises BackupError (or a boto3 error)."""
    started = started or datetime.now(timezone.utc)
    clock = time.perf_counter()
    name = settings.file_name(started)
    path = settings.directory / name
    size = await asyncio.to_thread(backup_io.dump, settings, path, *((progress.dumped,) if progress else ()))
    key = None
    if settings.bucket:
        key = settings.object_key(name)
        if progress:
            progress.upload_started(size)
        await asyncio.to_thread(backup_io.upload, settings, path, key, *((progress.uploaded,) if progress else ()))
    pruned = await asyncio.to_thread(prune_local, settings.directory, settings.retention_days, started)
    return BackupResult(path, size, settings.compression, key, tuple(pruned), time.perf_counter() - clock)


def _count_failure(labels: dict[str, str]) -> None:
    BACKUP_FAILURES.inc({})
    BACKUP_FAILURES_BY_REASON.inc(labels)
    ASSISTANT_FUNCTION_ERRORS.inc(ERRORS_LABEL)


async def database_backup(ctx: JobContext) -> str:
    try:
        settings = BackupSettings.from_config(ctx.services.config)
    except BackupConfigError as exc:
        _count_failure(BACKUP_CONFIG_FAILURE)
        log.error("Failed to build backup configuration: %s", exc)
        raise JobFailed(f"configuration: {exc}") from exc
    try:
        result = await perform_backup(settings)
    except Exception as exc:
        _count_failure(BACKUP_EXECUTION_FAILURE)
        log.exception("Database backup failed: %s", exc)
        raise JobFailed(f"{type(exc).__name__}: {exc}") from exc
    BACKUP_LAST_SUCCESS.set({}, time.time())
    BACKUP_SIZE.set({}, result.size)
    where = f"s3 key {result.object_key}" if result.object_key else "local only (S3_BUCKET unset)"
    summary = (f"Database backup completed: {result.path.name}, {result.size:,} bytes, {result.compression}, "
               f"{where}, {len(result.pruned)} old local backups deleted, {result.seconds:.1f}s")
    log.info(summary)
    return summary
