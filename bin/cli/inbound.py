"""`inbound list|retry` for the durable inbound queue, and `outbox` for messages held in outbox mode."""
from __future__ import annotations

import asyncio
import json

import click

from runtime.db import QUERIES
from runtime.db_connect import connect

from .settings import database_config

STATUSES = ("failed", "pending", "processing", "done")


def _fetch(query: str, *args):
    config = database_config()

    async def run():
        conn = await connect(config.database_url)
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()

    return asyncio.run(run())


@click.group("inbound")
def inbound() -> None:
    """The durable queue of inbound WhatsApp messages: list rows, retry failed ones."""


@inbound.command("list")
@click.option("--status", type=click.Choice(STATUSES), default="failed", show_default=True)
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
def list_rows(status: str, limit: int) -> None:
    """Queue rows in one status, oldest first, with attempts and the last error."""
    rows = _fetch(QUERIES.inbound_rows_by_status, status, limit)
    for row in rows:
        click.echo(f"{row['id']:>8}  {row['created_at']:%Y-%m-%d %H:%M:%S}Z  {row['wa_id'] or '-':<16}"
                   f"  attempts={row['attempts']}  {row['message_id'] or '-'}")
        if row["last_error"]:
            click.echo(f"          last error: {row['last_error']}")
    click.echo(f"{len(rows)} {status} row(s)")


@inbound.command("retry")
@click.argument("row_id", type=int, required=False)
@click.option("--all", "retry_all", is_flag=True, help="Retry every failed row.")
def retry(row_id: int | None, retry_all: bool) -> None:
    """Put a failed row (or --all failed rows) back in the queue for another round of attempts."""
    if (row_id is None) == (not retry_all):
        raise click.UsageError("give a ROW_ID or --all")
    rows = _fetch(QUERIES.inbound_retry_failed, row_id)
    if row_id is not None and not rows:
        raise click.ClickException(f"row {row_id} is not a failed row")
    click.echo(f"{len(rows)} row(s) queued again: {', '.join(str(r['id']) for r in rows) or '-'}")


@click.command("outbox")
@click.option("--wa-id", default=None, help="Only messages to this customer.")
@click.option("--after", type=int, default=0, help="Only messages with a larger id (to page on).")
@click.option("--limit", type=click.IntRange(1, 10000), default=50, show_default=True)
@click.option("--all-deliveries", is_flag=True, help="Also messages sent, pending or failed, not only the outbox.")
def outbox(wa_id: str | None, after: int, limit: int, all_deliveries: bool) -> None:
    """Messages recorded instead of sent (outbox mode: no WhatsApp credentials), oldest first."""
    rows = _fetch(QUERIES.whatsapp_outbound_recent, wa_id, after, limit)
    shown = [row for row in rows if all_deliveries or row["delivery"] == "outbox"]
    for row in shown:
        payload = row["payload"] if isinstance(row["payload"], dict) else json.loads(row["payload"])
        body = payload.get(row["kind"], {})
        summary = body.get("body") if row["kind"] == "text" else json.dumps(body, ensure_ascii=False)
        click.echo(f"{row['id']:>8}  {row['created_at']:%Y-%m-%d %H:%M:%S}Z  {row['wa_id']:<16}  "
                   f"{row['kind']:<8} {row['delivery']:<7} {summary}")
    click.echo(f"{len(shown)} message(s)")


del list_rows, retry
