"""`/api/config` (spec 05 §6.2): the bare config document; GET for viewers, PUT/POST for admins.

422: a key or nested object fails its own schema; 400: the merged document of
a PUT is invalid; 500: `{"detail": "Failed to … configuration: <reason>"}`.
`GET /config` is the alias nginx's `/api` stripping produces (spec 10 Q22).
"""
from __future__ import annotations

import logging
from collections.abc import Awaitable

from aiohttp import web

from actors.app_config import (
    ConfigInvalid,
    current_app_config_response,
    replace_app_config,
    update_app_config,
)
from actors.app_config.defaults import first_boot_document
from actors.app_config.schema import AppConfigDocument, AppConfigUpdate
from runtime.db import DATABASE_UNAVAILABLE
from runtime.routes import BODY, Role, Route, error_response, json_response
from runtime.services import SERVICES

log = logging.getLogger("mawid.handlers.app_config")
TAGS = ("configuration",)


async def _answer(operation: Awaitable[dict], verb: str, *, writing: bool = True) -> web.Response:
    """The reference's answers: the document; 400 when a write's merged document is invalid; otherwise
    500 `Failed to <verb> configuration` (an invalid *stored* document included)."""
    try:
        return json_response(await operation)
    except ConfigInvalid as exc:
        if not writing:
            log.exception("the stored app config is invalid")
            return error_response(500, f"Failed to {verb} configuration: {exc}")
        return error_response(400, str(exc))
    except DATABASE_UNAVAILABLE:
        raise  # a JSON 503 with Retry-After from the error middleware: the client may retry
    except Exception as exc:
        log.exception("could not %s the app config", verb)
        return error_response(500, f"Failed to {verb} configuration: {exc}")


async def get_config(request: web.Request) -> web.Response:
    return await _answer(current_app_config_response(request.app[SERVICES]), "get", writing=False)


async def put_config(request: web.Request) -> web.Response:
    body: AppConfigUpdate = request[BODY]
    return await _answer(update_app_config(request.app[SERVICES], body.present()), "update")


async def post_config(request: web.Request) -> web.Response:
    """A key missing from the body keeps its first-boot default (the Ramadan hours, the grid columns),
    not the schema's empty default; a key sent, even `[]`, is taken as sent (docs/decisions.md)."""
    body: AppConfigDocument = request[BODY]
    sent = body.model_dump(mode="json", include=body.model_fields_set)
    return await _answer(replace_app_config(request.app[SERVICES], {**first_boot_document(), **sent}), "create")


ROUTES = [
    Route("GET", "/api/config", get_config, Role.VIEWER, tags=TAGS, summary="The app configuration document"),
    Route("GET", "/config", get_config, Role.VIEWER, tags=TAGS, summary="Alias of GET /api/config"),
    Route("PUT", "/api/config", put_config, Role.ADMIN, body=AppConfigUpdate, tags=TAGS,
          summary="Shallow-merge top-level keys into the configuration",
          errors=((400, "the merged document is invalid"),)),
    Route("POST", "/api/config", post_config, Role.ADMIN, body=AppConfigDocument, tags=TAGS,
          summary="Replace the configuration (missing keys take their first-boot defaults)"),
]
