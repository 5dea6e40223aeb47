"""HTTP input at the edge of a running server (issue 19 rows 7, 8, 11, 13 and the probes that already held).

Redirect targets, CORS origins, numeric query values, HEAD, error bodies, request ids, body limits and
static-file paths, each tried as an attacker would send it.
"""
from __future__ import annotations

import re

import aiohttp
import httpx
import pytest
from pydantic import BaseModel

from runtime.auth import ACCESS_COOKIE
from runtime.routes import ROUTES_KEY, Role
from tests.security.input_support import base_env
from tests.support.servers import ServerProcess

OFF_SITE = ["/%09/evil.example", "/%0d%0a/evil.example", "/%0A/evil.example", "/%09%09/evil.example",
            "//evil.example", "/\\evil.example", "/%5Cevil.example", "%2F%2Fevil.example", "https://evil.example",
            "javascript:alert(1)", "/%00/evil.example", "%20//evil.example", "/%7F/evil.example"]
OVER_DEFAULT_LIMIT = b"x" * (5 * 1024 * 1024 + 1)  # MAX_BODY_BYTES defaults to 5 MiB
CONTROL = re.compile(r"[\x00-\x1f\x7f\\]")


@pytest.fixture(scope="module")
def server(database_url):
    """One server for the probes that need nothing but the defaults (each of the others starts its own)."""
    shared = ServerProcess(base_env(database_url)).start()
    yield shared
    shared.stop(timeout=20)


def same_site_path(location: str) -> bool:
    return location.startswith("/") and not location.startswith("//") and not CONTROL.search(location)


async def test_the_language_switch_never_redirects_off_site(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        for target in OFF_SITE:
            answer = await http.get(f"/app/lang/en?next={target}")
            assert answer.status_code == 302, target
            assert answer.headers["Location"] == "/app/calendar", (target, answer.headers["Location"])
        kept = await http.get("/app/lang/ar?next=/app/customers%3Fpage%3D2")
        assert kept.headers["Location"] == "/app/customers?page=2"
        login = await http.get("/login?next=/%09/evil.example")
        assert 'data-next="/app/calendar"' in login.text


async def test_production_cors_allows_only_app_url_and_the_listed_origins(servers, env, token_for):
    server = servers({**env, "ENVIRONMENT": "production", "APP_URL": "https://clinic.example/dashboard",
                      "CORS_ORIGINS": "https://ops.example:8443, https://Other.Example"})
    refused = ["null", "http://localhost:3000", "http://127.0.0.1:8080", "http://localhost", "https://evil.example",
               "https://clinic.example.evil.example"]
    allowed = ["https://clinic.example", "https://ops.example:8443", "https://other.example"]
    preflight = {"Access-Control-Request-Method": "GET"}
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        for origin in refused:
            simple = await http.get("/healthz", headers={"Origin": origin})
            assert "Access-Control-Allow-Origin" not in simple.headers, origin
            answer = await http.options("/healthz", headers={"Origin": origin, **preflight})
            assert (answer.status_code, answer.text) == (400, "Disallowed CORS origin"), origin
        for origin in allowed:
            simple = await http.get("/healthz", headers={"Origin": origin})
            assert simple.headers["Access-Control-Allow-Origin"] == origin
            assert simple.headers["Access-Control-Allow-Credentials"] == "true"
            assert (await http.options("/healthz", headers={"Origin": origin, **preflight})).status_code == 200
    _, token = await token_for(Role.STAFF)
    cookie = {"Cookie": f"{ACCESS_COOKIE}={token}"}
    async with aiohttp.ClientSession() as session:
        for origin in ("null", "http://localhost:3000"):
            with pytest.raises(aiohttp.WSServerHandshakeError) as info:
                await session.ws_connect(server.url + "/ws", headers={**cookie, "Origin": origin})
            assert info.value.status == 403
        ws = await session.ws_connect(server.url + "/ws", headers={**cookie, "Origin": "https://clinic.example"})
        await ws.close()


async def test_development_cors_still_echoes_any_origin_as_the_reference(servers, env):
    server = servers({**env, "ENVIRONMENT": "development"})
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        for origin in ("null", "http://localhost:3000", "https://anything.example"):
            answer = await http.get("/healthz", headers={"Origin": origin})
            assert answer.headers["Access-Control-Allow-Origin"] == origin


def test_cors_origins_must_be_http_origins(env):
    from runtime.config import ConfigError, load_config

    assert load_config({**env, "CORS_ORIGINS": "https://a.example/, http://B.example:81"}).cors_origins == (
        "https://a.example", "http://b.example:81")
    for bad in ("null", "*", "file:///etc", "https://user@a.example"):
        with pytest.raises(ConfigError, match="CORS_ORIGINS"):
            load_config({**env, "CORS_ORIGINS": bad})


HUGE = "99999999999999999999999"
NUMERIC_QUERIES = [f"/conversations/966500000001?limit={HUGE}", f"/conversations/966500000001?limit=-{HUGE}",
                   f"/notifications?limit={HUGE}", f"/phone/all?page={HUGE}", f"/phone/all?page_size={HUGE}",
                   f"/phone/search?q=a&limit={HUGE}", f"/phone/recent?limit={HUGE}",
                   "/conversations/966500000001?limit=1e400", "/notifications?limit=NaN"]


async def test_out_of_range_numbers_in_queries_are_422(server, token_for):
    _, token = await token_for(Role.ADMIN)
    async with httpx.AsyncClient(base_url=server.url, timeout=10,
                                 headers={"Authorization": f"Bearer {token}"}) as http:
        for path in NUMERIC_QUERIES:
            answer = await http.get(path)
            assert answer.status_code == 422, (path, answer.status_code, answer.text[:300])
            body = answer.json()
            assert body["detail"][0]["loc"][0] == "query" and body["message"].startswith("query."), body
        assert (await http.get("/conversations/966500000001?limit=-5")).status_code == 200
    assert "Traceback" not in server.logs()


def test_every_integer_in_a_query_model_is_bounded(app):
    """The audit kept: a query int without both bounds could reach SQL as a value out of bigint's range."""
    unbounded = []
    for route in app[ROUTES_KEY]:
        model: type[BaseModel] | None = route.query
        for name, field in (model.model_fields.items() if model else ()):
            if "int" not in str(field.annotation) and "float" not in str(field.annotation):
                continue
            kinds = {type(item).__name__ for item in field.metadata}
            if not ({"Ge", "Gt"} & kinds and {"Le", "Lt"} & kinds):
                unbounded.append(f"{route.method} {route.path} {model.__name__}.{name}")
    assert unbounded == []


async def test_head_answers_like_get_without_a_body(server, token_for):
    _, token = await token_for(Role.VIEWER)
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        for path, headers in (("/healthz", {}), ("/openapi.json", {}), ("/login", {}), ("/metrics", {}),
                              ("/users/me", {"Authorization": f"Bearer {token}"}), ("/vacations", {}),
                              ("/app/lang/en?next=/login", {})):
            get, head = await http.get(path, headers=headers), await http.head(path, headers=headers)
            assert head.status_code == get.status_code, (path, head.status_code, get.status_code)
            assert head.content == b"", path
            assert head.headers.get("Content-Type") == get.headers.get("Content-Type"), path
        not_allowed = await http.head("/reserve")
        assert not_allowed.status_code == 405 and "GET" not in not_allowed.headers.get("Allow", "")


async def test_error_bodies_have_detail_and_message_only(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        cases = [(await http.get("/no/such/path"), 404, "Not Found"),
                 (await http.put("/healthz"), 405, "Method Not Allowed"),
                 (await http.get("/users/me"), 401, "Not authenticated"),
                 (await http.post("/webhook", content=OVER_DEFAULT_LIMIT), 413, "Request body is too large")]
    for answer, status, detail in cases:
        assert answer.status_code == status
        assert answer.json() == {"detail": detail, "message": detail}, answer.text
    assert "GET" in cases[1][0].headers["Allow"]  # the header stays a header
    assert cases[2][0].headers["WWW-Authenticate"] == "Bearer"


async def test_request_ids_are_reflected_only_when_short_and_plain(server):
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        kept = await http.get("/healthz", headers={"X-Request-ID": "client-42.a:b_c"})
        assert kept.headers["X-Request-ID"] == "client-42.a:b_c"
        for hostile in ("x" * 5000, "x" * 129, "a b", "<script>", "é", "id\tsplit"):
            answer = await http.get("/healthz", headers={"X-Request-ID": hostile.encode()})
            replaced = answer.headers["X-Request-ID"]
            assert replaced != hostile and re.fullmatch(r"[0-9a-f]{32}", replaced), (hostile[:20], replaced)


async def test_static_paths_cannot_leave_the_static_folder(server):
    probes = ["/static/../../pyproject.toml", "/static/%2e%2e/%2e%2e/pyproject.toml",
              "/static/..%2f..%2fpyproject.toml", "/static/%2e%2e%2f%2e%2e%2fruntime/config.py",
              "/static/....//....//pyproject.toml", "/static/%252e%252e/pyproject.toml",
              "/static/css/../../../runtime/config.py", "/static//etc/passwd", "/static/%00"]
    async with httpx.AsyncClient(base_url=server.url, timeout=10) as http:
        assert (await http.get("/static/favicon.svg")).status_code == 200
        for path in probes:
            answer = await http.get(path)
            assert answer.status_code in (400, 403, 404), (path, answer.status_code)
            assert "[project]" not in answer.text and "VARIABLES" not in answer.text and "root:" not in answer.text


async def test_rest_bodies_over_the_limit_or_nested_too_deep_are_4xx(server, token_for):
    _, token = await token_for(Role.ADMIN)
    deep = b'{"message": "x", "role": "user", "extra": ' + b"[" * 5000 + b"]" * 5000 + b"}"
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    async with httpx.AsyncClient(base_url=server.url, timeout=10, headers=headers) as http:
        too_big = await http.post("/conversations/966500000001", content=OVER_DEFAULT_LIMIT)
        assert too_big.status_code == 413
        nested = await http.post("/conversations/966500000001", content=deep)
        assert nested.status_code == 422 and "nested" in nested.json()["detail"]
        for path in ("/api/config", "/reserve", "/update-vacation-periods"):
            answer = await http.post(path, content=deep)
            assert answer.status_code == 422, path
    assert "RecursionError" not in server.logs()
