"""`backup` and `restore`: database dumps with progress bars, local by default, S3 when configured (spec 60 §5).

Exit codes follow the reference's manual backup: 2 configuration error, 4 the
backup (or restore) failed.
"""
from __future__ import annotations

import asyncio
import tempfile
from datetime import datetime, timezone
from pathlib import Path

import click
from tqdm import tqdm

from actors.jobs import backup_io
from actors.jobs.backup_settings import BackupConfigError, BackupSettings, local_backups
from actors.jobs.backups import perform_backup
from runtime.config import ConfigError, load_config
from runtime.db import QUERIES
from runtime.db_connect import connect

CONFIG_ERROR, FAILED = 2, 4


def _settings(database_url: str | None = None, directory: str | None = None, upload: bool = True) -> BackupSettings:
    try:
        config = load_config()
        overrides = {}
        if directory:
            overrides["backup_dir"] = directory
        if not upload:
            overrides["s3_bucket"] = None
        return BackupSettings.from_config(config.replace(**overrides), database_url=database_url)
    except (ConfigError, BackupConfigError) as exc:
        click.echo(f"configuration error: {exc}", err=True)
        raise SystemExit(CONFIG_ERROR) from None


def _bar(description: str, total: int | None, enabled: bool) -> tqdm:
    return tqdm(total=total, desc=description, unit="B", unit_scale=True, unit_divisor=1024, disable=not enabled,
                leave=True)


class _BackupBars:
    """tqdm bars for the dump (size unknown ahead) and the upload (size of the dump file)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.dump = _bar("dump", None, enabled)
        self.upload: tqdm | None = None

    def dumped(self, count: int) -> None:
        self.dump.update(count)

    def upload_started(self, total: int) -> None:
        self.dump.close()
        self.upload = _bar("upload", total, self.enabled)

    def uploaded(self, count: int) -> None:
        if self.upload is not None:
            self.upload.update(count)

    def close(self) -> None:
        self.dump.close()
        if self.upload is not None:
            self.upload.close()


def _list(settings: BackupSettings) -> None:
    for path in local_backups(settings.directory):
        stamp = datetime.fromtimestamp(path.stat().st_mtime, timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        click.echo(f"local  {stamp}Z  {path.stat().st_size:>14,}  {path}")
    if settings.bucket:
        for item in backup_io.remote_backups(settings):
            click.echo(f"s3     {item['modified']:%Y-%m-%d %H:%M:%S}Z  {item['size']:>14,}  "
                       f"s3://{settings.bucket}/{item['key']}")


@click.command("backup")
@click.option("--dir", "directory", type=click.Path(file_okay=False), help="Local directory (default: BACKUP_DIR).")
@click.option("--no-upload", is_flag=True, help="Keep the dump local even when S3_BUCKET is set.")
@click.option("--list", "list_only", is_flag=True, help="List local (and S3) backups, newest first, and exit.")
@click.option("--progress/--no-progress", default=True, help="Show progress bars (default: on).")
def backup(directory: str | None, no_upload: bool, list_only: bool, progress: bool) -> None:
    """Dump the database now: BACKUP_DIR, then S3 when S3_BUCKET is set; old local dumps are pruned."""
    settings = _settings(directory=directory, upload=not no_upload)
    if list_only:
        _list(settings)
        return
    target = f"s3://{settings.bucket}/{settings.prefix or '<root>'}" if settings.bucket else "no upload"
    click.echo(f"backing up {settings.database_name} to {settings.directory} ({settings.compression}; {target})")
    bars = _BackupBars(progress)
    try:
        result = asyncio.run(perform_backup(settings, progress=bars))
    except Exception as exc:
        click.echo(f"backup failed: {exc}", err=True)
        raise SystemExit(FAILED) from None
    finally:
        bars.close()
    click.echo(f"file: {result.path}")
    click.echo(f"bytes: {result.size:,}  compression: {result.compression}  duration: {result.seconds:.1f}s")
    if result.object_key:
        click.echo(f"uploaded: s3://{settings.bucket}/{result.object_key}")
    for path in result.pruned:
        click.echo(f"deleted (older than {settings.retention_days} days): {path.name}")


async def _prepare_target(url: str, clean: bool) -> int:
    conn = await connect(url)
    try:
        tables = await conn.fetchval(QUERIES.backup_target_table_count)
        if tables and clean:
            await conn.execute(QUERIES.backup_reset_public_schema)
        return tables
    finally:
        await conn.close()


def _fetch_from_s3(settings: BackupSettings, key: str, workdir: Path, progress: bool) -> Path:
    if key in ("", "latest"):
        found = backup_io.remote_backups(settings)
        if not found:
            raise click.ClickException(f"no backups under s3://{settings.bucket}/{settings.prefix}")
        key = found[0]["key"]
    target = workdir / Path(key).name
    with _bar(f"download {Path(key).name}", backup_io.remote_size(settings, key), progress) as bar:
        backup_io.download(settings, key, target, bar.update)
    return target


@click.command("restore")
@click.argument("source", required=False, default="latest")
@click.option("--from-s3", is_flag=True, help="SOURCE is an object key in S3_BUCKET ('latest': the newest).")
@click.option("--database-url", help="Database to restore into (default: DATABASE_URL).")
@click.option("--clean", is_flag=True, help="Drop and recreate the public schema first if it has tables.")
@click.option("--yes", is_flag=True, help="Do not ask before --clean drops the existing data.")
@click.option("--progress/--no-progress", default=True, help="Show progress bars (default: on).")
def restore(source: str, from_s3: bool, database_url: str | None, clean: bool, yes: bool, progress: bool) -> None:
    """Restore a backup (a file, 'latest' local, or an S3 key with --from-s3) into an empty database.

    Runs in one transaction and stops at the first error, so a failed restore changes nothing.
    """
    settings = _settings(database_url=database_url)
    with tempfile.TemporaryDirectory(prefix="mawid-restore-") as workdir:
        if from_s3:
            if not settings.bucket:
                click.echo("configuration error: --from-s3 needs S3_BUCKET", err=True)
                raise SystemExit(CONFIG_ERROR)
            path = _fetch_from_s3(settings, source, Path(workdir), progress)
        elif source == "latest":
            found = local_backups(settings.directory)
            if not found:
                raise click.ClickException(f"no backups in {settings.directory}")
            path = found[0]
        else:
            path = Path(source)
            if not path.is_file():
                raise click.ClickException(f"no such backup file: {path}")
        if clean and not yes:
            click.confirm(f"Drop every table of {settings.database_name} and restore {path.name}?", abort=True)
        tables = asyncio.run(_prepare_target(settings.database_url, clean))
        if tables and not clean:
            raise click.ClickException(
                f"{settings.database_name} already has {tables} tables; restore into an empty database or pass --clean")
        click.echo(f"restoring {path.name} into {settings.database_name}")
        with _bar("restore", path.stat().st_size, progress) as bar:
            try:
                backup_io.restore(settings.database_url, path, bar.update)
            except backup_io.BackupError as exc:
                click.echo(str(exc), err=True)
                raise SystemExit(FAILED) from None
    click.echo("restore complete")
