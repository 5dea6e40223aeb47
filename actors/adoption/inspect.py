"""Detect a reference database and list what adopting it would convert or refuse.

Runs inside the caller's transaction, after `prepare` created the conversion
functions (schema mawid_adopt); a dry run then rolls everything back.
"""
from __future__ import annotations

from collections import Counter

import asyncpg

from actors.adoption import rules
from actors.adoption.report import Conversion, DatabaseKind, Problem, Report, sort_key
from runtime.db import SQL_DIR, Queries

ADOPTION_SQL_DIR = SQL_DIR / "adoption"
QUERIES = Queries(ADOPTION_SQL_DIR)
FUNCTIONS_SQL = (ADOPTION_SQL_DIR / "functions.sql").read_text(encoding="utf-8")


class AdoptionError(Exception):
    """Adoption cannot start or was refused; nothing was changed."""

    def __init__(self, message: str, report: Report | None = None) -> None:
        super().__init__(message)
        self.report = report


async def detect(conn: asyncpg.Connection) -> DatabaseKind:
    row = await conn.fetchrow(QUERIES.adoption_detect)
    if row["has_scratch_schema"]:
        raise AdoptionError("schema mawid_adopt exists: it is adoption's scratch schema; drop it and retry")
    if row["has_ledger"]:
        return DatabaseKind.MAWID
    if row["legacy_reservations"] and row["legacy_conversation"] and row["has_customers"]:
        return DatabaseKind.REFERENCE
    if row["public_tables"] == 0:
        return DatabaseKind.EMPTY
    return DatabaseKind.UNKNOWN


async def prepare(conn: asyncpg.Connection) -> None:
    """Create the conversion functions and complete an old reference shape (inside a transaction)."""
    await conn.execute(FUNCTIONS_SQL)
    await conn.execute(QUERIES.adoption_complete_legacy_shape)


async def inspect(conn: asyncpg.Connection) -> Report:
    report = Report()
    for table in ("customers", "conversation", "reservations"):
        for row in await conn.fetch(getattr(QUERIES, f"adoption_counts_{table}")):
            report.conversions.append(Conversion(table, row["conversion"], row["n"]))
        for row in await conn.fetch(getattr(QUERIES, f"adoption_problems_{table}")):
            report.problems.append(Problem(table, str(row["key"]), row["col"], row["value"], row["reason"]))
    for row in await conn.fetch(QUERIES.adoption_counts_small_tables):
        report.conversions.append(Conversion(row["tbl"], row["conversion"], row["n"]))
    for row in await conn.fetch(QUERIES.adoption_problems_small_tables):
        report.problems.append(Problem(row["tbl"], row["key"], row["col"], row["value"], row["reason"]))
    await _inspect_notification_data(conn, report)
    await _inspect_config(conn, report)
    await _inspect_users(conn, report)
    report.problems.sort(key=sort_key)
    return report


async def _inspect_notification_data(conn: asyncpg.Connection, report: Report) -> None:
    try:
        async with conn.transaction():  # a savepoint: the fast cast may fail on one bad row
            rows = await conn.fetch(QUERIES.adoption_problems_notification_data)
    except asyncpg.DataError:
        rows = await conn.fetch(QUERIES.adoption_problems_notification_data_slow)
    for row in rows:
        report.problems.append(
            Problem("notification_events", row["key"], "data", row["value"], "data is not a JSON object"))


async def _inspect_config(conn: asyncpg.Connection, report: Report) -> None:
    row = await conn.fetchrow(QUERIES.adoption_newest_config)
    total = row["total"] if row else 0
    report.conversions.append(Conversion("app_config", "rows", total))
    if row is None:
        return
    try:
        rules.config_document(row["config_data"])
    except rules.Unconvertible as exc:
        value = row["config_data"][:200]
        report.problems.append(Problem("app_config", str(row["id"]), "config_data", value, exc.reason))
        return
    report.conversions.append(Conversion("app_config", "newest config_data JSON text -> config jsonb", 1))
    report.conversions.append(
        Conversion("app_config", "older rows dropped (the reference only ever reads the newest)", total - 1)
    )


async def _inspect_users(conn: asyncpg.Connection, report: Report) -> None:
    users = await conn.fetch(QUERIES.adoption_users)
    roles = Counter(rules.user_role(u["is_superuser"]) for u in users)
    report.conversions.append(Conversion("users", "rows (password hashes kept as they are)", len(users)))
    report.conversions.append(Conversion("users", "superuser -> role admin", roles["admin"]))
    report.conversions.append(Conversion("users", "others -> role staff", roles["staff"]))
