"""`GET /message` (spec 10 §3.10): one text of the reference's catalogue; other query keys format it."""
from __future__ import annotations

from aiohttp import web
from pydantic import BaseModel, ConfigDict

from actors.reservation.texts import lookup
from runtime.routes import QUERY, Role, Route, json_response


class MessageQuery(BaseModel):
    model_config = ConfigDict(extra="allow")
    key: str
    ar: bool = False


async def get_message(request: web.Request) -> web.Response:
    q: MessageQuery = request[QUERY]
    args = {k: str(v) for k, v in (q.model_extra or {}).items()}
    return json_response({"message": lookup(q.key, q.ar, args)})


ROUTES = [
    Route("GET", "/message", get_message, Role.VIEWER, query=MessageQuery, tags=("i18n",),
          summary="A translated message by key ({\"message\": \"\"} for an unknown key)"),
]
