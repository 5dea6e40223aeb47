"""The reference's synthetic database (shared/fixtures/reference-db) converted into Mawid's schema.

The dump is restored once per test session into a scratch database with `psql`, its rows are read and
converted (text dates/times to typed values, legacy 12-hour times parsed, naive UTC timestamps made
aware), and `load_into(conn)` copies them into a test database.
"""
from __future__ import annotations

import asyncio
import gzip
import json
import os
import subprocess
import uuid
from datetime import date, datetime, time, timezone
from functools import cache

import asyncpg

from tests.support.database import ADMIN_URL, with_database
from tests.support.requirements import require_fixture, require_program, shared_fixture

FIXTURES = shared_fixture("reference-db")
DUMP = FIXTURES / "reference-small.sql.gz"
ANSWERS = FIXTURES / "answers.json"


def require_available() -> None:
    """Fail (or, without root, skip for want of psql) the calling test when the fixture cannot be restored."""
    require_fixture(DUMP)
    require_fixture(ANSWERS)
    require_program("psql", "postgresql-client")


@cache
def answers() -> list[dict]:
    return json.loads(ANSWERS.read_text(encoding="utf-8"))


def parse_time(text: str | None) -> time | None:
    if text is None:
        return None
    for pattern in ("%H:%M:%S", "%H:%M", "%I:%M %p"):
        try:
            return datetime.strptime(text.strip(), pattern).time()
        except ValueError:
            continue
    raise ValueError(f"unparseable legacy time {text!r}")


def utc(value: datetime | None) -> datetime | None:
    return value.replace(tzinfo=timezone.utc) if value is not None else None


async def _read_rows(url: str) -> dict[str, list[tuple]]:
    conn = await asyncpg.connect(url)
    try:
        customers = [
            (r["wa_id"], r["customer_name"], r["age"], r["age_recorded_at"], r["document"], r["is_blocked"],
             r["is_favorite"])
            for r in await conn.fetch("SELECT wa_id, customer_name, age, age_recorded_at, document::text AS document,"
                                      " is_blocked, is_favorite FROM customers")
        ]
        conversation = [
            (r["id"], r["wa_id"], r["role"], r["message"],
             date.fromisoformat(r["date"]) if r["date"] else None, parse_time(r["time"]))
            for r in await conn.fetch('SELECT id, wa_id, role, message, date, "time" FROM conversation')
        ]
        reservations = [
            (r["id"], r["wa_id"], date.fromisoformat(r["date"]), parse_time(r["time_slot"]), r["type"], r["status"],
             utc(r["cancelled_at"]), utc(r["created_at"]), utc(r["updated_at"]))
            for r in await conn.fetch("SELECT * FROM reservations")
        ]
    finally:
        await conn.close()
    return {"customers": customers, "conversation": conversation, "reservations": reservations}


def reference_rows() -> dict[str, list[tuple]]:
    """Restore the dump into a scratch database, read its rows, drop it (call outside an event loop)."""
    require_available()
    name = f"mawid_reference_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    subprocess.run(["psql", ADMIN_URL, "-q", "-c", f'CREATE DATABASE "{name}" TEMPLATE template0 ENCODING UTF8'],
                   check=True, capture_output=True)
    url = with_database(ADMIN_URL, name)
    try:
        subprocess.run(["psql", url, "-q", "-v", "ON_ERROR_STOP=1"], input=gzip.decompress(DUMP.read_bytes()),
                       check=True, capture_output=True)
        return asyncio.run(_read_rows(url))
    finally:
        subprocess.run(["psql", ADMIN_URL, "-q", "-c", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                       check=True, capture_output=True)


async def load_into(conn: asyncpg.Connection, rows: dict[str, list[tuple]]) -> None:
    await conn.copy_records_to_table("customers", records=rows["customers"], columns=(
        "wa_id", "customer_name", "age", "age_recorded_at", "document", "is_blocked", "is_favorite"))
    await conn.copy_records_to_table("conversation", records=rows["conversation"], columns=(
        "id", "wa_id", "role", "message", "local_date", "local_time"))
    await conn.copy_records_to_table("reservations", records=rows["reservations"], columns=(
        "id", "wa_id", "slot_date", "slot_time", "type", "status", "cancelled_at", "created_at", "updated_at"))
    await conn.execute("ANALYZE customers, conversation, reservations")
