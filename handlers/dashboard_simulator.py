"""The WhatsApp simulator's one server-side route: deliver a customer's message as Meta would.

The simulator page lets staff chat as a customer with the assistant. The
message must travel the real inbound path (signature check, durable queue,
assistant, outbox), so this route builds a Cloud API webhook delivery, signs
it with `APP_SECRET` and POSTs it to this server's own `/webhook` over
loopback. It refuses to run when a real WhatsApp number is configured: the
assistant's replies would then go out to a made-up phone number.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from typing import Literal

import httpx
from aiohttp import web
from pydantic import BaseModel, Field, model_validator

from runtime.config import Config
from runtime.db import QUERIES
from runtime.routes import BODY, QUERY, Role, Route, error_response, json_response
from runtime.services import SERVICES

SIMULATED_PHONE_NUMBER_ID = "simulator"


class SimulatedTap(BaseModel):
    """A tap on a list row, a reply button or a template's quick-reply button of the latest message."""

    kind: Literal["list_reply", "button_reply", "quick_reply"]
    id: str = Field(min_length=1, max_length=256, description="The row or button id (a quick reply's payload)")
    title: str = Field(min_length=1, max_length=256, description="What the customer saw on it")
    description: str | None = Field(default=None, max_length=256)


class SimulatedMessage(BaseModel):
    wa_id: str = Field(pattern=r"^[0-9]{8,15}$", description="The customer's number, digits only")
    name: str = Field(default="", max_length=120, description="Profile name Meta would attach")
    text: str | None = Field(default=None, min_length=1, max_length=4096)
    reply: SimulatedTap | None = Field(default=None, description="A tap instead of a text")

    @model_validator(mode="after")
    def text_or_tap(self) -> "SimulatedMessage":
        if (self.text is None) == (self.reply is None):
            raise ValueError("send either 'text' or 'reply'")
        return self


class LatestQuery(BaseModel):
    wa_id: str = Field(pattern=r"^[0-9]{8,15}$", description="The customer's number, digits only")


def _content(message: SimulatedMessage) -> dict:
    """The message's type and body as Meta delivers a text, a list/button reply or a template's quick reply."""
    tap = message.reply
    if tap is None:
        return {"type": "text", "text": {"body": message.text}}
    if tap.kind == "quick_reply":
        return {"type": "button", "button": {"payload": tap.id, "text": tap.title}}
    reply = {"id": tap.id, "title": tap.title}
    if tap.kind == "list_reply" and tap.description:
        reply["description"] = tap.description
    return {"type": "interactive", "interactive": {"type": tap.kind, tap.kind: reply}}


def webhook_delivery(message: SimulatedMessage, phone_number_id: str) -> dict:
    """One inbound message (a text or a tap) in the Cloud API webhook shape (spec 50 §4)."""
    return {
        "object": "whatsapp_business_account",
        "entry": [{
            "id": "simulator",
            "changes": [{
                "field": "messages",
                "value": {
                    "messaging_product": "whatsapp",
                    "metadata": {"display_phone_number": "simulator", "phone_number_id": phone_number_id},
                    "contacts": [{"profile": {"name": message.name or message.wa_id}, "wa_id": message.wa_id}],
                    "messages": [{
                        "from": message.wa_id,
                        "id": f"wamid.SIM{uuid.uuid4().hex}",
                        "timestamp": str(int(time.time())),
                        **_content(message),
                    }],
                },
            }],
        }],
    }


def signature(body: bytes, app_secret: str) -> str:
    return "sha256=" + hmac.new(app_secret.encode("latin-1"), body, hashlib.sha256).hexdigest()


def own_webhook_url(request: web.Request, config: Config) -> str:
    """This server's own `/webhook`, at the address the current request arrived on."""
    sockname = request.transport.get_extra_info("sockname") if request.transport else None
    if sockname:
        host, port = sockname[0], sockname[1]
    else:
        host, port = (config.host if config.host not in ("0.0.0.0", "::", "") else "127.0.0.1"), config.port
    if ":" in host:
        host = f"[{host}]"
    return f"http://{host}:{port}/webhook"


async def send_as_customer(request: web.Request) -> web.Response:
    config = request.app[SERVICES].config
    if config.whatsapp_configured:
        return error_response(409, "The simulator only runs in outbox mode (ACCESS_TOKEN and PHONE_NUMBER_ID unset)")
    if not config.app_secret:
        return error_response(409, "The simulator needs APP_SECRET to sign its webhook deliveries")
    message: SimulatedMessage = request[BODY]
    body = json.dumps(webhook_delivery(message, config.phone_number_id or SIMULATED_PHONE_NUMBER_ID),
                      ensure_ascii=False).encode()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": signature(body, config.app_secret)}
    try:
        async with httpx.AsyncClient(timeout=10) as client:
            answer = await client.post(own_webhook_url(request, config), content=body, headers=headers)
    except httpx.HTTPError as exc:
        return error_response(502, f"Could not reach this server's /webhook: {type(exc).__name__}")
    try:
        webhook_reply = answer.json()
    except ValueError:
        webhook_reply = {"text": answer.text[:200]}
    if answer.status_code == 404:
        return error_response(501, "POST /webhook is not available on this server yet")
    return json_response({"success": answer.status_code < 400, "status": answer.status_code,
                          "webhook": webhook_reply}, status=200 if answer.status_code < 400 else 502)


async def latest_message(request: web.Request) -> web.Response:
    """The newest message sent to the customer (text, list, buttons, template), for the simulator to render."""
    query: LatestQuery = request[QUERY]
    row = await request.app[SERVICES].require_pool().fetchrow(QUERIES.simulator_latest_outbound, query.wa_id)
    data = None if row is None else {"id": row["id"], "kind": row["kind"], "payload": row["payload"]}
    return json_response({"success": True, "data": data})


ROUTES = [
    Route("POST", "/app/api/simulator/message", send_as_customer, Role.STAFF, body=SimulatedMessage,
          summary="Simulator: deliver a signed webhook message from a pretend customer (outbox mode only)",
          tags=("dashboard",)),
    Route("GET", "/app/api/simulator/latest", latest_message, Role.STAFF, query=LatestQuery,
          summary="Simulator: the newest message sent to a customer (its list or buttons to tap)",
          tags=("dashboard",)),
]
