"""The WhatsApp Cloud API over httpx: one shared client and the reference's result mapping.

The client runs on the aiohttp transport (runtime/http_transport.py): the same httpx API and
errors at a fraction of the CPU per request.

Every call returns a `SendResult(body, status)` — a tuple, as the reference's
senders return `(error_body, status)` — with the Graph JSON as body on success.
A failure after the request may have reached Graph (a read timeout, a dropped
connection) is marked `in_doubt`: Graph may have accepted the message anyway.
"""
from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any, NamedTuple

import httpx

from actors.whatsapp.metrics import count_failure
from runtime.http_transport import AiohttpTransport
from runtime.tracing import span

if TYPE_CHECKING:
    from runtime.services import Services

log = logging.getLogger("mawid.whatsapp")

CLIENT_KEY = "whatsapp_http"
CONNECT_TIMEOUT = 10.0
# Many turns run at once: waiting for a free connection is not a Graph timeout, so the pool wait is longer.
POOL_TIMEOUT = 120.0
LIMITS = httpx.Limits(max_connections=100, max_keepalive_connections=50)


class SendResult(NamedTuple):
    body: Any
    status: int
    in_doubt: bool = False  # failed without a definite answer: Graph may have accepted the message
    retry_after: float | None = None  # not sent now: an earlier send may have been accepted (see outbound)

    @property
    def ok(self) -> bool:
        return self.status < 400


def error(message: str, status: int, *, in_doubt: bool = False) -> SendResult:
    return SendResult({"status": "error", "message": message}, status, in_doubt)


# Failures before the request can have left this process: Graph certainly has not seen it.
NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def timeout(services: "Services") -> httpx.Timeout:
    """GRAPH_API_TIMEOUT bounds each read and write; connecting and waiting for the pool have their own."""
    return httpx.Timeout(services.config.graph_api_timeout, connect=CONNECT_TIMEOUT, pool=POOL_TIMEOUT)


def client(services: "Services") -> httpx.AsyncClient:
    """The process's Graph client, created on first use and re-created if found closed."""
    current = services.extras.get(CLIENT_KEY)
    if current is None or current.is_closed:
        current = services.extras[CLIENT_KEY] = httpx.AsyncClient(timeout=timeout(services),
                                                                  transport=AiohttpTransport(LIMITS))
    return current


async def close_client(services: "Services") -> None:
    current = services.extras.pop(CLIENT_KEY, None)
    if current is not None:
        await current.aclose()


def messages_url(services: "Services") -> str:
    config = services.config
    return f"{config.graph_api_url.rstrip('/')}/{config.graph_version}/{config.phone_number_id}/messages"


def missing_settings(services: "Services") -> list[str]:
    config = services.config
    names = (("ACCESS_TOKEN", config.access_token), ("PHONE_NUMBER_ID", config.phone_number_id),
             ("VERSION", config.graph_version))
    return [name for name, value in names if not value]


def _failure_reason(response: httpx.Response) -> str:
    try:
        err = response.json().get("error") or {}
    except (ValueError, AttributeError):
        err = {}
    if not isinstance(err, dict):
        err = {}
    reason = err.get("type") or err.get("error_subcode") or err.get("message")
    return str(reason) if reason else f"http_{response.status_code}"


async def post_message(services: "Services", payload: dict[str, Any], kind: str) -> SendResult:
    """POST one message body to Graph; `kind` names it in errors ("message", "template message", ...)."""
    # Only the kind, never the recipient or the body, goes on the span (the HTTP client span is its child).
    with span("whatsapp.send", **{"whatsapp.message_type": payload.get("type") or kind.replace(" ", "_")}) as current:
        result = await _post(services, payload, kind)
        current.set_attribute("mawid.whatsapp.status_code", result.status)
        current.set_attribute("mawid.whatsapp.outcome", "sent" if result.ok else "failed")
        return result


async def _post(services: "Services", payload: dict[str, Any], kind: str) -> SendResult:
    missing = missing_settings(services)
    if missing:
        return error(f"Missing {missing[0]}", 500)
    headers = {"Content-type": "application/json", "Authorization": f"Bearer {services.config.access_token}"}
    try:
        response = await client(services).post(messages_url(services), json=payload, headers=headers)
    except httpx.TimeoutException as exc:
        log.warning("WhatsApp %s timed out", kind)
        return error("Request timed out", 408, in_doubt=not isinstance(exc, NEVER_SENT))
    except httpx.TransportError as exc:
        log.warning("WhatsApp %s connection error: %r", kind, exc)
        count_failure(type(exc).__name__, kind)
        return error(f"Connection error when sending {kind}", 500, in_doubt=not isinstance(exc, NEVER_SENT))
    except Exception:
        log.exception("WhatsApp %s failed", kind)
        return error(f"Failed to send {kind}", 500, in_doubt=True)
    if response.status_code >= 400:
        log.warning("WhatsApp API error %s for %s: %s", response.status_code, kind, response.text[:500])
        count_failure(_failure_reason(response), kind, total=False)
        return error(f"WhatsApp API error {response.status_code}", response.status_code)
    try:
        body = response.json()
    except ValueError:
        body = {"success": True}
    return SendResult(body, response.status_code)


async def post_raw(services: "Services", payload: dict[str, Any]) -> httpx.Response:
    """An unmapped POST (for the configuration test, which reads the raw answer)."""
    headers = {"Content-type": "application/json", "Authorization": f"Bearer {services.config.access_token}"}
    return await client(services).post(messages_url(services), json=payload, headers=headers)
