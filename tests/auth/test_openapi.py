"""`/openapi.json` is generated from the route table at request time and describes every route."""
from __future__ import annotations

import logging
import uuid

import pytest
from openapi_spec_validator import validate
from pydantic import BaseModel, Field

from handlers.app import create_app
from handlers.openapi.document import build_document, openapi_path
from runtime.config import load_config
from runtime.routes import ROUTES_KEY, Role, Route, json_response, register
from tests.auth.conftest import auth_app


class Filter(BaseModel):
    limit: int = Field(10, ge=1, le=100)
    tags: list[str] = []


class Item(BaseModel):
    id: uuid.UUID
    name: str


async def _ok(request):
    return json_response([])


def _other_feature_routes() -> list[Route]:
    # A second model named `Item`, as another feature might declare, must not clash.
    other_item = type("Item", (BaseModel,), {"__annotations__": {"count": int}, "__module__": "elsewhere"})
    return [
        Route("GET", r"/things/{wa_id:\d+}", _ok, Role.VIEWER, query=Filter, response=list[Item],
              summary="things", tags=("things",)),
        Route("POST", "/things", _ok, Role.STAFF, body=other_item, response=Item),
    ]


async def test_document_describes_routes_added_by_any_feature(aiohttp_client, config):
    app = auth_app(config)
    register(app, _other_feature_routes())  # as a feature's setup(app) would, after the others
    client = await aiohttp_client(app)
    resp = await client.get("/openapi.json")
    assert resp.status == 200
    doc = await resp.json()
    validate(doc)  # a valid OpenAPI 3.1 document
    assert doc["openapi"] == "3.1.0"
    described = {(method.upper(), path) for path, item in doc["paths"].items() for method in item}
    assert described == {(r.method, r.path.replace(r"{wa_id:\d+}", "{wa_id}")) for r in app[ROUTES_KEY]}

    things = doc["paths"]["/things/{wa_id}"]["get"]
    params = {p["name"]: p for p in things["parameters"]}
    assert params["wa_id"]["in"] == "path" and params["wa_id"]["schema"]["pattern"] == r"^(?:\d+)$"
    assert params["limit"]["schema"]["maximum"] == 100 and params["limit"]["required"] is False
    assert params["tags"]["schema"]["type"] == "array"
    assert things["x-mawid-role"] == "viewer"
    assert {"bearerAuth": []} in things["security"]
    assert {"401", "403", "422"} <= set(things["responses"])
    item_ref = things["responses"]["200"]["content"]["application/json"]["schema"]["items"]["$ref"]
    post_ref = doc["paths"]["/things"]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert item_ref != post_ref  # two different `Item` models keep two names
    schemas = doc["components"]["schemas"]
    assert set(schemas[item_ref.rsplit("/", 1)[1]]["properties"]) == {"id", "name"}
    assert set(schemas[post_ref.rsplit("/", 1)[1]]["properties"]) == {"count"}


async def test_auth_routes_are_described_as_implemented(client):
    doc = await (await client.get("/openapi.json")).json()
    login = doc["paths"]["/auth/jwt/login"]["post"]
    assert login["security"] == [] and login["x-mawid-role"] == "public" and login["x-mawid-auth-note"]
    assert "application/x-www-form-urlencoded" in login["requestBody"]["content"]
    assert {"200", "400", "422", "429"} <= set(login["responses"])
    assert doc["paths"]["/users/{id}"]["delete"]["x-mawid-role"] == "admin"
    assert "204" in doc["paths"]["/users/{id}"]["delete"]["responses"]
    assert doc["paths"]["/auth/register"]["post"]["x-mawid-role"] == "admin"
    user_read = doc["components"]["schemas"]["UserRead"]
    assert set(user_read["required"]) == {"id", "email", "is_active", "is_superuser", "is_verified", "role"}


def test_an_undescribable_type_costs_only_its_own_schema(caplog):
    class NotAModel:
        pass

    routes = [Route("GET", "/odd", _ok, Role.VIEWER, response=NotAModel), *_other_feature_routes()]
    with caplog.at_level(logging.WARNING, logger="mawid.openapi"):
        doc = build_document(routes)
    assert "content" not in doc["paths"]["/odd"]["get"]["responses"]["200"]
    assert "/things" in doc["paths"] and "cannot describe" in caplog.text


@pytest.mark.parametrize("settings", [{}, {"METRICS_PUBLIC": "false", "ALLOW_USER_REGISTRATION": "true"}])
def test_full_app_is_fully_described(env, settings, caplog):
    app = create_app(load_config({**env, **settings}))
    with caplog.at_level(logging.WARNING, logger="mawid.openapi"):
        doc = build_document(list(app[ROUTES_KEY]))
    validate(doc)
    assert "cannot describe" not in caplog.text, caplog.text
    for route in app[ROUTES_KEY]:
        op = doc["paths"][openapi_path(route.path)][route.method.lower()]
        assert op["x-mawid-role"] == (route.role.label if route.role else "public")
