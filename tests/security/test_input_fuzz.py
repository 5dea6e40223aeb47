"""A small fuzz of every route in the route table: malformed JSON, hostile field values, odd query
values and path segments, sent as an admin (so every handler runs). Nothing may answer 5xx or log a
traceback (issue 19): bad input is the caller's mistake, answered with a 4xx or a business failure.

The table is the app's own (`/openapi.json` is generated from it), so a new route is fuzzed without
editing this file.
"""
from __future__ import annotations

import logging
import re
from typing import Any

from runtime.routes import ROUTES_KEY, Role, Route
from tests.security.input_support import nested

HUGE = "99999999999999999999999"
PATH_VALUES = ["966500000001", "%00", "..%2F..%2Fetc", "x" * 300, "%F0%9F%98%80", "%ED%A0%80", "-1", HUGE,
               "%E2%80%AE", "a%0D%0Ab"]
QUERY_VALUES = [HUGE, "-" + HUGE, "abc", "", "1e400", "NaN", "%00", "%ED%A0%80", "x" * 2000, "true"]
RAW_BODIES = [b"", b"{", b"[]", b"null", b'"x"', b"1e999999", b'{"a": NaN}', b'{"a": Infinity}', nested(100),
              nested(5000), b'{"x": "\\u0000"}', b'{"x": "\\ud800"}', b"\xff\xfe{}", b'{"a": 1, "a": {}}']
# Written into the JSON verbatim, so escapes reach the server as an attacker would send them.
FIELD_VALUES = [HUGE + "0" * 10, "-" + HUGE, '"a\\u0000b"', '"\\udfff"', "[[[[]]]]", '{"$gt": ""}',
                '"' + "x" * 20000 + '"', "1.5e308", "true"]
PARAM = re.compile(r"\{([^}]+)\}")


def fuzzable(route: Route) -> bool:
    return route.path != "/ws"  # a WebSocket upgrade; its frames are probed in test_input_ws


def paths(route: Route) -> list[str]:
    if not PARAM.search(route.path):
        return [route.path]
    return [PARAM.sub(value, route.path) for value in PATH_VALUES]


def concrete(route: Route) -> str:
    return PARAM.sub("966500000001", route.path)


def bodies(route: Route) -> list[bytes]:
    model = route.body or route.form
    if model is None:
        return []
    found: list[bytes] = list(RAW_BODIES)
    for field_name, field in model.model_fields.items():
        key = field.alias or field_name
        found.extend(f'{{"{key}": {value}}}'.encode() for value in FIELD_VALUES)
    return found


def queries(route: Route) -> list[str]:
    names = [field.alias or name for name, field in route.query.model_fields.items()] if route.query else ["limit"]
    return [f"{name}={value}" for name in names for value in QUERY_VALUES]


async def test_no_route_answers_5xx_or_logs_a_traceback_for_malformed_input(client, token_for, caplog):
    caplog.set_level(logging.ERROR)
    _, token = await token_for(Role.ADMIN)
    auth = {"Authorization": f"Bearer {token}"}
    routes = [route for route in client.app[ROUTES_KEY] if fuzzable(route)]
    failures: list[str] = []
    sent = 0

    async def probe(method: str, url: str, **kwargs: Any) -> None:
        nonlocal sent
        sent += 1
        async with client.request(method, url, allow_redirects=False, **kwargs) as answer:
            if answer.status >= 500:
                failures.append(f"{method} {url[:120]} {kwargs.get('data', b'')[:80]!r} -> {answer.status} "
                                f"{(await answer.text())[:200]}")

    for route in routes:
        for path in paths(route):
            await probe(route.method, path, headers=auth)
        for query in queries(route):
            await probe(route.method, f"{concrete(route)}?{query}", headers=auth)
        for body in bodies(route):
            for content_type in ("application/json", "application/x-www-form-urlencoded"):
                if route.body is not None and content_type != "application/json":
                    continue
                await probe(route.method, concrete(route), data=body,
                            headers={**auth, "Content-Type": content_type})
    assert sent > 1000
    assert failures == [], "\n".join(failures)
    tracebacks = [f"{record.name}: {record.getMessage()} ({record.exc_info[0].__name__}: {record.exc_info[1]})"
                  for record in caplog.records if record.exc_info]
    assert tracebacks == [], "\n".join(tracebacks)


HAND_PARSED = [  # values some handlers read themselves (legacy shapes), nested where the model says Any
    ("/update-vacation-periods", {"start_dates": "2025-01-01", "durations": HUGE}),
    ("/update-vacation-periods", {"start_dates": "9999-12-31", "durations": "2"}),
    ("/update-vacation-periods", {"start_dates": ["2025-01-01"], "durations": [[1]]}),
    ("/update-vacation-periods", {"start_dates": ["2025-01-01"], "durations": [1e300]}),
    ("/update-vacation-periods", {"periods": [{"start": "2025-01-01", "end": "9999-12-31"}]}),
    ("/update-vacation-periods", {"periods": [{"start": "0001-01-01", "end": "0001-01-02"}]}),
    ("/update-vacation-periods", {"periods": [{"start": 1e300, "end": [1]}]}),
    ("/undo-vacation-update", {"original_vacation_data": {"periods": [{"start": HUGE, "end": {}}]}}),
    ("/reserve", {"wa_id": "966500000001", "customer_name": "x", "date_str": "9999-12-31", "time_slot": "11:00",
                  "reservation_type": 0}),
    ("/reserve", {"wa_id": "966500000001", "customer_name": "x", "date_str": "2025-01-01", "time_slot": "99:99",
                  "reservation_type": int(HUGE), "max_reservations": int(HUGE)}),
    ("/reservations/966500000001/modify", {"new_date": "0001-01-01", "new_time_slot": "11:00",
                                           "reservation_id_to_modify": -int(HUGE), "max_reservations": -1}),
    ("/reservations/966500000001/cancel", {"reservation_id_to_cancel": [int(HUGE)]}),
    ("/undo-cancel", {"reservation_id": 2**31, "max_reservations": int(HUGE)}),
    ("/modify-id", {"old_wa_id": HUGE, "new_wa_id": "966500000002", "reservation_id": 2**63}),
]


async def test_numbers_that_handlers_read_themselves_are_refused_not_crashed(client, token_for, caplog):
    caplog.set_level(logging.ERROR)
    _, token = await token_for(Role.ADMIN)
    failures = []
    for path, body in HAND_PARSED:
        async with client.post(path, json=body, headers={"Authorization": f"Bearer {token}"}) as answer:
            if answer.status >= 500:
                failures.append(f"{path} {body} -> {answer.status} {(await answer.text())[:200]}")
    tracebacks = [f"{record.name}: {record.getMessage()} ({record.exc_info[0].__name__}: {record.exc_info[1]})"
                  for record in caplog.records if record.exc_info]
    assert failures == [] and tracebacks == [], "\n".join(failures + tracebacks)
