"""`simulate`: send a customer's WhatsApp message to a running server, signed as Meta would, and print the reply."""
from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import time
import uuid

import click
import httpx

from runtime.db import QUERIES
from runtime.db_connect import connect

from .settings import cli_config


def delivery(wa_id: str, name: str, text: str, message_id: str) -> dict:
    """One inbound text in the Cloud API webhook shape."""
    return {"object": "whatsapp_business_account", "entry": [{"id": "simulate", "changes": [{
        "field": "messages", "value": {
            "messaging_product": "whatsapp",
            "metadata": {"display_phone_number": "simulate", "phone_number_id": "simulate"},
            "contacts": [{"profile": {"name": name}, "wa_id": wa_id}],
            "messages": [{"from": wa_id, "id": message_id, "timestamp": str(int(time.time())), "type": "text",
                          "text": {"body": text}}]}}]}]}


async def _wait_for_reply(database_url: str, message_id: str, wait: float) -> tuple[str, list[str]]:
    """Poll the queue row of the message until it is finished; answer its status and reply texts."""
    conn = await connect(database_url)
    try:
        deadline = time.monotonic() + wait
        while True:
            row = await conn.fetchrow(
                "SELECT id, status, last_error FROM inbound_message_queue WHERE message_id = $1", message_id)
            if row is not None and row["status"] in ("done", "failed"):
                parts = await conn.fetch(QUERIES.whatsapp_outbound_by_key_prefix, f"reply:{row['id']}:")
                texts = [json.loads(p["payload"])["text"]["body"] if isinstance(p["payload"], str)
                         else p["payload"]["text"]["body"] for p in parts]
                status = row["status"] if row["status"] == "done" else f"failed: {row['last_error']}"
                return status, texts
            if time.monotonic() > deadline:
                return ("not finished yet" if row else "not queued"), []
            await asyncio.sleep(0.1)
    finally:
        await conn.close()


@click.command("simulate")
@click.argument("text")
@click.option("--wa-id", default="966500000001", show_default=True, help="The customer's number (digits).")
@click.option("--name", default="Test Customer", show_default=True, help="WhatsApp profile name.")
@click.option("--url", default=None, help="Server base URL (default http://127.0.0.1:PORT).")
@click.option("--wait", type=float, default=60.0, show_default=True, help="Seconds to wait for the reply.")
def simulate(text: str, wa_id: str, name: str, url: str | None, wait: float) -> None:
    """Deliver TEXT from a customer to POST /webhook (signed with APP_SECRET) and print the assistant's reply.

    The reply is read from the server's database (DATABASE_URL), so it works in outbox
    mode as well as with a real WhatsApp number.
    """
    config = cli_config()
    if not config.app_secret:
        raise click.ClickException("APP_SECRET is not set: the server refuses unsigned deliveries")
    base = (url or f"http://127.0.0.1:{config.port}").rstrip("/")
    message_id = f"wamid.SIMULATE{uuid.uuid4().hex}"
    body = json.dumps(delivery(wa_id, name, text, message_id), ensure_ascii=False).encode()
    signature = "sha256=" + hmac.new(config.app_secret.encode("latin-1"), body, hashlib.sha256).hexdigest()
    try:
        response = httpx.post(base + "/webhook", content=body, timeout=10,
                              headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature})
    except httpx.HTTPError as exc:
        raise click.ClickException(f"could not reach {base}/webhook: {exc}") from None
    click.echo(f"webhook: HTTP {response.status_code} {response.text}", err=True)
    if response.status_code != 200:
        raise SystemExit(1)
    if not config.database_url:
        click.echo("DATABASE_URL is not set: cannot read the reply", err=True)
        return
    status, texts = asyncio.run(_wait_for_reply(config.database_url, message_id, wait))
    click.echo(f"queue: {status}", err=True)
    for reply in texts:
        click.echo(reply)
    if not status.startswith("done"):
        raise SystemExit(1)
