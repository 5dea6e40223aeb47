"""Scratch reference databases, the CLI, and checksums that survive the conversion."""
from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
import uuid
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

import asyncpg

from actors.adoption import rules
from tests.support.database import ADMIN_URL, with_database
from tests.support.requirements import shared_fixture

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_DIR = shared_fixture("reference-db")
DUMP = FIXTURE_DIR / "reference-small.sql.gz"
ANSWERS = FIXTURE_DIR / "answers.json"
PSQL = "/usr/bin/psql"
TABLES = ("customers", "conversation", "reservations", "vacation_periods", "notification_events",
          "app_config", "users", "inbound_message_queue")


async def create_database(prefix: str = "mawid_adopt_test") -> str:
    """An empty database with the collation the reference answers were recorded with."""
    name = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(
            f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
            "LC_COLLATE 'C.UTF-8' LC_CTYPE 'C.UTF-8'"
        )
    finally:
        await admin.close()
    return with_database(ADMIN_URL, name)


async def drop_database(url: str) -> None:
    admin = await asyncpg.connect(ADMIN_URL)
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')
    finally:
        await admin.close()


def restore_fixture(url: str) -> None:
    sql = gzip.decompress(DUMP.read_bytes())
    subprocess.run([PSQL, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", url], input=sql, check=True,
                   stdout=subprocess.DEVNULL)


async def reference_database() -> str:
    url = await create_database()
    restore_fixture(url)
    return url


def mawid(*args: str, database_url: str, **env: str) -> subprocess.CompletedProcess:
    """Run `bin/mawid <args>` as an operator would."""
    full_env = {**os.environ, "MAWID_NO_REEXEC": "1", "DATABASE_URL": database_url, **env}
    return subprocess.run([sys.executable, str(ROOT / "bin" / "mawid"), *args], env=full_env, cwd=ROOT,
                          capture_output=True, text=True, timeout=300)


async def database_fingerprint(url: str) -> str:
    """A checksum of the whole database: every object definition and every row."""
    conn = await asyncpg.connect(url)
    try:
        digest = hashlib.sha256()
        catalog = await conn.fetch(
            """
            SELECT n.nspname || '.' || c.relname || ':' || c.relkind::text AS item FROM pg_class c
            JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname NOT IN ('pg_catalog', 'information_schema')
              AND n.nspname NOT LIKE 'pg_toast%'
            UNION ALL SELECT table_schema || '.' || table_name || '.' || column_name || ':' || data_type
            FROM information_schema.columns WHERE table_schema NOT IN ('pg_catalog', 'information_schema')
            UNION ALL SELECT conrelid::regclass::text || ':' || pg_get_constraintdef(oid) FROM pg_constraint
            WHERE connamespace NOT IN ('pg_catalog'::regnamespace, 'information_schema'::regnamespace)
            UNION ALL SELECT pg_get_functiondef(p.oid) FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
            WHERE n.nspname NOT IN ('pg_catalog', 'information_schema') AND p.prokind = 'f'
            UNION ALL SELECT sequencename || ':' || coalesce(last_value, 0) FROM pg_sequences
            ORDER BY 1
            """
        )
        for row in catalog:
            digest.update(row["item"].encode())
        tables = await conn.fetch("SELECT schemaname, tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 2")
        for t in tables:
            rows = await conn.fetchval(
                f'SELECT md5(coalesce(string_agg(x::text, \'|\' ORDER BY x::text), \'\')) FROM public."{t[1]}" x'
            )
            digest.update(f"{t[1]}={rows}".encode())
        return digest.hexdigest()
    finally:
        await conn.close()


# ---------------------------------------------------------------------------
# Per-table content in a normal form shared by both schemas: legacy strings are
# normalised with the Python rules, typed values rendered the same way.

def _iso(value: Any) -> Any:
    if isinstance(value, datetime):
        return rules.naive_utc(value).isoformat()
    if isinstance(value, (date, time)):
        return value.isoformat()
    return value


def _json(value: str | None) -> Any:
    return None if value is None else json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False)


async def _has_column(conn: asyncpg.Connection, table: str, column: str) -> bool:
    return await conn.fetchval(
        "SELECT EXISTS (SELECT 1 FROM information_schema.columns "
        "WHERE table_schema = 'public' AND table_name = $1 AND column_name = $2)", table, column)


async def normal_rows(conn: asyncpg.Connection) -> dict[str, list[tuple]]:
    legacy = await _has_column(conn, "reservations", "time_slot")
    out: dict[str, list[tuple]] = {}
    rows = await conn.fetch("SELECT wa_id, customer_name, age, age_recorded_at, document::text AS document, "
                            "is_blocked, is_favorite FROM customers")
    out["customers"] = [(r["wa_id"], r["customer_name"], r["age"], _iso(r["age_recorded_at"] if r["age"] is not None
                         else None), _json(r["document"]), r["is_blocked"], r["is_favorite"]) for r in rows]
    if legacy:
        rows = await conn.fetch("SELECT id, wa_id, role, message, date, time FROM conversation")
        out["conversation"] = [(r["id"], r["wa_id"], r["role"], r["message"], _iso(rules.local_date(r["date"])),
                                _iso(rules.clock_time(r["time"]))) for r in rows]
        rows = await conn.fetch("SELECT * FROM reservations")
        out["reservations"] = [(r["id"], r["wa_id"], _iso(rules.local_date(r["date"])),
                                rules.slot_time(r["time_slot"]).strftime("%H:%M"), r["type"], r["status"],
                                _iso(r["cancelled_at"]), _iso(r["created_at"]), _iso(r["updated_at"])) for r in rows]
        rows = await conn.fetch("SELECT * FROM vacation_periods")
        out["vacation_periods"] = [(r["id"], _iso(r["start_date"]),
                                    _iso(rules.vacation_end(r["start_date"], r["end_date"], r["duration_days"])),
                                    r["title"], _iso(r["created_at"]), _iso(r["updated_at"])) for r in rows]
        rows = await conn.fetch("SELECT * FROM notification_events")
        out["notification_events"] = [(r["id"], r["event_type"], _iso(rules.utc_stamp(r["ts_iso"])),
                                       _json(r["data"]), _iso(r["created_at"])) for r in rows]
        row = await conn.fetchrow("SELECT * FROM app_config ORDER BY id DESC LIMIT 1")
        out["app_config"] = [(row["id"], json.dumps(rules.config_document(row["config_data"]), sort_keys=True,
                              ensure_ascii=False), _iso(row["created_at"]), _iso(row["updated_at"]))] if row else []
        payload = "payload"
    else:
        rows = await conn.fetch("SELECT id, wa_id, role, message, local_date, local_time FROM conversation")
        out["conversation"] = [(r["id"], r["wa_id"], r["role"], r["message"], _iso(r["local_date"]),
                                _iso(r["local_time"])) for r in rows]
        rows = await conn.fetch("SELECT * FROM reservations")
        out["reservations"] = [(r["id"], r["wa_id"], _iso(r["slot_date"]), r["slot_time"].strftime("%H:%M"),
                                r["type"], r["status"], _iso(r["cancelled_at"]), _iso(r["created_at"]),
                                _iso(r["updated_at"])) for r in rows]
        rows = await conn.fetch("SELECT * FROM vacation_periods")
        out["vacation_periods"] = [(r["id"], _iso(r["start_date"]), _iso(r["end_date"]), r["title"],
                                    _iso(r["created_at"]), _iso(r["updated_at"])) for r in rows]
        rows = await conn.fetch("SELECT id, event_type, ts, data::text AS data, created_at FROM notification_events")
        out["notification_events"] = [(r["id"], r["event_type"], _iso(r["ts"]), _json(r["data"]),
                                       _iso(r["created_at"])) for r in rows]
        rows = await conn.fetch("SELECT id, config::text AS config, created_at, updated_at FROM app_config")
        out["app_config"] = [(r["id"], _json(r["config"]), _iso(r["created_at"]), _iso(r["updated_at"]))
                             for r in rows]
        payload = "payload::text"
    rows = await conn.fetch("SELECT id, email, hashed_password, is_active, is_superuser, is_verified FROM users")
    out["users"] = [tuple(str(v) if k == "id" else v for k, v in r.items()) for r in rows]
    rows = await conn.fetch(f"SELECT id, message_id, wa_id, {payload} AS payload, status, attempts, created_at, "
                            "updated_at, locked_at FROM inbound_message_queue")
    out["inbound_message_queue"] = [(r["id"], r["message_id"], r["wa_id"], _json(r["payload"]), r["status"],
                                     r["attempts"], _iso(r["created_at"]), _iso(r["updated_at"]),
                                     _iso(r["locked_at"])) for r in rows]
    return out


async def table_checksums(url: str) -> dict[str, tuple[int, str]]:
    """{table: (row count, sha256 of its rows in normal form)} for a reference or a Mawid database."""
    conn = await asyncpg.connect(url)
    try:
        tables = await normal_rows(conn)
    finally:
        await conn.close()
    return {
        name: (len(rows), hashlib.sha256(repr(sorted(rows, key=repr)).encode()).hexdigest())
        for name, rows in tables.items()
    }
