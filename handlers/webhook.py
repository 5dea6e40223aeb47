"""The WhatsApp Cloud API webhook: subscription handshake and signed deliveries.

A delivery is acknowledged only after every message in it (all entries, changes and
messages) is in the durable inbound queue and every status callback is recorded; the
queue worker does the rest. A signature that does not match refuses the request
before anything is read or stored.
"""
from __future__ import annotations

import hashlib
import hmac
import logging
from typing import AsyncIterator

from aiohttp import web

from actors.assistant.engine import preload_providers
from actors.inbound.batcher import batcher_for
from actors.inbound.delivery import read_delivery
from actors.inbound.dispatch import start_worker, wake_worker
from actors.inbound.metrics import count_invalid
from actors.inbound.worker import WORKER_KEY
from actors.whatsapp.graph import close_client
from actors.whatsapp.statuses import record_statuses
from runtime.json_input import loads_bounded, storable
from runtime.routes import Route, json_response
from runtime.services import SERVICES

log = logging.getLogger("mawid.webhook")

SIGNATURE_HEADER = "X-Hub-Signature-256"


def _as_bytes(text: str) -> bytes:
    # `hmac.compare_digest` refuses a str holding non-ASCII (TypeError), and a header or query value is
    # whatever the caller sent: compare bytes. surrogatepass keeps undecodable input comparable too.
    return text.encode("utf-8", "surrogatepass")


def signature_valid(secret: str | None, body: bytes, header: str) -> bool:
    """HMAC-SHA256 of the raw body with the app secret, compared in constant time."""
    if not header.startswith("sha256=") or not secret:
        return False
    expected = hmac.new(secret.encode("latin-1", "replace"), body, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected.encode("ascii"), _as_bytes(header[len("sha256="):]))


async def verify(request: web.Request) -> web.Response:
    mode = request.query.get("hub.mode")
    token = request.query.get("hub.verify_token")
    if not mode or not token:
        count_invalid("missing_parameters", "GET")
        return json_response({"detail": "Missing parameters"}, status=400)
    expected = request.app[SERVICES].config.verify_token
    if mode != "subscribe" or not expected or not hmac.compare_digest(_as_bytes(token), _as_bytes(expected)):
        count_invalid("verification_failed", "GET")
        return json_response({"detail": "Verification failed"}, status=403)
    # Meta expects the challenge echoed as is (spec 50 Q1), not as a JSON string.
    return web.Response(text=request.query.get("hub.challenge", ""), content_type="text/plain")


async def receive(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    raw = await request.read()
    if not signature_valid(services.config.app_secret, raw, request.headers.get(SIGNATURE_HEADER, "")):
        if not services.config.app_secret:
            log.error("webhook refused: APP_SECRET is not set, so no delivery can be verified")
        return json_response({"detail": "Invalid signature"}, status=403)
    try:
        # Bounded (a delivery is a dozen levels deep), and made storable: a NUL or lone surrogate in a
        # customer's text must not fail its insert, and with it the deliveries sharing its group commit.
        body = storable(loads_bounded(raw))
    except ValueError:  # UnicodeDecodeError and TooDeep included
        count_invalid("invalid_json", "POST")
        return json_response({"detail": "Invalid JSON provided"}, status=400)
    delivery = read_delivery(body)
    if delivery.statuses:
        await record_statuses(services, delivery.statuses)
    if delivery.items:
        outcomes = await batcher_for(services).enqueue(delivery.items)
        if "queued" in outcomes:
            wake_worker(services)
        if all(outcome == "blocked" for outcome in outcomes):
            return json_response({"status": "ok", "ignored": True})
        return json_response({"status": "ok"})
    if delivery.statuses:
        return json_response({"status": "ok"})
    count_invalid("unknown_payload", "POST")
    return json_response({"status": "unknown"})


async def inbound_worker_context(app: web.Application) -> AsyncIterator[None]:
    services = app[SERVICES]
    worker = None
    if services.config.inbound_worker:  # a webhook-only process leaves the queue to other processes
        preload_providers(services.config)
        worker = await start_worker(services)
    yield
    if worker is not None:
        await worker.stop(services.config.shutdown_deadline)
        services.extras.pop(WORKER_KEY, None)
    await close_client(services)


ROUTES = [
    Route("GET", "/webhook", verify, None, summary="WhatsApp webhook subscription handshake",
          tags=("whatsapp",), auth_note="hub.verify_token"),
    Route("POST", "/webhook", receive, None, summary="WhatsApp webhook deliveries (messages and statuses)",
          tags=("whatsapp",), auth_note="HMAC signature (X-Hub-Signature-256)"),
]


def setup(app: web.Application) -> None:
    app.cleanup_ctx.append(inbound_worker_context)
