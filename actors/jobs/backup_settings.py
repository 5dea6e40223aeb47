"""Backup settings, file and object names, and local retention (spec 60 §5), without any I/O but files.

Names keep the reference's contract: `pgdump_<db>_<UTC stamp>.sql.gz` (`.sql`
uncompressed), under `<S3_PREFIX>/` in the bucket. Local copies live in
BACKUP_DIR and are deleted after RETENTION_DAYS, as the reference's backup
script did; S3 retention stays a bucket lifecycle rule, as in the reference.
"""
from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

_STAMP = "%Y-%m-%d_%H-%M-%S"
_BACKUP_FILE = re.compile(r"^pgdump_.+_\d{4}-\d{2}-\d{2}_\d{2}-\d{2}-\d{2}\.sql(\.gz)?$")


class BackupConfigError(ValueError):
    """The backup settings cannot be used; the message names the variable."""


@dataclass(frozen=True)
class BackupSettings:
    database_url: str
    directory: Path
    retention_days: int
    compression: str  # "gzip" or "none"
    dump_options: tuple[str, ...] = ()
    bucket: str | None = None
    prefix: str = ""
    region: str | None = None
    endpoint_url: str | None = None
    sse: str | None = None
    sse_kms_key_id: str | None = None

    @classmethod
    def from_config(cls, config, *, database_url: str | None = None) -> "BackupSettings":
        url = database_url or config.database_url
        if not url:
            raise BackupConfigError("DATABASE_URL is not set")
        if not url.startswith(("postgresql://", "postgres://")):
            raise BackupConfigError("DATABASE_URL must be a postgresql:// URL")
        compression = (config.pg_dump_compression or "none").strip().lower()
        if compression not in {"gzip", "none"}:
            raise BackupConfigError(f"PG_DUMP_COMPRESSION={config.pg_dump_compression!r} is invalid: gzip or none")
        try:
            options = tuple(shlex.split(config.pg_dump_options or ""))
        except ValueError as exc:
            raise BackupConfigError(f"PG_DUMP_OPTIONS cannot be split into arguments: {exc}") from None
        return cls(
            database_url=url,
            directory=Path(config.backup_dir),
            retention_days=config.retention_days,
            compression=compression,
            dump_options=options,
            bucket=(config.s3_bucket or "").strip() or None,
            prefix=(config.s3_prefix or "").strip("/"),
            region=config.aws_region or None,
            endpoint_url=config.s3_endpoint_url or None,
            sse=config.s3_sse or None,
            sse_kms_key_id=config.s3_sse_kms_key_id or None,
        )

    @property
    def database_name(self) -> str:
        return (urlsplit(self.database_url).path.lstrip("/") or "postgres").replace("-", "_")

    def file_name(self, started: datetime) -> str:
        suffix = ".sql.gz" if self.compression == "gzip" else ".sql"
        return f"pgdump_{self.database_name}_{started.astimezone(timezone.utc).strftime(_STAMP)}{suffix}"

    def object_key(self, file_name: str) -> str:
        return f"{self.prefix}/{file_name}" if self.prefix else file_name


def connection_parts(url: str) -> tuple[str, dict[str, str]]:
    """The URL without its password, and the environment that passes the password to libpq tools
    (so it never shows in a process listing)."""
    parts = urlsplit(url)
    env: dict[str, str] = {}
    netloc = parts.netloc
    if parts.password is not None:
        env["PGPASSWORD"] = unquote(parts.password)
        userinfo, _, hostport = netloc.rpartition("@")
        netloc = f"{userinfo.split(':', 1)[0]}@{hostport}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), env


def is_backup_file(path: Path) -> bool:
    return path.is_file() and bool(_BACKUP_FILE.match(path.name))


def local_backups(directory: Path) -> list[Path]:
    """Backup files in the directory, newest first."""
    if not directory.is_dir():
        return []
    return sorted((p for p in directory.iterdir() if is_backup_file(p)), key=lambda p: p.stat().st_mtime,
                  reverse=True)


def prune_local(directory: Path, retention_days: int, now: datetime) -> list[Path]:
    """Delete backup files last modified more than `retention_days` before `now`; returns them."""
    cutoff = (now - timedelta(days=retention_days)).timestamp()
    removed = []
    for path in local_backups(directory):
        if path.stat().st_mtime < cutoff:
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed
