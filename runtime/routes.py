"""The route table: every HTTP route declared once with its role and schemas.

A `Route` says method, path, the least role allowed to call it (None: public),
and the pydantic models of its query string, JSON body and response. `bind`
turns a route into an aiohttp handler that enforces the role, validates input
and leaves the parsed models on the request; `/openapi.json` is generated from
the same table, so the description cannot drift from what is enforced.
"""
from __future__ import annotations

import json
import typing
from dataclasses import dataclass
from enum import IntEnum
from typing import Any, Awaitable, Callable

from aiohttp import web
from pydantic import BaseModel, ValidationError

from runtime.json_input import TooDeep, loads_bounded
from runtime.write_barrier import BARRIER, client_key

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class Role(IntEnum):
    """Ordered: a role may do everything the roles below it may."""

    VIEWER = 1
    STAFF = 2
    ADMIN = 3

    @classmethod
    def parse(cls, name: str) -> "Role":
        try:
            return cls[name.upper()]
        except KeyError:
            raise ValueError(f"unknown role {name!r}; expected admin, staff or viewer") from None

    @property
    def label(self) -> str:
        return self.name.lower()


@dataclass(frozen=True)
class Route:
    method: str
    path: str
    handler: Handler
    role: Role | None
    query: type[BaseModel] | None = None
    body: type[BaseModel] | None = None
    response: Any = None
    summary: str = ""
    tags: tuple[str, ...] = ()
    auth_note: str = ""  # how a public route is protected instead (e.g. "HMAC signature")
    form: type[BaseModel] | None = None  # an HTML-form body (urlencoded/multipart; JSON accepted too), e.g. login
    status: int = 200  # the success status, as described in /openapi.json
    errors: tuple[tuple[int, str], ...] = ()  # further answers worth describing: (status, when)


@dataclass(frozen=True)
class User:
    id: str
    email: str
    role: Role
    via: str = "token"  # token | cookie | trusted_network


QUERY = web.RequestKey("query", BaseModel)
BODY = web.RequestKey("body", BaseModel)
USER = web.RequestKey("user", User)
ROUTES_KEY = web.AppKey("routes", list)


# Made once: `json.dumps` with options builds a new encoder on every call (about 1.4 µs of a small answer).
_UNESCAPED_JSON = json.JSONEncoder(ensure_ascii=False, default=str)
_ASCII_JSON = json.JSONEncoder(ensure_ascii=True, default=str)


def json_bytes(value: Any) -> bytes:
    """UTF-8 JSON without ASCII escaping, as the reference emits it (Arabic appears literally), encoded once."""
    try:
        return _UNESCAPED_JSON.encode(value).encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (e.g. echoed bad input) cannot be UTF-8: escape instead
        return _ASCII_JSON.encode(value).encode("ascii")


def json_response(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=json_bytes(payload), status=status, headers=headers, content_type="application/json",
                        charset="utf-8")


def json_body_response(body: bytes) -> web.Response:
    """A 200 whose JSON body is already encoded."""
    return web.Response(body=body, content_type="application/json", charset="utf-8")


def success_json_response(data: bytes, extra: dict[str, Any] | None = None) -> web.Response:
    """`{"success": true, "data": …}` around `data`, JSON assembled elsewhere (by PostgreSQL), passed on without
    decoding; `extra` adds keys after it (encoded here)."""
    body = b'{"success": true, "data": ' + data
    for key, value in (extra or {}).items():
        body += b", " + json_bytes(key) + b": " + json_bytes(value)
    return json_body_response(body + b"}")


def unstorable_text(value: Any) -> tuple | None:
    """Where a string holds what PostgreSQL text cannot store (NUL, lone surrogates), or None.

    Iterative, so a deeply nested body cannot exhaust the interpreter's stack.
    """
    pending: list[tuple[tuple, Any]] = [((), value)]
    while pending:
        path, item = pending.pop()
        if isinstance(item, str):
            if "\x00" in item:
                return path
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return path
        elif isinstance(item, dict):
            for key, child in item.items():
                pending.append(((*path, key), key))
                pending.append(((*path, key), child))
        elif isinstance(item, list | tuple):
            pending.extend(((*path, index), child) for index, child in enumerate(item))
    return None


def _unstorable_response(data: Any, location: str) -> web.Response | None:
    found = unstorable_text(data)
    if found is None:
        return None
    field = ".".join(str(part) for part in (location, *found))
    return error_response(422, f"{field}: contains a NUL character or invalid Unicode, which cannot be stored")


def validation_error(exc: ValidationError, location: str) -> web.Response:
    """422 in FastAPI's shape (`detail` list) plus a readable `message` naming the field."""
    details = []
    for err in exc.errors(include_url=False):
        loc = [location, *err["loc"]]
        details.append({"type": err["type"], "loc": loc, "msg": err["msg"], "input": err.get("input")})
    first = details[0]
    field = ".".join(str(part) for part in first["loc"])
    return json_response({"detail": details, "message": f"{field}: {first['msg']}"}, status=422)


def error_response(status: int, detail: str, headers: dict[str, str] | None = None, **extra: Any) -> web.Response:
    """`{"detail", "message", **extra}`; `headers` are response headers (e.g. `Allow`), never body keys."""
    return json_response({"detail": detail, "message": detail, **extra}, status=status, headers=headers)


def _is_list_field(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (list, tuple, set):
        return True
    return any(_is_list_field(arg) for arg in typing.get_args(annotation) if arg is not type(None))


def _query_input(model: type[BaseModel], request: web.Request) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for key in request.query.keys():
        if key in data:
            continue
        field = model.model_fields.get(key) or next(
            (f for f in model.model_fields.values() if f.alias == key), None
        )
        values = request.query.getall(key)
        data[key] = values if field is not None and _is_list_field(field.annotation) else values[-1]
    return data


async def _body_input(request: web.Request) -> tuple[Any, web.Response | None]:
    raw = await request.read()
    if not raw.strip():
        return None, error_response(422, "Request body is required and must be a JSON object")
    try:
        parsed = loads_bounded(raw)
    except TooDeep as exc:
        return None, error_response(422, f"Request body is not usable: {exc}")
    except ValueError as exc:  # JSONDecodeError and UnicodeDecodeError are ValueErrors
        return None, error_response(422, f"Request body is not valid JSON: {exc}")
    if not isinstance(parsed, dict):
        return None, error_response(422, "Request body must be a JSON object")
    return parsed, None


async def _form_input(request: web.Request) -> tuple[dict[str, Any], web.Response | None]:
    """Form fields as strings (last value wins); a JSON object is accepted for API clients; no body is {}."""
    if request.content_type == "application/json":
        raw = await request.read()
        if not raw.strip():
            return {}, None
        parsed, problem = await _body_input(request)
        return (parsed or {}), problem
    try:
        form = await request.post()
    except (ValueError, UnicodeDecodeError, AssertionError) as exc:
        return {}, error_response(422, f"Request body is not a valid form: {exc}")
    return {key: form.getall(key)[-1] for key in form.keys() if isinstance(form.getall(key)[-1], str)}, None


def authorize(route: Route, request: web.Request) -> web.Response | None:
    if route.role is None:
        return None
    user = request.get(USER)
    if user is None:
        return error_response(401, "Not authenticated")
    if user.role < route.role:
        return error_response(403, f"This action needs the {route.role.label} role; you are {user.role.label}")
    return None


def _validated(model: type[BaseModel], data: Any, location: str) -> tuple[Any, web.Response | None]:
    """The parsed model, or the 422 that says what was wrong (text PostgreSQL cannot store included)."""
    if (problem := _unstorable_response(data, location)) is not None:
        return None, problem
    try:
        return model.model_validate(data), None
    except ValidationError as exc:
        return None, validation_error(exc, location)


READ_METHODS = frozenset({"GET", "HEAD"})


async def _with_barrier(route: Route, request: web.Request) -> web.StreamResponse:
    """Read-your-writes (runtime/write_barrier.py): a write registers for as long as it runs; a read
    from the same client waits for that client's writes in flight first."""
    barrier = request.app.get(BARRIER)
    key = client_key(request.get(USER), request) if barrier is not None and route.role is not None else None
    if key is None:
        return await route.handler(request)
    if route.method in READ_METHODS:
        await barrier.settled(key)
        return await route.handler(request)
    with barrier.writing(key):
        return await route.handler(request)


def bind(route: Route) -> Handler:
    async def handle(request: web.Request) -> web.StreamResponse:
        refusal = authorize(route, request)
        if refusal is not None:
            if refusal.status == 401:
                refusal.headers["WWW-Authenticate"] = "Bearer"
            return refusal
        if (problem := _unstorable_response(dict(request.match_info), "path")) is not None:
            return problem
        if route.query is not None:
            parsed, problem = _validated(route.query, _query_input(route.query, request), "query")
            if problem is not None:
                return problem
            request[QUERY] = parsed
        for model, read_input in ((route.body, _body_input), (route.form, _form_input)):
            if model is None:
                continue
            raw, problem = await read_input(request)
            if problem is None:
                parsed, problem = _validated(model, raw, "body")
            if problem is not None:
                return problem
            request[BODY] = parsed
        return await _with_barrier(route, request)

    handle.__name__ = getattr(route.handler, "__name__", "handle")
    return handle


def register(app: web.Application, routes: list[Route]) -> None:
    """Add routes to the app and to the table that `/openapi.json` describes."""
    table = app[ROUTES_KEY]
    for route in routes:
        handler = bind(route)
        app.router.add_route(route.method, route.path, handler)
        if route.method == "GET":  # HEAD answers as GET does, without the body (aiohttp drops it)
            app.router.add_route("HEAD", route.path, handler)
        table.append(route)
