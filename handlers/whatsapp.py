"""Outbound WhatsApp routes for the dashboard: send text, location, template; typing; configuration test.

Shapes and validation order are the reference's (spec 10 §3.2); unlike the reference
they need a signed-in staff member (spec 50 Q25).
"""
from __future__ import annotations

import logging
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from actors.conversation.actor import ConversationActor
from actors.conversation.messages import AppendMessage
from actors.conversation.system_agent import start_system_agent_turn
from actors.customers.wa_id_guard import wa_id_refusal
from actors.whatsapp import graph
from actors.whatsapp.formatting import TEXT_LIMIT
from actors.whatsapp.outbound import send_location, send_template, send_text, send_typing_for_customer
from runtime.db import QUERIES
from runtime.events import publish
from runtime.routes import BODY, Role, Route, json_response
from runtime.services import SERVICES

log = logging.getLogger("mawid.whatsapp")

NOT_FOUND = "Customer with phone number not found. The phone number may have been changed already."


class FreeBody(BaseModel):
    """The reference takes free JSON objects here and checks fields itself, with its own messages."""

    model_config = ConfigDict(extra="allow")


def _body(request: web.Request) -> dict[str, Any]:
    return dict(request[BODY].model_extra or {})


def _result(result: graph.SendResult) -> web.Response:
    return json_response(result.body, status=result.status)


async def send_message(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    body = _body(request)
    text, wa_id = body.get("text"), body.get("wa_id")
    if not isinstance(text, str):
        return json_response({"status": "error", "message": "Invalid text"}, status=400)
    if len(text) > TEXT_LIMIT:
        return json_response({"status": "error", "message": f"Message too long (max {TEXT_LIMIT})"}, status=400)
    if not isinstance(wa_id, str) or not wa_id.strip():
        return json_response({"status": "error", "message": NOT_FOUND}, status=400)
    wa_id = wa_id.strip()
    if (problem := await wa_id_refusal(services, wa_id)) is not None:
        return json_response({"status": "error", "message": problem}, status=400)
    source = body.get("_call_source") or "assistant"
    pool = services.require_pool()
    if wa_id == services.config.system_agent_wa_id:
        return json_response(await start_system_agent_turn(services, text))
    if await pool.fetchval(QUERIES.whatsapp_customer_is_blocked, wa_id):
        return json_response({"status": "error", "message": "Contact is blocked."}, status=403)
    result = await send_text(services, wa_id, text, source=str(source))
    if result.ok:
        try:
            await services.actors.ref(ConversationActor, wa_id).ask(AppendMessage("secretary", text, str(source)))
        except Exception:
            log.exception("sent to %s but could not store the secretary message", wa_id)
    return _result(result)


async def typing(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    body = _body(request)
    wa_id = body.get("wa_id")
    if not isinstance(wa_id, str) or not wa_id:
        return json_response({"success": False, "message": "Missing wa_id"}, status=400)
    if (problem := await wa_id_refusal(services, wa_id)) is not None:
        return json_response({"success": False, "message": problem}, status=400)
    on = bool(body.get("typing"))
    await publish(services, "conversation_typing", {"wa_id": wa_id, "state": "start" if on else "stop",
                                                    "_source": body.get("_call_source") or "frontend"}, [wa_id])
    if not on:
        return json_response({"success": True, "typing": False})
    try:
        result = await send_typing_for_customer(services, wa_id)
    except Exception:
        log.exception("typing indicator for %s failed", wa_id)
        return json_response({"success": False, "message": "Failed to send typing indicator"}, status=500)
    if not result.ok:
        return _result(result)
    return json_response(result.body or {"success": True})


async def _refused(request: web.Request, wa_id: Any) -> web.Response | None:
    if wa_id and (problem := await wa_id_refusal(request.app[SERVICES], wa_id)) is not None:
        return json_response({"status": "error", "message": problem}, status=400)
    return None


async def location(request: web.Request) -> web.Response:
    body = _body(request)
    if (refusal := await _refused(request, body.get("wa_id"))) is not None:
        return refusal
    result = await send_location(request.app[SERVICES], str(body.get("wa_id") or ""), body.get("latitude"),
                                 body.get("longitude"), body.get("name") or "", body.get("address") or "",
                                 source=str(body.get("_call_source") or "frontend"))
    return _result(result)


async def template(request: web.Request) -> web.Response:
    body = _body(request)
    if (refusal := await _refused(request, body.get("wa_id"))) is not None:
        return refusal
    result = await send_template(request.app[SERVICES], str(body.get("wa_id") or ""),
                                 str(body.get("template_name") or ""), body.get("language") or "en_US",
                                 body.get("components") or None, source=str(body.get("_call_source") or "frontend"))
    return _result(result)


TEST_VERDICTS = {
    401: "WhatsApp API authentication failed - check ACCESS_TOKEN",
    403: "WhatsApp API access forbidden - check business verification",
    404: "WhatsApp API endpoint not found - check PHONE_NUMBER_ID/VERSION",
}


async def test_config(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    missing = graph.missing_settings(services)
    if missing:
        return json_response({"success": False, "message": f"Missing configuration: {', '.join(missing)}",
                              "details": {}})
    payload = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": "000000000000",
               "type": "text", "text": {"body": "test"}}
    try:
        response = await graph.post_raw(services, payload)
    except Exception as exc:
        return json_response({"success": False, "message": f"WhatsApp API test failed: {exc}",
                              "details": {"error": str(exc)}})
    try:
        answer: Any = response.json()
    except ValueError:
        answer = response.text
    config = services.config
    details = {"status_code": response.status_code, "url": graph.messages_url(services),
               "phone_number_id": config.phone_number_id, "version": config.graph_version, "response": answer}
    if response.status_code == 400 and "Invalid phone number" in response.text:
        return json_response({"success": True, "message": "WhatsApp API configuration is valid (auth working)",
                              "details": details})
    message = TEST_VERDICTS.get(response.status_code, f"Unexpected WhatsApp API response: {response.status_code}")
    return json_response({"success": False, "message": message, "details": details})


def local_timestamp(zone: str) -> str:
    return datetime.now(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M:%S")


ROUTES = [
    Route("POST", "/whatsapp/message", send_message, Role.STAFF, body=FreeBody, tags=("whatsapp",),
          summary="Send a WhatsApp text as the secretary (or talk to the system agent)"),
    Route("POST", "/typing", typing, Role.STAFF, body=FreeBody, tags=("whatsapp",),
          summary="Secretary typing indicator"),
    Route("POST", "/whatsapp/location", location, Role.STAFF, body=FreeBody, tags=("whatsapp",),
          summary="Send a location message"),
    Route("POST", "/whatsapp/template", template, Role.STAFF, body=FreeBody, tags=("whatsapp",),
          summary="Send a template message"),
    Route("GET", "/whatsapp/test-config", test_config, Role.ADMIN, tags=("whatsapp",),
          summary="Check the WhatsApp Cloud API credentials with a harmless test send"),
]
