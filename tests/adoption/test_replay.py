"""THE REPLAY TEST: Mawid on an adopted reference database answers like the reference.

The fixture's 94 GET requests (answers.json, recorded by the reference on this data) are
replayed against a real `bin/mawid serve` started on the adopted database, with
TRUSTED_NETWORKS so requests act as staff without a login, as the reference's dashboard
would. Each answer must equal the reference's, except for the differences listed in
known_differences.py (each with its reason). A route that is not registered fails its
cases, naming the route; missing fixtures fail, naming the path.

Time: the answers were recorded on 2026-11-26 and the requests use explicit dates, so
they do not move with the calendar, with two exceptions the fixture masks or notes:
/stats `activeCustomers` (counts bookings on or after today: masked, and masked here too)
and /customers/{wa_id} `age` (effective age = stored age + full years since
age_recorded_at, by the server's clock): the expected age is moved on by the full years
this test's clock adds since the recording, so these cases hold on any date (the first
replayed age moves on 2027-03-18; check with `faketime -f '@2027-12-01 12:00:00' pytest …`,
which the server process inherits).
"""
from __future__ import annotations

import asyncio
import json
import os
from datetime import date, datetime
from zoneinfo import ZoneInfo

import asyncpg
import httpx
import pytest
from aiohttp.test_utils import make_mocked_request

from tests.adoption.conftest import drop_later
from tests.adoption.known_differences import (
    DIFFERENCES,
    Truth,
    align_floats,
    canonical_order,
    chronological,
    expected_answer,
    tie_canonical,
)
from tests.adoption.support import ANSWERS, DUMP, mawid, reference_database
from tests.support.requirements import require_fixture
from tests.support.servers import ServerProcess

ANSWER_LIST = json.loads(ANSWERS.read_text(encoding="utf-8")) if ANSWERS.exists() else []
MASK = "<now>"
RECORDED_ON = date(2026, 11, 26)  # the day the reference answered (answers.json notes)


def test_the_reference_answers_are_there():
    """Without answers.json the replay cases below are an empty parameter set (one quiet skip): fail instead."""
    assert len(json.loads(require_fixture(ANSWERS).read_text(encoding="utf-8"))) == len(ANSWER_LIST) > 0


def _env(url: str) -> dict[str, str]:
    return {
        "DATABASE_URL": url, "TRUSTED_NETWORKS": "127.0.0.1/32", "JWT_SECRET": "replay-secret-0123456789abcdef",
        "LOG_FORMAT": "text", "LOG_LEVEL": "WARNING", "APP_SECRET": "replay-app-secret",
        "VERIFY_TOKEN": "replay-verify-token",
        # no scheduled jobs: a reminder run would log messages into the histories being replayed
        "SCHEDULER_ENABLED": "false",
        # requests are replayed one at a time; leave connections to the other suites
        "DB_POOL_MIN": "1", "DB_POOL_MAX": "6",
    }


async def _truth(url: str) -> Truth:
    """Facts from the adopted database that a fixed answer needs and the recorded one cannot carry."""
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch(
            "SELECT c.wa_id, max(m.local_date + m.local_time) AS last FROM customers c "
            "LEFT JOIN conversation m ON m.wa_id = c.wa_id AND m.role = 'user' GROUP BY c.wa_id")
        ranges = {}
        for answer in ANSWER_LIST:
            query = answer["query"]
            if answer["path"] == "/phone/all" and query.get("date_range_type") == "messages":
                bounds = (query["date_from"], query.get("date_to", query["date_from"]))
                members = await conn.fetch(
                    "SELECT DISTINCT wa_id FROM conversation WHERE role = 'user' "
                    "AND local_date BETWEEN $1::text::date AND $2::text::date", *bounds)
                ranges[bounds] = {r["wa_id"] for r in members}
    finally:
        await conn.close()
    last = {r["wa_id"]: (r["last"].isoformat() if r["last"] else None) for r in rows}
    histories: dict[str, list[dict]] = {}
    for answer in ANSWER_LIST:
        if answer["path"].startswith("/conversations/") and "calendar" not in answer["path"] and not answer["query"]:
            body, _ = expected_answer(answer, Truth(last, {}, ranges))
            histories.update(body.get("data") or {})
    return Truth(last, histories, ranges)


async def _registered_routes(env: dict[str, str]) -> dict[str, bool]:
    from handlers.app import create_app
    from runtime.config import load_config

    app = create_app(load_config(env))
    found = {}
    for answer in ANSWER_LIST:
        request = make_mocked_request(answer["method"], answer["path"], app=app)
        match = await app.router.resolve(request)
        found[answer["name"]] = match.http_exception is None
    return found


@pytest.fixture(scope="session")
def adopted_server():
    require_fixture(DUMP)
    url = drop_later(asyncio.run(reference_database()))
    server = None
    try:
        adopted = mawid("adopt", database_url=url)
        assert adopted.returncode == 0, adopted.stdout + adopted.stderr
        env = _env(url)
        truth = asyncio.run(_truth(url))
        routes = asyncio.run(_registered_routes(env))
        server = ServerProcess(env).start()
        with httpx.Client(base_url=server.url, timeout=30) as client:
            yield client, routes, truth, _today(env)
    finally:
        if server is not None:
            server.stop()


def _masked(path: str, body):
    if path == "/stats" and isinstance(body, dict) and isinstance(body.get("data"), dict):
        data = body["data"]
        if isinstance(data.get("stats"), dict) and "activeCustomers" in data["stats"]:
            data["stats"]["activeCustomers"] = MASK
        if "prometheusMetrics" in data:
            data["prometheusMetrics"] = MASK
    return body


def _full_years(since: date, until: date) -> int:
    return until.year - since.year - ((until.month, until.day) < (since.month, since.day))


def _aged(path: str, body, today: date):
    """/customers/{wa_id} `age` grows by the full years since age_recorded_at: add those this test's clock
    adds after the recording day (the server reads the same clock, so a faked clock moves both)."""
    data = body.get("data") if isinstance(body, dict) else None
    if path.startswith("/customers/") and isinstance(data, dict) and data.get("age") is not None \
            and data.get("age_recorded_at"):
        recorded = date.fromisoformat(data["age_recorded_at"])
        data["age"] += max(0, _full_years(recorded, today)) - max(0, _full_years(recorded, RECORDED_ON))
    return body


def _today(env: dict[str, str]) -> date:
    """Today where the server is (ServerProcess passes this process's environment on)."""
    from runtime.config import load_config

    return datetime.now(ZoneInfo(load_config({**os.environ, **env}).timezone)).date()


def _canonical(path: str, body):
    """Rows sharing one date and time have no recorded order (by id): order them canonically."""
    body = canonical_order(path, body)
    if path.startswith("/conversations/") and isinstance(body, dict) and isinstance(body.get("data"), dict):
        for wa_id, messages in body["data"].items():
            if isinstance(messages, list) and all(isinstance(m, dict) and "time" in m for m in messages):
                body["data"][wa_id] = tie_canonical(messages)
    return body


def _first_difference(actual, expected, where: str = "") -> str:
    if type(actual) is not type(expected):
        return f"{where or '/'}: {json.dumps(actual, ensure_ascii=False)[:300]} != " \
               f"{json.dumps(expected, ensure_ascii=False)[:300]}"
    if isinstance(actual, dict):
        for key in sorted(set(actual) | set(expected)):
            if key not in actual:
                return f"{where}/{key}: missing (expected {json.dumps(expected[key], ensure_ascii=False)[:200]})"
            if key not in expected:
                return f"{where}/{key}: unexpected key (value {json.dumps(actual[key], ensure_ascii=False)[:200]})"
            if actual[key] != expected[key]:
                return _first_difference(actual[key], expected[key], f"{where}/{key}")
    if isinstance(actual, list):
        if len(actual) != len(expected):
            return f"{where}: {len(actual)} items, expected {len(expected)}"
        for i, (a, e) in enumerate(zip(actual, expected)):
            if a != e:
                return _first_difference(a, e, f"{where}[{i}]")
    shown = json.dumps(actual, ensure_ascii=False)[:300], json.dumps(expected, ensure_ascii=False)[:300]
    return f"{where}: {shown[0]} != {shown[1]}"


@pytest.mark.parametrize("answer", ANSWER_LIST, ids=[a["name"] for a in ANSWER_LIST])
def test_replay(adopted_server, answer):
    client, routes, truth, today = adopted_server
    assert routes[answer["name"]], f"route {answer['method']} {answer['path']} is not registered"
    response = client.request(answer["method"], answer["path"], params=answer["query"])
    assert response.status_code == answer["status"], response.text[:500]
    actual = _canonical(answer["path"], _masked(answer["path"], response.json()))
    expected, applied = expected_answer(answer, truth, actual)
    expected = _canonical(answer["path"], _aged(answer["path"], expected, today))
    actual = align_floats(actual, expected)
    assert actual == expected, (
        f"{answer['name']}: first difference at {_first_difference(actual, expected)}"
        + (f" (known differences applied: {', '.join(applied)})" if applied else "")
    )


def test_every_known_difference_has_a_reason():
    assert all(d.reason and d.name for d in DIFFERENCES)
    history = [{"date": None, "time": None, "role": "user", "message": "x"},
               {"date": "2026-01-02", "time": "21:00:00", "role": "user", "message": "b"},
               {"date": "2026-01-02", "time": "09:00:00", "role": "user", "message": "a"}]
    assert [m["message"] for m in chronological(history)] == ["a", "b", "x"]
    assert [m["message"] for m in chronological(history, newest_first=True)] == ["x", "b", "a"]
