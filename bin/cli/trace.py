"""`trace MESSAGE_ID`: what happened to one inbound WhatsApp message, from the database and the logs.

The default output holds no message text and no full phone number, so it can be pasted
into a ticket; `--show-text` adds both for an operator who needs them.
"""
from __future__ import annotations

import asyncio
import json
import re
from datetime import datetime, timedelta
from typing import Any

import asyncpg
import click

from runtime.db import QUERIES
from runtime.db_connect import connect
from runtime.masking import mask_phone, mask_text

from .settings import database_config

_TOOL_SUMMARY = re.compile(r"<summary>(Tool|Result): ([^<]*)</summary>")
# Rows written after the queue row was settled still belong to it when they follow within this margin
# (the event of the reply, the status of the last part).
SETTLE_MARGIN = timedelta(seconds=2)


async def _load(url: str, message_id: str) -> dict[str, Any] | None:
    conn = await connect(url)
    try:
        row = await conn.fetchrow(QUERIES.trace_queue_row, message_id)
        if row is None:
            return None
        until = (row["done_at"] or row["updated_at"] or datetime.now(row["created_at"].tzinfo)) + SETTLE_MARGIN
        conversation = await conn.fetch(QUERIES.trace_conversation_rows, row["wa_id"], row["created_at"], until)
        parts = await conn.fetch(QUERIES.trace_reply_parts, f"reply:{row['id']}:")
        return {"row": row, "conversation": conversation, "parts": parts}
    finally:
        await conn.close()


def trace_id_of(trace_context: Any) -> str | None:
    """The trace id in a stored W3C `traceparent` (version-traceid-spanid-flags)."""
    if isinstance(trace_context, str):
        trace_context = json.loads(trace_context)
    parent = (trace_context or {}).get("traceparent", "")
    fields = parent.split("-")
    return fields[1] if len(fields) == 4 and len(fields[1]) == 32 else None


def _when(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3] + "Z" if value else "-"


def _text(value: str | None, show_text: bool) -> str:
    if value is None:
        return "-"
    return repr(value) if show_text else f"<{len(value)} characters>"


def _conversation_line(item: asyncpg.Record, show_text: bool) -> str:
    at = _when(item["created_at"])
    if item["role"] == "tool":
        match = _TOOL_SUMMARY.search(item["message"] or "")
        label = f"{match.group(1).lower()} {match.group(2)}" if match else "tool row"
        return f"  {at}  tool       {label}" + (f"\n      {item['message']}" if show_text else "")
    return f"  {at}  {item['role']:<10} {_text(item['message'], show_text)}"


def render(found: dict[str, Any], show_text: bool) -> list[str]:
    row = found["row"]
    who = row["wa_id"] if show_text else mask_phone(row["wa_id"] or "")
    lines = [
        f"message {row['message_id']}  queue row {row['id']}  customer {who}  kind {row['kind'] or '-'}",
        f"trace id {trace_id_of(row['trace_context']) or '- (queued with tracing off)'}",
        "queue:",
        f"  status {row['status']}  attempts {row['attempts']}",
        f"  queued {_when(row['created_at'])}  last change {_when(row['updated_at'])}"
        f"  next attempt {_when(row['available_at']) if row['status'] == 'pending' else '-'}"
        f"  done {_when(row['done_at'])}",
    ]
    if row["last_error"]:
        lines.append(f"  last error: {row['last_error'] if show_text else mask_text(row['last_error'])}")
    lines.append(f"customer message: {_text(row['text'], show_text)}")
    lines.append("conversation rows written while it was processed:")
    lines += [_conversation_line(item, show_text) for item in found["conversation"]] or ["  (none)"]
    lines.append("reply parts:")
    for part in found["parts"]:
        callback = part["callback_status"] or "no status callback"
        if part["callback_at"]:
            callback += f" at {_when(part['callback_at'])}"
        if part["callback_errors"]:
            callback += f" errors {mask_text(json.dumps(part['callback_errors'], ensure_ascii=False))}"
        lines.append(f"  {part['idempotency_key']}  {part['kind']}  {part['delivery']}"
                     f"  http {part['http_status'] or '-'}  wamid {part['wamid'] or '-'}  {callback}"
                     f"  sent {_when(part['updated_at'])}")
        if part["error"]:
            lines.append(f"      error: {mask_text(part['error'])}")
        if show_text:
            lines.append(f"      {_text(part['text'], True)}")
    if not found["parts"]:
        lines.append("  (none)")
    return lines


def matching_log_lines(paths: tuple[str, ...], keys: dict[str, str], show_text: bool) -> list[str]:
    """JSON log lines naming the message (message id, queue id or trace id); DEBUG lines only with --show-text."""
    found = []
    for path in paths:
        with open(path, encoding="utf-8", errors="replace") as handle:
            for raw in handle:
                if not raw.startswith("{"):
                    continue
                try:
                    entry = json.loads(raw)
                except ValueError:
                    continue
                if not isinstance(entry, dict) or not any(str(entry.get(k)) == v for k, v in keys.items() if v):
                    continue
                if entry.get("level") == "DEBUG" and not show_text:
                    continue  # lines below INFO are not masked
                found.append((str(entry.get("ts", "")), entry))
    found.sort(key=lambda item: item[0])
    return [json.dumps(entry, ensure_ascii=False) for _, entry in found]


@click.command("trace")
@click.argument("message_id")
@click.option("--log", "logs", multiple=True, type=click.Path(exists=True, dir_okay=False),
              help="A JSON log file to search for lines about the message (repeatable).")
@click.option("--show-text", is_flag=True, help="Include message texts and full phone numbers.")
def trace(message_id: str, logs: tuple[str, ...], show_text: bool) -> None:
    """Follow one inbound WhatsApp message: queue, attempts, tools, reply parts and statuses, log lines."""
    found = asyncio.run(_load(database_config().database_url, message_id))
    if found is None:
        raise click.ClickException(f"no queued message with id {message_id}")
    for line in render(found, show_text):
        click.echo(line)
    if logs:
        row = found["row"]
        keys = {"message_id": message_id, "queue_id": str(row["id"]), "trace_id": trace_id_of(row["trace_context"])}
        lines = matching_log_lines(logs, keys, show_text)
        click.echo(f"log lines ({len(lines)}):")
        for line in lines:
            click.echo(f"  {line}")
