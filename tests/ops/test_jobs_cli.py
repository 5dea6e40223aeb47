"""`bin/mawid jobs list|run`: the job table with last runs; a manual run through the whole app."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from tests.ops.test_backup import mawid


async def test_run_a_job_now_then_see_it_in_the_list(db, env):
    tomorrow = datetime.now(ZoneInfo("Asia/Riyadh")).date() + timedelta(days=1)
    await db.execute("INSERT INTO customers (wa_id) VALUES ('966500000009')")
    await db.execute("INSERT INTO reservations (wa_id, slot_date, slot_time, type) VALUES ('966500000009', $1, "
                     "'16:30', 0)", tomorrow)

    done = mawid("jobs", "run", "send_reminders", env=env)  # outbox mode: no WhatsApp credentials
    assert done.returncode == 0, done.stderr
    assert f"send_reminders: ok - {tomorrow}: 1 sent" in done.stdout
    assert await db.fetchval("SELECT count(*) FROM conversation WHERE wa_id = '966500000009'") == 1

    listed = mawid("jobs", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "send_reminders  [0 19 * * *]  on leader" in listed.stdout
    assert "(manual)" in listed.stdout and "ok - " in listed.stdout
    assert "scheduler leader: none" in listed.stdout


async def test_inbound_list_and_retry_and_the_outbox(db, env):
    failed = await db.fetchval(
        "INSERT INTO inbound_message_queue (message_id, wa_id, payload, status, attempts, last_error) "
        "VALUES ('wamid.in1', '966500000009', '{}', 'failed', 5, 'LLM unreachable') RETURNING id")
    await db.execute("INSERT INTO whatsapp_outbound (wa_id, kind, payload, delivery) VALUES "
                     "('966500000009', 'text', '{\"text\": {\"body\": \"مرحبا\"}}', 'outbox'), "
                     "('966500000008', 'text', '{\"text\": {\"body\": \"sent one\"}}', 'sent')")

    listed = mawid("inbound", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "attempts=5" in listed.stdout and "last error: LLM unreachable" in listed.stdout
    assert "1 failed row(s)" in listed.stdout

    retried = mawid("inbound", "retry", str(failed), env=env)
    assert retried.returncode == 0 and f"1 row(s) queued again: {failed}" in retried.stdout
    row = await db.fetchrow("SELECT status, attempts FROM inbound_message_queue WHERE id = $1", failed)
    assert (row["status"], row["attempts"]) == ("pending", 0)

    held = mawid("outbox", env=env)
    assert held.returncode == 0, held.stderr
    assert "مرحبا" in held.stdout and "sent one" not in held.stdout and "1 message(s)" in held.stdout
    assert "sent one" in mawid("outbox", "--all-deliveries", env=env).stdout
