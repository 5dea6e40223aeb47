"""Reminders name who the booking is with once the clinic has several resources; the WhatsApp template's
parameters stay the approved ones."""
from __future__ import annotations

from datetime import time

from actors.jobs.registry import job_named
from actors.jobs.reminder_text import reminder_text
from actors.jobs.runner import run_job
from runtime.config import load_config
from tests.ops.conftest import graph  # noqa: F401  (fixture)
from tests.ops.support import running_services
from tests.ops.test_reminders import OCCURRENCE, TOMORROW, template_body


async def test_the_reminder_names_the_resource(db, env, graph):  # noqa: F811
    env = {**env, "SCHEDULER_ENABLED": "false", "TIMEZONE": "Asia/Riyadh", "BUSINESS_NAME": "عيادة موعد"}
    lina = await db.fetchval("INSERT INTO resources (name_ar, name_en) VALUES ('د. لينا', 'Dr. Lina') RETURNING id")
    await db.execute("INSERT INTO customers (wa_id, customer_name) VALUES ('966500000001', 'n'),"
                     " ('966500000002', 'n')")
    with_lina = await db.fetchval("INSERT INTO reservations (wa_id, slot_date, slot_time, type, resource_id)"
                                  " VALUES ('966500000001', $1, '14:00', 0, $2) RETURNING id", TOMORROW, lina)
    with_clinic = await db.fetchval("INSERT INTO reservations (wa_id, slot_date, slot_time, type)"
                                    " VALUES ('966500000002', $1, '09:30', 0) RETURNING id", TOMORROW)
    await db.execute("INSERT INTO resources (id, name_ar, name_en, is_default) VALUES (1, 'العيادة', 'Clinic', true)")
    async with running_services(load_config({**env, **graph.env()})) as services:
        result = await run_job(services, job_named("send_reminders"), OCCURRENCE)
    assert result.outcome == "ok", result.detail
    sent = sorted(graph.requests, key=lambda b: b["to"])
    for body in sent:
        body.pop("biz_opaque_callback_data")
    assert sent == [template_body("966500000001", "14:00", with_lina),
                    template_body("966500000002", "09:30", with_clinic)]
    texts = [r["message"] for r in await db.fetch("SELECT message FROM conversation ORDER BY wa_id, id")]
    assert texts == [reminder_text("عيادة موعد", time(14, 0), "د. لينا"),
                     reminder_text("عيادة موعد", time(9, 30), "العيادة")]
    assert texts[0].startswith("نذكركم بأن لديكم حجز غدًا في عيادة موعد مع د. لينا، الساعة 2:00 PM.")
