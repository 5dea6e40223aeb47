"""The HTTP core: health, readiness, metrics, JSON errors, validation, roles, CORS, gzip."""
from __future__ import annotations

import pytest
from pydantic import BaseModel, Field

from handlers.app import create_app
from runtime.actor_system import MailboxFull
from runtime.routes import BODY, QUERY, Role, Route, json_response, register


class EchoQuery(BaseModel):
    limit: int = Field(10, ge=1, le=100)
    future: bool = False
    tags: list[str] = []


class EchoBody(BaseModel):
    name: str
    age: int | None = None


async def echo(request):
    return json_response({"query": request[QUERY].model_dump(), "body": request[BODY].model_dump()})


async def boom(request):
    raise RuntimeError("secret internals")


async def busy(request):
    raise MailboxFull("reservation:2030-01-01")


async def big(request):
    return json_response({"items": ["x" * 50] * 40})


@pytest.fixture
def app(config):
    app = create_app(config)
    register(app, [
        Route("POST", "/test/echo/{wa_id}", echo, Role.STAFF, query=EchoQuery, body=EchoBody),
        Route("GET", "/test/boom", boom, None),
        Route("GET", "/test/big", big, None),
        Route("GET", "/test/busy", busy, None),
        Route("GET", "/test/admin-only", big, Role.ADMIN),
    ])
    return app


async def test_healthz_and_readyz(client):
    assert (await (await client.get("/healthz")).json()) == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status == 200
    assert (await ready.json())["checks"] == {"database": "ok", "migrations": "ok"}


async def test_valid_request_is_parsed(staff_client):
    resp = await staff_client.post("/test/echo/966500000001?limit=5&future=yes&tags=a&tags=b", json={"name": "أحمد"})
    assert resp.status == 200
    body = await resp.json()
    assert body == {"query": {"limit": 5, "future": True, "tags": ["a", "b"]}, "body": {"name": "أحمد", "age": None}}
    assert "أحمد" in await resp.text()  # UTF-8, not \u escapes


@pytest.mark.parametrize("raw, fragment", [
    (b"", "required"),
    (b"{not json", "not valid JSON"),
    (b"[1, 2]", "JSON object"),
])
async def test_malformed_body_gets_422_json(staff_client, raw, fragment):
    resp = await staff_client.post("/test/echo/1", data=raw, headers={"Content-Type": "application/json"})
    assert resp.status == 422
    assert fragment in (await resp.json())["message"]


async def test_wrong_types_name_the_field(staff_client):
    resp = await staff_client.post("/test/echo/1", json={"name": "x", "age": "old"})
    assert resp.status == 422
    body = await resp.json()
    assert body["detail"][0]["loc"] == ["body", "age"]
    assert body["message"].startswith("body.age:")
    resp = await staff_client.post("/test/echo/1?limit=1000", json={"name": "x"})
    assert resp.status == 422 and (await resp.json())["detail"][0]["loc"] == ["query", "limit"]
    resp = await staff_client.post("/test/echo/1?future=maybe", json={"name": "x"})
    assert resp.status == 422 and (await resp.json())["detail"][0]["loc"] == ["query", "future"]


async def test_roles_are_enforced(client, viewer_client, staff_client, admin_client):
    assert (await client.post("/test/echo/1", json={"name": "x"})).status == 401
    assert (await viewer_client.post("/test/echo/1", json={"name": "x"})).status == 403
    assert (await staff_client.get("/test/admin-only")).status == 403
    assert (await admin_client.get("/test/admin-only")).status == 200
    assert (await admin_client.post("/test/echo/1", json={"name": "x"})).status == 200


async def test_tampered_token_is_anonymous(aiohttp_client, app):
    client = await aiohttp_client(app, headers={"Authorization": "Bearer eyJhbGciOiJub25lIn0.eyJzdWIiOiIxIn0."})
    assert (await client.post("/test/echo/1", json={"name": "x"})).status == 401


async def test_unexpected_error_is_500_json_without_traceback(client):
    resp = await client.get("/test/boom")
    assert resp.status == 500
    text = await resp.text()
    assert (await resp.json())["detail"] == "Internal Server Error"
    assert "secret internals" not in text and "Traceback" not in text


async def test_unknown_path_and_method_are_json(client):
    resp = await client.get("/nope")
    assert resp.status == 404 and (await resp.json())["detail"] == "Not Found"
    resp = await client.delete("/healthz")
    assert resp.status == 405 and (await resp.json())["detail"] == "Method Not Allowed"


async def test_oversized_body_is_413_json(aiohttp_client, config):
    app = create_app(config.replace(max_body_bytes=2048))
    client = await aiohttp_client(app)
    resp = await client.post("/healthz", data=b"x" * 5000)
    assert resp.status in (405, 413)
    assert "detail" in await resp.json()


async def test_metrics_use_route_templates(client, staff_client):
    await staff_client.post("/test/echo/966511111111", json={"name": "x"})
    await client.get("/healthz")
    text = await (await client.get("/metrics")).text()
    assert 'http_requests_total{endpoint="/test/echo/{wa_id}",http_status="200",method="POST"}' in text
    assert "966511111111" not in text
    assert 'http_request_duration_seconds_bucket{endpoint="/healthz",le="0.005",method="GET"}' in text


async def test_cors_preflight_and_simple_requests(client):
    resp = await client.options("/healthz", headers={
        "Origin": "http://localhost:3000", "Access-Control-Request-Method": "GET",
        "Access-Control-Request-Headers": "content-type"})
    assert resp.status == 200
    assert resp.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert resp.headers["Access-Control-Max-Age"] == "600"
    assert resp.headers["Access-Control-Allow-Headers"] == "content-type"
    resp = await client.get("/healthz", headers={"Origin": "http://127.0.0.1:3000"})
    assert resp.headers["Access-Control-Allow-Credentials"] == "true"


async def test_cors_outside_development_uses_allow_list(aiohttp_client, config):
    client = await aiohttp_client(create_app(config.replace(environment="production", app_url="https://clinic.test/")))
    preflight = {"Access-Control-Request-Method": "GET"}
    assert (await client.options("/healthz", headers={"Origin": "https://evil.test", **preflight})).status == 400
    assert (await client.options("/healthz", headers={"Origin": "https://clinic.test", **preflight})).status == 200


async def test_gzip_from_500_bytes(client):
    resp = await client.get("/test/big", headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    assert resp.headers.get("Content-Encoding") == "gzip"
    small = await client.get("/healthz", headers={"Accept-Encoding": "gzip"}, auto_decompress=False)
    assert "Content-Encoding" not in small.headers


async def test_request_id_is_echoed(client):
    resp = await client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert resp.headers["X-Request-ID"] == "abc123"


async def test_full_mailbox_is_a_fast_503_with_retry_after(client):
    resp = await client.get("/test/busy")
    assert resp.status == 503
    assert resp.headers["Retry-After"] == "1"
    assert "busy" in (await resp.json())["message"]
