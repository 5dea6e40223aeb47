"""Vacation routes and `/api/config`: shapes, validation, merge semantics, effect on booking rules."""
from __future__ import annotations

import asyncio
from datetime import date, timedelta

import httpx

from actors.app_config.defaults import first_boot_document
from actors.reservation.schedule import day_schedule
from runtime.routes import Role
from tests.reservations.conftest import add_reservation
from tests.support.servers import ServerProcess

WA = "966501234567"
BOOK = {"wa_id": WA, "customer_name": "Sara", "date_str": "2025-06-02", "time_slot": "13:00", "reservation_type": 0}


# --- vacations ---------------------------------------------------------------------------------

async def test_get_vacations_shape(viewer_client, db):
    await db.execute("INSERT INTO vacation_periods (start_date, end_date, title) VALUES"
                     " ('2025-06-10', '2025-06-12', NULL), ('2025-07-01', '2025-07-01', 'Eid')")
    assert await (await viewer_client.get("/vacations")).json() == [
        {"start": "2025-06-10T00:00:00+03:00", "end": "2025-06-12T00:00:00+03:00",
         "title": "🏖️:\n• Tuesday 2025-06-10 (1446-12-14 Hijri)\nTo:\n• Thursday 2025-06-12 (1446-12-16 Hijri)\n\n"
                  "Clinic closed.", "duration": 3},
        {"start": "2025-07-01T00:00:00+03:00", "end": "2025-07-01T00:00:00+03:00", "title": "Eid", "duration": 1},
    ]


async def test_vacations_read_follow_every_change_even_behind_the_apps_back(viewer_client, staff_client, db):
    """The shaped answer is remembered per set of periods; what is read is always the table as it is now."""
    async def read() -> list[tuple[str, str, str]]:
        answer = await (await viewer_client.get("/vacations")).json()
        return [(v["start"][:10], v["end"][:10], v["title"]) for v in answer]

    assert await read() == []
    await db.execute("INSERT INTO vacation_periods (start_date, end_date, title)"
                     " VALUES ('2025-06-10', '2025-06-12', 'A')")
    assert await read() == [("2025-06-10", "2025-06-12", "A")]
    assert await read() == [("2025-06-10", "2025-06-12", "A")]  # the remembered shape
    await db.execute("UPDATE vacation_periods SET title = 'B'")  # same dates, another title: another answer
    assert await read() == [("2025-06-10", "2025-06-12", "B")]
    await db.execute("UPDATE vacation_periods SET end_date = '2025-06-13', title = NULL")
    generated = await read()
    assert generated[0][:2] == ("2025-06-10", "2025-06-13") and "2025-06-13" in generated[0][2]
    ok = await staff_client.post("/update-vacation-periods", json={"periods": [
        {"start": "2025-08-01", "end": "2025-08-02", "title": "C"}]})
    assert ok.status == 200
    assert await read() == [("2025-08-01", "2025-08-02", "C")]
    await db.execute("DELETE FROM vacation_periods")
    assert await read() == []


async def test_update_accepts_datetimes_and_the_legacy_shape(staff_client, db):
    ok = await staff_client.post("/update-vacation-periods", json={"periods": [
        {"start": "2025-06-10T00:00:00.000Z", "end": "2025-06-11T21:00:00+03:00", "title": "Trip"}]})
    assert ok.status == 200
    row = await db.fetchrow("SELECT start_date, end_date, title FROM vacation_periods")
    assert (str(row["start_date"]), str(row["end_date"]), row["title"]) == ("2025-06-10", "2025-06-11", "Trip")
    legacy = await staff_client.post("/update-vacation-periods",
                                     json={"start_dates": ["2025-08-01"], "durations": [3]})
    assert legacy.status == 200
    row = await db.fetchrow("SELECT start_date, end_date FROM vacation_periods")
    assert (str(row["start_date"]), str(row["end_date"])) == ("2025-08-01", "2025-08-03")
    bad = await staff_client.post("/update-vacation-periods", json={"start_dates": ["x"], "durations": [3]})
    assert bad.status == 400


async def test_update_rejections(staff_client, db):
    for body in ({}, {"periods": "2025-06-01"}, {"periods": [{"start": "2025-06-01"}]},
                 {"periods": [{"start": "2025/06/01", "end": "2025-06-02"}]}):
        resp = await staff_client.post("/update-vacation-periods", json=body)
        assert resp.status == 400, body
        answer = await resp.json()
        assert answer["message"] == "Failed to update vacation periods" and answer["detail"]
    arabic = await staff_client.post("/update-vacation-periods", json={"ar": True})
    assert (await arabic.json())["message"] == "فشل في تحديث فترات الإجازة"


async def test_undo_vacation_update(staff_client, db):
    for body in ({}, {"original_vacation_data": None}, {"original_vacation_data": {"periods": "x"}}):
        resp = await staff_client.post("/undo-vacation-update", json=body)
        assert resp.status == 400 and (await resp.json())["message"] == "Failed to undo vacation update"
    ok = await staff_client.post("/undo-vacation-update", json={"original_vacation_data": {"periods": [
        {"start": "2025-06-10", "end": "2025-06-12", "title": "Back"}]}})
    assert await ok.json() == {"success": True, "message": "Vacation update has been undone"}
    assert await db.fetchval("SELECT title FROM vacation_periods") == "Back"
    cleared = await staff_client.post("/undo-vacation-update", json={"original_vacation_data": {"periods": []}})
    assert cleared.status == 200 and await db.fetchval("SELECT count(*) FROM vacation_periods") == 0


async def test_vacation_blocks_modify_and_undo(staff_client, clock, db):
    rid = await add_reservation(db, WA, "2025-06-02", "11:00")
    gone = await add_reservation(db, "966501110000", "2025-06-11", "11:00", status="cancelled")
    await db.execute("INSERT INTO vacation_periods (start_date, end_date) VALUES ('2025-06-10', '2025-06-12')")
    moved = await (await staff_client.post(f"/reservations/{WA}/modify", json={
        "new_date": "2025-06-10", "reservation_id_to_modify": rid})).json()
    assert moved["success"] is False and moved["message"].startswith("🏖️:")
    undone = await (await staff_client.post("/undo-cancel", json={"reservation_id": gone})).json()
    assert undone["success"] is False and undone["message"].endswith("Clinic closed.")


# --- /api/config -------------------------------------------------------------------------------

async def test_first_read_stores_the_default_document(viewer_client, db):
    config = await (await viewer_client.get("/api/config")).json()
    assert config["slot_capacity_settings"] == {"agent": {"total_max": 5, "per_type_max": {}},
                                                "secretary": {"total_max": 6, "per_type_max": {}}}
    assert len(config["custom_calendar_ranges"]) == 11 and len(config["calendar_columns"]) == 4
    assert isinstance(config["id"], int) and "T" in config["created_at"]
    assert await db.fetchval("SELECT count(*) FROM app_config") == 1
    assert await (await viewer_client.get("/config")).json() == config


async def test_put_merges_top_level_keys(admin_client):
    before = await (await admin_client.get("/api/config")).json()
    resp = await admin_client.put("/api/config", json={
        "llm_provider": "Anthropic", "id": 99,
        "slot_capacity_settings": {"agent": {"total_max": 4, "per_type_max": {"1": 2, "7": 3, "0": "x"}},
                                   "secretary": {"total_max": 6}}})
    assert resp.status == 200
    after = await resp.json()
    assert after["llm_provider"] == "anthropic" and after["id"] == before["id"]
    assert after["slot_capacity_settings"] == {"agent": {"total_max": 4, "per_type_max": {"1": 2}},
                                               "secretary": {"total_max": 6, "per_type_max": {}}}
    unchanged = {k: v for k, v in before.items() if k not in {"llm_provider", "slot_capacity_settings", "updated_at"}}
    assert {k: after[k] for k in unchanged} == unchanged
    assert after["updated_at"] > before["updated_at"]


async def test_put_errors(admin_client, db):
    original = await (await admin_client.get("/api/config")).json()
    for body in ({"slot_capacity_settings": {"agent": {"total_max": 0}}},
                 {"calendar_first_day": 9}, {"default_working_hours": {"start_time": "9:5"}},
                 {"day_specific_hours": [{"day_of_week": 6, "start_time": "18:00", "end_time": "16:00"}]},
                 {"calendar_columns": [{"id": "a", "name": "a", "title": "t", "data_type": "blob"}]},
                 {"custom_calendar_ranges": [{"name": "x", "start_date": "2025-02-02", "end_date": "2025-01-01",
                                              "start_time": "10:00", "end_time": "12:00"}]}):
        resp = await admin_client.put("/api/config", json=body)
        assert resp.status == 422, body
    for body, text in (({"timezone": "Mars/Olympus"}, "Invalid timezone identifier: Mars/Olympus"),
                       ({"llm_provider": "llama"}, "llm_provider must be one of"),
                       ({"working_days": None}, "working_days"),
                       ({"slot_duration_hours": 30}, "slot_duration_hours")):
        resp = await admin_client.put("/api/config", json=body)
        assert resp.status == 400, body
        assert text in (await resp.json())["detail"]
    current = await (await admin_client.get("/api/config")).json()
    assert current == original  # nothing was written by a refused update


async def test_post_replaces_with_first_boot_defaults(admin_client, staff_client):
    before = await (await admin_client.get("/api/config")).json()
    resp = await admin_client.post("/api/config", json={})
    assert resp.status == 200
    fresh = await resp.json()
    # Missing keys keep the first-boot document (Ramadan ranges, columns), not the schema's empty lists.
    assert fresh["id"] != before["id"]
    assert {key: fresh[key] for key in ("custom_calendar_ranges", "calendar_columns", "day_specific_hours")} == {
        key: before[key] for key in ("custom_calendar_ranges", "calendar_columns", "day_specific_hours")}
    cleared = await (await admin_client.post("/api/config", json={"calendar_columns": []})).json()
    assert cleared["calendar_columns"] == [] and cleared["custom_calendar_ranges"] == before["custom_calendar_ranges"]
    assert (await staff_client.post("/api/config", json={})).status == 403
    assert (await staff_client.put("/api/config", json={})).status == 403
    assert (await admin_client.post("/api/config", json={"slot_duration_hours": "x"})).status == 422


async def test_config_drives_booking_rules_on_the_next_request(admin_client, staff_client, clock, db):
    await admin_client.put("/api/config", json={"slot_capacity_settings": {"agent": {"total_max": 1}}})
    first = await (await staff_client.post("/reserve", json=BOOK)).json()
    second = await (await staff_client.post("/reserve", json={**BOOK, "wa_id": "966501110000"})).json()
    assert first["success"] is True and second["success"] is False
    # Working hours come from the config too: Monday becomes 09:00-12:00 with 1-hour slots.
    await admin_client.put("/api/config", json={
        "default_working_hours": {"days_of_week": [0, 1, 2, 3, 4], "start_time": "09:00", "end_time": "12:00"},
        "slot_duration_hours": 1, "slot_capacity_settings": {}})
    slots = await (await staff_client.post("/reserve", json={**BOOK, "wa_id": "966501110001",
                                                             "time_slot": "7 PM"})).json()
    assert slots["message"].endswith("Available slots: 9:00 AM, 10:00 AM, 11:00 AM")


def _next_monday() -> tuple[str, str]:
    day = date.today() + timedelta(days=2)
    while day.weekday() != 0:
        day += timedelta(days=1)
    return day.isoformat(), day_schedule(day, first_boot_document()).starts[0].strftime("%H:%M")


async def test_config_change_is_seen_by_another_process(env, token_for, db):
    _, token = await token_for(Role.ADMIN)
    servers = [ServerProcess({**env, "LOG_LEVEL": "ERROR"}).start() for _ in range(2)]
    try:
        async with httpx.AsyncClient(headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
            first = (await http.get(servers[1].url + "/api/config")).json()  # B caches the document
            assert first["slot_capacity_settings"]["agent"]["total_max"] == 5
            put = await http.put(servers[0].url + "/api/config",
                                 json={"slot_capacity_settings": {"agent": {"total_max": 1}}})
            assert put.status_code == 200
            seen = (await http.get(servers[1].url + "/api/config")).json()
            assert seen["slot_capacity_settings"]["agent"]["total_max"] == 1
            day, slot = _next_monday()
            answers = await asyncio.gather(*(http.post(servers[1].url + "/reserve", json={
                **BOOK, "wa_id": f"96650111000{i}", "date_str": day, "time_slot": slot}) for i in range(3)))
            assert sum(a.json()["success"] for a in answers) == 1  # B books with A's new capacity
    finally:
        for server in servers:
            server.stop()


async def test_an_invalid_stored_document_is_a_500(viewer_client, db):
    await db.execute("""INSERT INTO app_config (config) VALUES ('{"timezone": "Mars/Olympus"}'::jsonb)""")
    resp = await viewer_client.get("/api/config")
    assert resp.status == 500
    assert (await resp.json())["detail"].startswith("Failed to get configuration: ")
