"""Backups: dump then restore into an empty database gives identical tables; S3 upload; retention; failures."""
# ruff: noqa: ASYNC240 - test set-up and checks touch small local files directly
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import asyncpg
import pytest

from actors.jobs.backup_settings import BackupSettings, prune_local
from actors.jobs.backups import database_backup, perform_backup
from actors.jobs.job import JobContext, JobFailed
from runtime.config import load_config
from runtime.ops_metrics import BACKUP_CONFIG_FAILURE, BACKUP_EXECUTION_FAILURE, BACKUP_FAILURES_BY_REASON
from tests.ops.support import running_services, table_fingerprints
from tests.support.database import ADMIN_URL, with_database
from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]


async def seed(db) -> None:
    await db.execute("INSERT INTO customers (wa_id, customer_name, age, age_recorded_at, document) VALUES "
                     "('966500000001', 'أحمد', 30, '2026-01-01', '{\"notes\": \"حساسية\"}'), "
                     "('966500000002', 'Sara O''Neil', NULL, NULL, NULL)")
    await db.execute("INSERT INTO reservations (wa_id, slot_date, slot_time, type) VALUES "
                     "('966500000001', '2026-03-02', '14:00', 0), ('966500000002', '2026-03-03', '09:30', 1)")
    await db.execute("INSERT INTO conversation (wa_id, role, message, local_date, local_time) VALUES "
                     "('966500000001', 'user', E'مرحبا\\nline two\\ttab', '2026-03-01', '10:00:00')")
    await db.execute("INSERT INTO notification_events (event_type, ts, data) VALUES "
                     "('reservation_created', now(), '{\"id\": 1}')")


@pytest.fixture
async def fresh_database():
    """An empty database (not migrated) to restore into."""
    name = f"mawid_restore_{uuid.uuid4().hex[:10]}"
    admin = await asyncpg.connect(ADMIN_URL)
    await admin.execute(f'CREATE DATABASE "{name}"')
    yield with_database(ADMIN_URL, name)
    await admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    await admin.close()


def mawid(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "bin" / "mawid"), *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=120, env={**os.environ, **env, "MAWID_NO_REEXEC": "1"})


async def test_cli_backup_then_restore_into_an_empty_database_is_identical(db, db_url, env, fresh_database):
    await seed(db)
    done = mawid("backup", "--no-progress", env=env)
    assert done.returncode == 0, done.stderr
    files = list(Path(env["BACKUP_DIR"]).glob("pgdump_*.sql.gz"))
    assert len(files) == 1 and files[0].name.startswith(f"pgdump_{db_url.rsplit('/', 1)[1]}_")

    restored = mawid("restore", str(files[0]), "--database-url", fresh_database, "--no-progress", env=env)
    assert restored.returncode == 0, restored.stderr
    source, copy = await table_fingerprints(db_url), await table_fingerprints(fresh_database)
    assert copy == source
    assert source["customers"][0] == 2 and source["conversation"][0] == 1

    # A database with tables is refused unless --clean; --clean replaces it.
    refused = mawid("restore", str(files[0]), "--database-url", fresh_database, "--no-progress", env=env)
    assert refused.returncode != 0 and "already has" in refused.stderr
    again = mawid("restore", "latest", "--database-url", fresh_database, "--clean", "--yes", "--no-progress",
                  env=env)
    assert again.returncode == 0, again.stderr
    assert await table_fingerprints(fresh_database) == source


async def test_a_failing_restore_changes_nothing(tmp_path, fresh_database):
    broken = tmp_path / "pgdump_broken_2026-01-01_00-00-00.sql"
    broken.write_text("CREATE TABLE kept (id int);\nINSERT INTO kept VALUES (1);\nTHIS IS NOT SQL;\n")
    done = mawid("restore", str(broken), "--database-url", fresh_database, "--no-progress",
                 env={"DATABASE_URL": fresh_database})
    assert done.returncode == 4, done.stderr
    assert "syntax error" in done.stderr
    assert await table_fingerprints(fresh_database) == {}


@pytest.fixture
def s3():
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    env = {"S3_BUCKET": "mawid-backups", "S3_PREFIX": "/backups/mawid/", "S3_ENDPOINT_URL": f"http://127.0.0.1:{port}",
           "AWS_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
           "S3_SSE": "AES256"}
    import boto3

    client = boto3.client("s3", region_name="us-east-1", endpoint_url=env["S3_ENDPOINT_URL"],
                          aws_access_key_id="testing", aws_secret_access_key="testing")
    client.create_bucket(Bucket="mawid-backups")
    yield env, client
    server.stop()


async def test_backup_uploads_to_s3_and_restores_from_it(db, db_url, env, s3, fresh_database, monkeypatch):
    s3_env, client = s3
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"):
        monkeypatch.setenv(name, s3_env[name])  # boto3 reads credentials from the environment
    await seed(db)
    settings = BackupSettings.from_config(load_config({**env, **s3_env}))
    started = datetime(2025, 11, 14, 0, 0, tzinfo=ZoneInfo("Asia/Riyadh"))  # the nightly run at Riyadh midnight
    result = await perform_backup(settings, started=started)

    stem = f"pgdump_{db_url.rsplit('/', 1)[1]}_2025-11-13_21-00-00.sql.gz"
    assert result.object_key == f"backups/mawid/{stem}"
    head = client.head_object(Bucket="mawid-backups", Key=result.object_key)
    assert head["ContentLength"] == result.size and head["ServerSideEncryption"] == "AES256"

    restored = mawid("restore", "--from-s3", "latest", "--database-url", fresh_database, "--no-progress",
                     env={**env, **s3_env})
    assert restored.returncode == 0, restored.stderr
    assert await table_fingerprints(fresh_database) == await table_fingerprints(db_url)


def test_retention_deletes_only_old_local_backups(tmp_path):
    now = datetime(2026, 3, 10, 12, tzinfo=timezone.utc)
    names = {
        "pgdump_db_2026-03-01_21-00-00.sql.gz": 9,  # days old
        "pgdump_db_2026-03-02_21-00-00.sql": 8,
        "pgdump_db_2026-03-04_21-00-00.sql.gz": 6,
        "pgdump_db_2026-03-09_21-00-00.sql.gz": 1,
        "notes.txt": 30,  # not a backup: never touched
        "pgdump_db_2026-02-01_21-00-00.sql.gz.partial": 30,
    }
    for name, age in names.items():
        path = tmp_path / name
        path.write_bytes(b"x")
        stamp = (now - timedelta(days=age)).timestamp()
        os.utime(path, (stamp, stamp))

    removed = prune_local(tmp_path, 7, now)

    assert sorted(p.name for p in removed) == ["pgdump_db_2026-03-01_21-00-00.sql.gz",
                                                "pgdump_db_2026-03-02_21-00-00.sql"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(set(names) - {p.name for p in removed})


async def test_the_nightly_job_prunes_old_dumps_and_writes_a_new_one(db, env):
    directory = Path(env["BACKUP_DIR"])
    directory.mkdir(parents=True)
    old = directory / "pgdump_x_2020-01-01_21-00-00.sql.gz"
    old.write_bytes(b"old")
    stamp = time.time() - 8 * 86400
    os.utime(old, (stamp, stamp))
    async with running_services(load_config(env)) as services:
        summary = await database_backup(JobContext(services, datetime.now(timezone.utc)))
    assert "local only" in summary and "1 old local backups deleted" in summary
    assert not old.exists()
    assert len(list(directory.glob("pgdump_*.sql.gz"))) == 1


def labelled(labels) -> float:
    try:
        return BACKUP_FAILURES_BY_REASON.get(labels)
    except KeyError:
        return 0


async def test_backup_failures_count_under_the_reference_labels(env, tmp_path):
    bad_config = load_config({**env, "PG_DUMP_COMPRESSION": "zstd"})
    unreachable = load_config({**env, "DATABASE_URL": env["DATABASE_URL"] + "_missing"})
    config_before, run_before = labelled(BACKUP_CONFIG_FAILURE), labelled(BACKUP_EXECUTION_FAILURE)
    async with running_services(load_config(env)) as services:
        services.config = bad_config
        with pytest.raises(JobFailed, match="PG_DUMP_COMPRESSION"):
            await database_backup(JobContext(services, datetime.now(timezone.utc)))
        services.config = unreachable
        with pytest.raises(JobFailed, match="pg_dump failed"):
            await database_backup(JobContext(services, datetime.now(timezone.utc)))
        services.config = load_config(env)
    assert labelled(BACKUP_CONFIG_FAILURE) == config_before + 1
    assert labelled(BACKUP_EXECUTION_FAILURE) == run_before + 1
    assert not list(Path(env["BACKUP_DIR"]).glob("*.partial"))
