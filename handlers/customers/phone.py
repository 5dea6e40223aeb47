"""`/phone/*`: the contact picker — fuzzy search, recent contacts, the filtered directory, stats (spec 30 §4)."""
from __future__ import annotations

import logging
import math
from collections import Counter
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field

from actors.customers.phone import calling_codes_of, region_of, regions_of_code, single_region_of_prefix
from actors.customers.search import SearchTerms
from actors.customers.wire import contact_item
from handlers.customers.common import services_of
from handlers.customers.directory import DirectoryQuery, DirectorySql, directory_filters
from handlers.customers.phone_search import find_items, items_bytes, resources_of
from handlers.customers.read_pools import ANALYTICS, SEARCH, SEARCH_SMALL, pool_context, pool_of
from runtime.db import DATABASE_UNAVAILABLE, QUERIES
from runtime.routes import QUERY, Role, Route, json_bytes, json_response, success_json_response

log = logging.getLogger("mawid.customers.phone")
TAGS = ("phone",)


class SearchQuery(BaseModel):
    q: str = Field(min_length=1, description="name (Arabic or Latin), phone or a few digits")
    limit: int = Field(100, ge=1, le=500)


class RecentQuery(BaseModel):
    limit: int = Field(50, ge=1, le=100)


def _failure(exc: Exception) -> web.Response:
    # The reference's key is `error`; the text is sanitised (no SQL or driver detail: quirk Q18).
    log.exception("phone route failed")
    return json_response({"success": False, "error": f"{type(exc).__name__}: internal error"}, 500)


def _item(row: Any) -> dict[str, Any]:
    return contact_item(row)


async def search(request: web.Request) -> web.Response:
    query: SearchQuery = request[QUERY]
    terms = SearchTerms.parse(query.q)
    if terms is None:
        return json_response({"success": True, "data": []})
    try:
        items = await find_items(resources_of(services_of(request)), terms, query.limit)
    except DATABASE_UNAVAILABLE:
        raise  # a JSON 503 with Retry-After from the error middleware: the client may retry
    except Exception as exc:
        return _failure(exc)
    return success_json_response(items)


async def recent(request: web.Request) -> web.Response:
    try:
        items = await services_of(request).require_pool().fetchval(QUERIES.phone_recent_json, request[QUERY].limit)
    except DATABASE_UNAVAILABLE:
        raise  # a JSON 503 with Retry-After from the error middleware: the client may retry
    except Exception as exc:
        return _failure(exc)
    return success_json_response(items_bytes(items))


async def directory(request: web.Request) -> web.Response:
    query: DirectoryQuery = request[QUERY]
    filters = directory_filters(query, services_of(request).config.timezone)
    offset = (query.page - 1) * query.page_size
    region = query.country.strip().upper() if query.country else None
    code = calling_codes_of(region) if region else None
    try:
        # The page and its total are two statements on connections tuned for them (read_pools.ANALYTICS).
        async with pool_of(services_of(request), ANALYTICS).acquire() as conn:
            if region and code is None:
                items, total = b"[]", 0
            elif region and len(regions_of_code(code)) > 1:
                # A shared calling code (+1, +44, +7 …): only libphonenumber knows the region, so filter the
                # prefix-matching rows here and page in memory (the prefix already narrowed them in SQL).
                every = await conn.fetch(*DirectorySql(filters, str(code)).page(None, 0))
                matching = [r for r in every if region_of(r["wa_id"]) == region]
                page = matching[offset:offset + query.page_size]
                items, total = json_bytes([_item(r) for r in page]), len(matching)
            else:
                sql = DirectorySql(filters, str(code) if code else None)
                items = items_bytes(await conn.fetchval(*sql.page_json(query.page_size, offset)))
                total = await conn.fetchval(*sql.count())
    except DATABASE_UNAVAILABLE:
        raise  # a JSON 503 with Retry-After from the error middleware: the client may retry
    except Exception as exc:
        return _failure(exc)
    return success_json_response(items, {"pagination": {
        "page": query.page, "page_size": query.page_size, "total": total,
        "total_pages": math.ceil(total / query.page_size) if total else 0,
    }})


async def stats(request: web.Request) -> web.Response:
    try:
        async with services_of(request).require_pool().acquire() as conn, conn.transaction(readonly=True):
            status = dict(await conn.fetchrow(QUERIES.phone_status_counts))
            countries: Counter[str] = Counter()
            shared: set[int] = set()
            for row in await conn.fetch(QUERIES.phone_prefix_counts):
                region, code = single_region_of_prefix(row["prefix"], row["digits"])
                if region:
                    countries[region] += row["customers"]
                elif code:
                    shared.add(code)
            irregular = [r["wa_id"] for r in await conn.fetch(QUERIES.phone_irregular_wa_ids)]
            for code in sorted(shared):
                irregular += [r["wa_id"] for r in await conn.fetch(QUERIES.phone_wa_ids_with_prefix, str(code))]
    except DATABASE_UNAVAILABLE:
        raise  # a JSON 503 with Retry-After from the error middleware: the client may retry
    except Exception as exc:
        return _failure(exc)
    countries.update(region for region in map(region_of, irregular) if region)
    return json_response({
        "success": True,
        "data": {"countries": dict(countries.most_common()), "status": status, "registration": dict(status)},
    })


ROUTES = [
    Route("GET", "/phone/search", search, Role.VIEWER, query=SearchQuery,
          summary="Fuzzy customer search by name (Arabic-normalised) or digits, best match first", tags=TAGS),
    Route("GET", "/phone/recent", recent, Role.VIEWER, query=RecentQuery,
          summary="Customers with the latest messages from them", tags=TAGS),
    Route("GET", "/phone/all", directory, Role.VIEWER, query=DirectoryQuery,
          summary="The paginated, filtered contact directory (real names first)", tags=TAGS),
    Route("GET", "/phone/stats", stats, Role.VIEWER,
          summary="Customers per country and per registration status", tags=TAGS),
]


def setup(app: web.Application) -> None:
    app.cleanup_ctx.extend([pool_context(SEARCH), pool_context(SEARCH_SMALL), pool_context(ANALYTICS)])
