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

import httpx
from aiohttp import web
from pydantic import BaseModel, Field

from runtime.config import Config
from runtime.routes import BODY, Role, Route, error_response, json_response
from runtime.services import SERVICES

SIMULATED_PHONE_NUMBER_ID = "simulator"


class SimulatedMessage(BaseModel):
    wa_id: str = Field(pattern=r"^[0-9]{8,15}$", description="The customer's number, digits only")
    name: str = Field(default="", max_length=120, description="Profile name Meta would attach")
    text: str = Field(min_length=1, max_length=4096)


def webhook_delivery(message: SimulatedMessage, phone_number_id: str) -> dict:
    """One inbound text message in the Cloud API webhook shape (spec 50 §4)."""
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
                        "type": "text",
                        "text": {"body": message.text},
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


ROUTES = [
    Route("POST", "/app/api/simulator/message", send_as_customer, Role.STAFF, body=SimulatedMessage,
          summary="Simulator: deliver a signed webhook message from a pretend customer (outbox mode only)",
          tags=("dashboard",)),
]
