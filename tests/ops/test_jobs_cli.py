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
    again = mawid("jobs", "run", "send_reminders", env=env)
    assert "0 sent" in again.stdout and "1 already_sent" in again.stdout
    assert await db.fetchval("SELECT count(*) FROM conversation WHERE wa_id = '966500000009'") == 1

    listed = mawid("jobs", "list", env=env)
    assert listed.returncode == 0, listed.stderr
    assert "send_reminders  [0 19 * * *]  on leader" in listed.stdout
    assert "(manual)" in listed.stdout and "ok - " in listed.stdout
    assert "scheduler leader: none" in listed.stdout

    unknown = mawid("jobs", "run", "no_such_job", env=env)
    assert unknown.returncode == 2 and "no_such_job" in unknown.stderr
