"""Tomorrow's reminders: exactly one each, right text and template, none cancelled/blocked, none twice."""
from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from actors.jobs.job import JobContext
from actors.jobs.registry import job_named
from actors.jobs.reminder_text import reminder_text
from actors.jobs.reminders import send_reminders
from actors.jobs.runner import run_job
from runtime.config import load_config
from tests.ops.support import running_services

ROOT = Path(__file__).resolve().parents[2]
RIYADH = ZoneInfo("Asia/Riyadh")
# The controllable clock: the job's occurrence. 19:00 on 1 March in Riyadh -> tomorrow is 2 March.
OCCURRENCE = datetime(2026, 3, 1, 19, 0, tzinfo=RIYADH)
TOMORROW = date(2026, 3, 2)


async def seed(db) -> dict[str, int]:
    customers = [("966500000001", False), ("966500000002", False), ("966500000003", True), ("966500000004", False)]
    await db.executemany("INSERT INTO customers (wa_id, customer_name, is_blocked) VALUES ($1, 'n', $2)", customers)
    rows = {
        "a_tomorrow": ("966500000001", TOMORROW, time(14, 0), "active"),
        "b_tomorrow": ("966500000002", TOMORROW, time(9, 30), "active"),
        "blocked": ("966500000003", TOMORROW, time(11, 0), "active"),
        "cancelled": ("966500000004", TOMORROW, time(12, 0), "cancelled"),
        "a_later": ("966500000001", date(2026, 3, 3), time(10, 0), "active"),
        "b_today": ("966500000002", date(2026, 3, 1), time(20, 0), "active"),
    }
    ids = {}
    for name, (wa_id, day, slot, status) in rows.items():
        ids[name] = await db.fetchval(
            "INSERT INTO reservations (wa_id, slot_date, slot_time, type, status, cancelled_at) "
            "VALUES ($1, $2, $3, 0, $4, CASE WHEN $4 = 'cancelled' THEN now() END) RETURNING id",
            wa_id, day, slot, status)
    return ids


def template_body(wa_id: str, slot: str, reservation_id: int) -> dict:
    buttons = [{"type": "button", "sub_type": "quick_reply", "index": str(index),
                "parameters": [{"type": "payload", "payload": f"remind:{action}:{reservation_id}"}]}
               for index, action in enumerate(("confirm", "reschedule", "cancel"))]
    return {"messaging_product": "whatsapp", "recipient_type": "individual", "to": wa_id, "type": "template",
            "template": {"name": "appointment_reminder", "language": {"code": "ar"},
                         "components": [{"type": "body", "parameters": [{"type": "text", "text": slot}]}, *buttons]}}


async def conversation(db) -> list[tuple[str, str, str]]:
    rows = await db.fetch("SELECT wa_id, role, message FROM conversation ORDER BY wa_id, id")
    return [(r["wa_id"], r["role"], r["message"]) for r in rows]


async def test_tomorrows_active_reservations_get_one_reminder_each(db, env, graph):
    ids = await seed(db)
    config = load_config({**env, **graph.env()})
    async with running_services(config) as services:
        events = []
        services.bus.subscribe(events.append)
        result = await run_job(services, job_named("send_reminders"), OCCURRENCE)

    assert result.outcome == "ok", result.detail
    sent = sorted(graph.requests, key=lambda b: b["to"])
    markers = [body.pop("biz_opaque_callback_data") for body in sent]  # echoed in status callbacks
    assert sent == [template_body("966500000001", "14:00", ids["a_tomorrow"]),
                    template_body("966500000002", "09:30", ids["b_tomorrow"])]
    assert markers == [r["idempotency_key"] for r in await db.fetch(
        "SELECT idempotency_key FROM whatsapp_outbound ORDER BY wa_id")]
    assert await conversation(db) == [
        ("966500000001", "secretary", reminder_text("عيادة موعد", time(14, 0))),
        ("966500000002", "secretary", reminder_text("عيادة موعد", time(9, 30))),
    ]
    assert "عيادة موعد، الساعة 2:00 PM." in reminder_text("عيادة موعد", time(14, 0))
    broadcast = [e.data for e in events if e.type == "conversation_new_message"]
    assert sorted(d["wa_id"] for d in broadcast) == ["966500000001", "966500000002"]
    assert all(d["role"] == "secretary" for d in broadcast)
    statuses = await db.fetch("SELECT wa_id, status FROM reminder_sends ORDER BY wa_id")
    assert [(r["wa_id"], r["status"]) for r in statuses] == [("966500000001", "sent"), ("966500000002", "sent")]


async def test_a_rerun_and_a_manual_run_send_nothing_again(db, env, graph):
    await seed(db)
    config = load_config({**env, **graph.env()})
    async with running_services(config) as services:
        first = await run_job(services, job_named("send_reminders"), OCCURRENCE)
        again = await run_job(services, job_named("send_reminders"), OCCURRENCE)
        manual = await run_job(services, job_named("send_reminders"), OCCURRENCE.replace(minute=30), manual=True)

    assert (first.outcome, again.outcome, manual.outcome) == ("ok", "skipped", "ok")
    assert "0 sent" in manual.detail and "2 already_sent" in manual.detail
    assert len(graph.requests) == 2
    assert len(await conversation(db)) == 2
    assert await db.fetchval("SELECT count(*) FROM job_runs WHERE job = 'send_reminders'") == 2


async def test_two_leaders_running_the_same_reminders_at_once_send_once(db, env, graph):
    """Two processes' worth of services (separate pools and actor systems) race on every reminder."""
    await seed(db)
    config = load_config({**env, **graph.env()})
    async with running_services(config) as first, running_services(config) as second:
        results = await asyncio.gather(*(
            send_reminders(JobContext(services, OCCURRENCE, manual=True))
            for services in (first, second, first, second)
        ))

    assert len(graph.requests) == 2, results
    assert sorted(b["to"] for b in graph.requests) == ["966500000001", "966500000002"]
    assert len(await conversation(db)) == 2


async def test_a_refused_send_is_not_recorded_and_is_retried_by_the_next_run(db, env, graph):
    ids = await seed(db)
    graph.refuse.add("966500000002")
    config = load_config({**env, **graph.env()})
    async with running_services(config) as services:
        first = await send_reminders(JobContext(services, OCCURRENCE))
        assert "1 sent" in first and "1 failed" in first
        assert [c[0] for c in await conversation(db)] == ["966500000001"]
        failed = await db.fetchrow("SELECT status, detail FROM reminder_sends WHERE reservation_id = $1",
                                   ids["b_tomorrow"])
        assert failed["status"] == "failed" and "400" in failed["detail"]

        graph.refuse.clear()
        second = await send_reminders(JobContext(services, OCCURRENCE, manual=True))

    assert "1 sent" in second and "1 already_sent" in second
    assert sorted(b["to"] for b in graph.requests) == ["966500000001", "966500000002"]
    assert [c[0] for c in await conversation(db)] == ["966500000001", "966500000002"]
    row = await db.fetchrow("SELECT status, attempts FROM reminder_sends WHERE reservation_id = $1", ids["b_tomorrow"])
    assert (row["status"], row["attempts"]) == ("sent", 2)


async def test_outbox_mode_records_the_template_and_the_conversation(db, env):
    await seed(db)
    async with running_services(load_config(env)) as services:  # no ACCESS_TOKEN: outbox mode
        summary = await send_reminders(JobContext(services, OCCURRENCE))

    assert "2 sent" in summary
    outbox = await db.fetch("SELECT wa_id, payload::text AS payload FROM whatsapp_outbound ORDER BY wa_id")
    slots = [(r["wa_id"], json.loads(r["payload"])["template"]["components"][0]["parameters"][0]["text"])
             for r in outbox]
    assert slots == [("966500000001", "14:00"), ("966500000002", "09:30")]
    assert len(await conversation(db)) == 2


@pytest.mark.parametrize("claims", [8])
async def test_reminder_claim_is_won_by_exactly_one_of_many_concurrent_claimers(db, db_url, claims):
    """The claim itself, straight against the database: many connections, one winner."""
    import asyncpg

    from runtime.db import QUERIES

    ids = await seed(db)
    conns = [await asyncpg.connect(db_url) for _ in range(claims)]
    try:
        won = await asyncio.gather(*(
            c.fetchval(QUERIES.reminder_claim, ids["a_tomorrow"], TOMORROW, "966500000001") for c in conns))
    finally:
        for c in conns:
            await c.close()
    assert sorted(won, key=lambda v: v is None) == [1] + [None] * (claims - 1)


async def test_two_processes_running_the_job_at_once_send_each_reminder_once(db, env, graph):
    """Two `bin/mawid jobs run send_reminders` processes race on the same reservations."""
    tomorrow = datetime.now(RIYADH).date() + timedelta(days=1)
    await db.executemany("INSERT INTO customers (wa_id) VALUES ($1)", [(f"96650000{i:04d}",) for i in range(20)])
    await db.executemany("INSERT INTO reservations (wa_id, slot_date, slot_time, type) VALUES ($1, $2, $3, 0)",
                         [(f"96650000{i:04d}", tomorrow, time(9 + i % 8, 0)) for i in range(20)])
    process_env = {**os.environ, **env, **graph.env(), "MAWID_NO_REEXEC": "1"}
    runs = [await asyncio.create_subprocess_exec(
        sys.executable, str(ROOT / "bin" / "mawid"), "jobs", "run", "send_reminders", cwd=ROOT, env=process_env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE) for _ in range(2)]
    outputs = [await run.communicate() for run in runs]

    assert [run.returncode for run in runs] == [0, 0], outputs
    assert sorted(b["to"] for b in graph.requests) == [f"96650000{i:04d}" for i in range(20)]
    assert await db.fetchval("SELECT count(*) FROM conversation") == 20
