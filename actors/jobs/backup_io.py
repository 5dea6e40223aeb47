"""Dump, restore and move backups: `pg_dump`/`psql` subprocesses and S3 through boto3.

Everything here is blocking (subprocess pipes, gzip level 9, boto3 transfers)
and is meant to run in a worker thread (`asyncio.to_thread`), so a nightly dump
never stalls the event loop. `progress(n)` is called with each chunk's byte
count, for the CLI's progress bars.
"""
from __future__ import annotations

import glob
import gzip
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from actors.jobs.backup_settings import BackupSettings, connection_parts

Progress = Callable[[int], None]
CHUNK = 256 * 1024


class BackupError(RuntimeError):
    """A dump, restore or transfer failed; the message says which step and why."""


def pg_tool(name: str) -> str:
    """`pg_dump`/`psql` from PATH, else the newest server version's bin directory (Debian layout)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
                        key=lambda p: int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0)
    if candidates:
        return candidates[-1]
    raise BackupError(f"{name} is not installed (install the PostgreSQL client tools)")


def _noop(_: int) -> None:
    pass


def _read(stream) -> str:
    stream.seek(0)
    return stream.read().decode(errors="replace").strip()


def dump(settings: BackupSettings, target: Path, progress: Progress = _noop) -> int:
    """Plain-SQL `pg_dump --no-owner --no-privileges` into `target` (gzip level 9 when configured).

    Written to `<target>.partial` and renamed when complete, so a failed dump never
    leaves a file that looks like a backup. Returns the size of the file.
    """
    url, env = connection_parts(settings.database_url)
    # The generated token-signing key stays out of backups: a leaked dump must not let anyone sign access
    # tokens for the live server (a restore generates a new key; users log in again, docs/security.md).
    command = [pg_tool("pg_dump"), "--no-owner", "--no-privileges", "--format=plain",
               "--exclude-table-data=auth_secrets", *settings.dump_options, f"--dbname={url}"]
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    # stderr goes to a file: a pipe left unread while stdout streams could fill up and stall pg_dump.
    with tempfile.TemporaryFile() as stderr, subprocess.Popen(
        command, stdout=subprocess.PIPE, stderr=stderr, env={**os.environ, **env}
    ) as proc:
        try:
            with open(partial, "wb") as raw:
                out = gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9) if settings.compression == "gzip" else raw
                try:
                    while chunk := proc.stdout.read(CHUNK):
                        out.write(chunk)
                        progress(len(chunk))
                finally:
                    if out is not raw:
                        out.close()
            code = proc.wait()
            errors = _read(stderr)
        except BaseException:
            proc.kill()
            partial.unlink(missing_ok=True)
            raise
    if code != 0:
        partial.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed with exit code {code}: {errors}")
    partial.replace(target)
    return target.stat().st_size


def restore(database_url: str, source: Path, progress: Progress = _noop) -> None:
    """Feed a plain-SQL dump (gzipped or not) to `psql`, stopping at the first error, in one transaction:
    a failed restore leaves the database as it was (the reference's restore reported partial success)."""
    url, env = connection_parts(database_url)
    command = [pg_tool("psql"), "-X", "-q", "-v", "ON_ERROR_STOP=1", "--single-transaction", f"--dbname={url}"]
    with tempfile.TemporaryFile() as stderr, subprocess.Popen(
        command, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=stderr, env={**os.environ, **env}
    ) as proc:
        try:
            with open(source, "rb") as raw:
                reader = gzip.GzipFile(fileobj=raw) if source.name.endswith(".gz") else raw
                done = 0  # progress counts bytes of the file read, compressed or not
                while chunk := reader.read(CHUNK):
                    proc.stdin.write(chunk)
                    position = raw.tell()
                    progress(position - done)
                    done = position
        except BrokenPipeError:
            pass  # psql stopped on an error; its message is read below
        except BaseException:
            proc.kill()
            raise
        finally:
            if not proc.stdin.closed:
                try:
                    proc.stdin.close()
                except BrokenPipeError:
                    pass
        code = proc.wait()
        errors = _read(stderr)
    if code != 0:
        raise BackupError(f"restore failed (psql exit code {code}), nothing was changed: {errors}")


def s3_client(settings: BackupSettings):
    import boto3  # imported on use: only deployments that upload need it loaded

    return boto3.client("s3", region_name=settings.region, endpoint_url=settings.endpoint_url)


def upload(settings: BackupSettings, source: Path, key: str, progress: Progress = _noop) -> None:
    extra: dict[str, str] = {}
    if settings.sse:
        extra["ServerSideEncryption"] = settings.sse
        if settings.sse == "aws:kms" and settings.sse_kms_key_id:
            extra["SSEKMSKeyId"] = settings.sse_kms_key_id
    s3_client(settings).upload_file(str(source), settings.bucket, key, ExtraArgs=extra or None, Callback=progress)


def download(settings: BackupSettings, key: str, target: Path, progress: Progress = _noop) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    s3_client(settings).download_file(settings.bucket, key, str(target), Callback=progress)


def remote_size(settings: BackupSettings, key: str) -> int:
    return int(s3_client(settings).head_object(Bucket=settings.bucket, Key=key)["ContentLength"])


def remote_backups(settings: BackupSettings) -> list[dict]:
    """Objects under the prefix, newest first: {key, size, modified}."""
    paginator = s3_client(settings).get_paginator("list_objects_v2")
    prefix = f"{settings.prefix}/" if settings.prefix else ""
    found = [
        {"key": item["Key"], "size": item["Size"], "modified": item["LastModified"]}
        for page in paginator.paginate(Bucket=settings.bucket, Prefix=prefix)
        for item in page.get("Contents", [])
        if Path(item["Key"]).name.startswith("pgdump_")
    ]
    return sorted(found, key=lambda item: item["modified"], reverse=True)
