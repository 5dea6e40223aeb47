"""Build an OpenAPI 3.1 document from the route table.

Everything comes from the `Route`s: method, path (with its parameters), the
pydantic models of query, JSON body, form body and response, the least role
(as a security requirement and the `x-mawid-role` extension) and the answers
`bind` gives on its own (401, 403, 413, 422). Schemas are generated together so
that equally named models of different features get distinct names.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from pydantic import BaseModel, TypeAdapter

from runtime.auth import ACCESS_COOKIE
from runtime.routes import Route

log = logging.getLogger("mawid.openapi")

REF = "#/components/schemas/{model}"
_PARAMETER = re.compile(r"\{([^}:]+)(?::([^}]*))?\}")
_SECURED = [{"bearerAuth": []}, {"cookieAuth": []}, {"tokenQuery": []}]

# The answers the route layer itself gives (401, 403, 413, 422): always `detail` and `message`.
REFUSAL_SCHEMA = {
    "type": "object",
    "description": "`detail` as FastAPI (a string, or the list of validation errors), `message` a readable "
                   "sentence naming what was wrong.",
    "properties": {"detail": {"anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}]},
                   "message": {"type": "string"}},
    "required": ["detail", "message"],
}
# Route-specific errors keep the reference's style of that route: FastAPI's `detail`, or the service
# envelope `{"success": false, "message"}`, or `{"success": false, "error"}` (phone routes).
ERROR_SCHEMA = {
    "type": "object",
    "description": "An error in the route's own style: `detail`, or `success: false` with `message` or `error`.",
    "properties": {"detail": {}, "message": {"type": "string"}, "success": {"const": False},
                   "error": {"type": "string"}},
}


def _error(description: str, schema: str = "RouteError") -> dict[str, Any]:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}


COMPONENT_RESPONSES = {
    "Unauthorized": _error("No valid credentials (Bearer token, `mawid_access` cookie or `token` query)", "Refusal"),
    "Forbidden": _error("Authenticated, but the role is below the route's `x-mawid-role`", "Refusal"),
    "ValidationFailed": _error("The path, query or body is invalid; `message` names the field", "Refusal"),
    "TooLarge": _error("The request body exceeds MAX_BODY_BYTES", "Refusal"),
}

SECURITY_SCHEMES = {
    "bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
    "cookieAuth": {"type": "apiKey", "in": "cookie", "name": ACCESS_COOKIE},
    "tokenQuery": {"type": "apiKey", "in": "query", "name": "token"},
}


def openapi_path(path: str) -> str:
    return _PARAMETER.sub(lambda m: "{" + m.group(1) + "}", path)


def operation_id(route: Route) -> str:
    slug = re.sub(r"[^a-zA-Z0-9]+", "_", openapi_path(route.path)).strip("_") or "root"
    return f"{route.method.lower()}_{slug}"


def _path_parameters(path: str) -> list[dict[str, Any]]:
    params = []
    for match in _PARAMETER.finditer(path):
        schema: dict[str, Any] = {"type": "string"}
        if match.group(2):
            schema["pattern"] = f"^(?:{match.group(2)})$"
        params.append({"name": match.group(1), "in": "path", "required": True, "schema": schema})
    return params


def _adapter(kind: Any) -> TypeAdapter | None:
    """A schema source for a declared type, or None when it cannot be described (logged, never fatal)."""
    try:
        adapter = TypeAdapter(kind)
        adapter.json_schema()
        return adapter
    except Exception as exc:  # a route must not take the whole description down
        log.warning("cannot describe %r in /openapi.json: %s", kind, exc)
        return None


class _Schemas:
    """Collects the types of every route, then generates them in one pass."""

    def __init__(self) -> None:
        self.inputs: list[tuple[tuple[int, str], str, TypeAdapter]] = []
        self.raw: dict[tuple[int, str], dict[str, Any]] = {}

    def add(self, index: int, part: str, kind: Any, mode: str) -> None:
        if isinstance(kind, dict):  # a literal JSON schema
            self.raw[(index, part)] = kind
        elif kind is not None and (adapter := _adapter(kind)) is not None:
            self.inputs.append(((index, part), mode, adapter))

    def generate(self) -> tuple[dict[tuple[int, str], dict[str, Any]], dict[str, Any]]:
        refs, defs = TypeAdapter.json_schemas(self.inputs, ref_template=REF) if self.inputs else ({}, {})
        found = {key: schema for (key, _mode), schema in refs.items()}
        return {**found, **self.raw}, dict(defs.get("$defs", {}))


def _resolve(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    ref = schema.get("$ref", "")
    return components.get(ref.rsplit("/", 1)[-1], schema) if ref.startswith("#/components/schemas/") else schema


def _query_parameters(schema: dict[str, Any] | None, components: dict[str, Any]) -> list[dict[str, Any]]:
    if schema is None:
        return []
    model = _resolve(schema, components)
    required = set(model.get("required", ()))
    params = []
    for name, prop in model.get("properties", {}).items():
        param = {"name": name, "in": "query", "required": name in required, "schema": prop}
        if prop.get("description"):
            param["description"] = prop["description"]
        params.append(param)
    return params


def _has_required_fields(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, BaseModel) and any(
        field.is_required() for field in kind.model_fields.values()
    )


def _operation(index: int, route: Route, schemas: dict, components: dict) -> dict[str, Any]:
    op: dict[str, Any] = {"operationId": operation_id(route), "tags": list(route.tags) or ["default"]}
    if route.summary:
        op["summary"] = route.summary
    params = _path_parameters(route.path) + _query_parameters(schemas.get((index, "query")), components)
    if params:
        op["parameters"] = params
    if (index, "body") in schemas:
        op["requestBody"] = {"required": True,
                             "content": {"application/json": {"schema": schemas[(index, "body")]}}}
    elif (index, "form") in schemas:
        schema = schemas[(index, "form")]
        op["requestBody"] = {"required": _has_required_fields(route.form), "content": {
            "application/x-www-form-urlencoded": {"schema": schema}, "application/json": {"schema": schema}}}
    op["responses"] = _responses(index, route, schemas, bool(params) or "requestBody" in op)
    op["security"] = [] if route.role is None else list(_SECURED)
    op["x-mawid-role"] = "public" if route.role is None else route.role.label
    if route.auth_note:
        op["x-mawid-auth-note"] = route.auth_note
    return op


def _responses(index: int, route: Route, schemas: dict, validated: bool) -> dict[str, Any]:
    success: dict[str, Any] = {"description": "Success"}
    if (index, "response") in schemas and route.status != 204:
        success["content"] = {"application/json": {"schema": schemas[(index, "response")]}}
    responses: dict[str, Any] = {str(route.status): success}
    if route.role is not None:
        responses["401"] = {"$ref": "#/components/responses/Unauthorized"}
        responses["403"] = {"$ref": "#/components/responses/Forbidden"}
    if validated:
        responses["422"] = {"$ref": "#/components/responses/ValidationFailed"}
    if route.body is not None or route.form is not None:
        responses["413"] = {"$ref": "#/components/responses/TooLarge"}
    for status, when in route.errors:
        key = str(status)
        if key in responses and "description" in responses[key]:
            responses[key]["description"] += f"; {when}"
        else:
            responses[key] = _error(when)
    return responses


def build_document(routes: list[Route], *, title: str = "Mawid", version: str = "0.1.0") -> dict[str, Any]:
    collector = _Schemas()
    for index, route in enumerate(routes):
        collector.add(index, "query", route.query, "validation")
        collector.add(index, "body", route.body, "validation")
        collector.add(index, "form", route.form, "validation")
        collector.add(index, "response", route.response, "serialization")
    schemas, components = collector.generate()
    paths: dict[str, dict[str, Any]] = {}
    for index, route in enumerate(routes):
        item = paths.setdefault(openapi_path(route.path), {})
        item[route.method.lower()] = _operation(index, route, schemas, components)
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": version, "description": (
            "Every route's least role is in `x-mawid-role` (viewer < staff < admin; `public` needs none). "
            "Authenticate with `POST /auth/jwt/login`.")},
        "paths": paths,
        "components": {"schemas": {**components, "RouteError": ERROR_SCHEMA, "Refusal": REFUSAL_SCHEMA},
                       "responses": COMPONENT_RESPONSES, "securitySchemes": SECURITY_SCHEMES},
    }
