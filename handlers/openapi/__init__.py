"""`GET /openapi.json`: the route table described as OpenAPI 3.1, generated at request time.

Routes are added by many features (some in `setup`), so the document is built
from `app[ROUTES_KEY]` when asked, and cached only while the table is unchanged.
"""
from __future__ import annotations

from aiohttp import web

from handlers.openapi.document import build_document
from runtime.routes import ROUTES_KEY, Route, json_response

_CACHE = web.AppKey("openapi_cache", dict)


async def openapi_json(request: web.Request) -> web.Response:
    routes = request.app[ROUTES_KEY]
    fingerprint = tuple(id(route) for route in routes)
    cache = request.app[_CACHE]
    if cache.get("fingerprint") != fingerprint:
        cache.update(fingerprint=fingerprint, document=build_document(list(routes)))
    return json_response(cache["document"])


def setup(app: web.Application) -> None:
    app[_CACHE] = {}  # mutated later: a started app's own keys must not change


ROUTES = [
    Route("GET", "/openapi.json", openapi_json, None, summary="This API described as OpenAPI 3.1",
          tags=("operations",), auth_note="public, as the reference's auto-docs"),
]
