"""Reading and writing the app-config singleton, with a version-checked per-process cache."""
from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from pydantic import ValidationError

from actors.app_config.defaults import first_boot_document
from actors.app_config.migrations import migrate_stored
from actors.app_config.schema import AppConfigDocument
from runtime.db import QUERIES
from runtime.events import publish

if TYPE_CHECKING:
    from runtime.services import Services

_CACHE_KEY = "app_config"


class ConfigInvalid(ValueError):
    """The merged or stored document fails validation; the text is the validation report."""


@dataclass(frozen=True)
class _Cached:
    version: tuple[int, datetime]
    document: dict[str, Any]
    created_at: datetime
    updated_at: datetime


def _naive_utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).replace(tzinfo=None).isoformat()


def validate_document(doc: dict[str, Any]) -> dict[str, Any]:
    try:
        return AppConfigDocument.model_validate(doc).model_dump(mode="json")
    except ValidationError as exc:
        raise ConfigInvalid(str(exc)) from None


async def _load(services: "Services", conn) -> _Cached:
    row = await conn.fetchrow(QUERIES.app_config_row)
    if row is None:
        await conn.execute(QUERIES.app_config_insert_first, first_boot_document())
        row = await conn.fetchrow(QUERIES.app_config_row)
    doc, dirty = migrate_stored(row["config"])
    doc = validate_document(doc)
    if dirty:
        row = await conn.fetchrow(QUERIES.app_config_write, doc)
    cached = _Cached((row["id"], row["updated_at"]), doc, row["created_at"], row["updated_at"])
    services.extras[_CACHE_KEY] = cached
    return cached


async def _current_on(services: "Services", conn) -> _Cached:
    version = await conn.fetchrow(QUERIES.app_config_version)
    cached = services.extras.get(_CACHE_KEY)
    if cached is not None and version is not None and cached.version == (version["id"], version["updated_at"]):
        return cached
    return await _load(services, conn)


async def _current(services: "Services", conn=None) -> _Cached:
    if conn is not None:
        return await _current_on(services, conn)
    async with services.require_pool().acquire() as own:
        return await _current_on(services, own)


async def current_app_config(services: "Services", conn=None) -> dict[str, Any]:
    """`conn`: an acquired connection to reuse (outside a transaction, or the first read may insert)."""
    return (await _current(services, conn)).document


def _response(cached: _Cached) -> dict[str, Any]:
    return {**copy.deepcopy(cached.document), "id": cached.version[0],
            "created_at": _naive_utc(cached.created_at), "updated_at": _naive_utc(cached.updated_at)}


async def current_app_config_response(services: "Services") -> dict[str, Any]:
    """The wire shape of `GET /api/config`: the document plus id, created_at, updated_at."""
    return _response(await _current(services))


async def update_app_config(services: "Services", changes: dict[str, Any]) -> dict[str, Any]:
    """PUT: shallow merge of the present top-level keys, validate the whole, write the newest row."""
    async with services.require_pool().acquire() as conn, conn.transaction():
        await conn.execute(QUERIES.app_config_lock)
        current = await _load(services, conn)
        merged = validate_document({**current.document, **changes})
        row = await conn.fetchrow(QUERIES.app_config_write, merged)
        if row is None:
            row = await conn.fetchrow(QUERIES.app_config_insert, merged)
    services.extras.pop(_CACHE_KEY, None)
    return await _announced(services)


async def replace_app_config(services: "Services", document: dict[str, Any]) -> dict[str, Any]:
    """POST: delete every row and insert the new document (new id), in one transaction."""
    doc = validate_document(document)
    async with services.require_pool().acquire() as conn, conn.transaction():
        await conn.execute(QUERIES.app_config_lock)
        await conn.execute(QUERIES.app_config_delete_all)
        await conn.fetchrow(QUERIES.app_config_insert, doc)
    services.extras.pop(_CACHE_KEY, None)
    return await _announced(services)


async def _announced(services: "Services") -> dict[str, Any]:
    """The new document, announced as `config_updated` (opt-in: the reference's dashboard does not know it) so
    open calendars re-read the clinic's hours; the document itself stays behind GET /api/config."""
    response = await current_app_config_response(services)
    await publish(services, "config_updated", {"id": response["id"], "updated_at": response["updated_at"],
                                               "_source": "frontend"})
    return response
