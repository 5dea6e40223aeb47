"""Which commits wait for their WAL flush: a turn's own writes do not, what precedes an outside effect does.

A PostgreSQL crash loses the newest stretch of the WAL, never an older write without the newer
ones. So a turn may commit without waiting for the flush (it is replayed whole after such a
crash) as long as the acknowledgement of a delivery, the attempt mark before a send to Graph and
a reservation are durable commits: each flushes everything committed before it. An audit trigger
records the session's `synchronous_commit` for each of those writes, through a real server.
"""
from __future__ import annotations

import pytest

from tests.whatsapp.conftest import APP_SECRET, eventually
from tests.whatsapp.fakes import post_delivery, text_delivery
from tests.whatsapp.test_offline_assistant import say

AUDIT = """
CREATE TABLE commit_audit (id bigserial, tbl text, op text, detail text, sync text);
CREATE FUNCTION commit_audit_row() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO commit_audit (tbl, op, detail, sync)
    VALUES (TG_TABLE_NAME, TG_OP, coalesce(TG_ARGV[0], ''), current_setting('synchronous_commit'));
    RETURN NULL;
END $$;
CREATE TRIGGER audit_queue AFTER INSERT ON inbound_message_queue
    FOR EACH ROW EXECUTE FUNCTION commit_audit_row();
CREATE TRIGGER audit_conversation AFTER INSERT ON conversation
    FOR EACH ROW EXECUTE FUNCTION commit_audit_row();
CREATE TRIGGER audit_attempt AFTER UPDATE OF attempted_at ON whatsapp_outbound
    FOR EACH ROW WHEN (NEW.attempted_at IS DISTINCT FROM OLD.attempted_at AND NEW.attempted_at IS NOT NULL)
    EXECUTE FUNCTION commit_audit_row('attempt');
CREATE TRIGGER audit_outbox AFTER INSERT OR UPDATE OF delivery ON whatsapp_outbound
    FOR EACH ROW WHEN (NEW.delivery = 'outbox') EXECUTE FUNCTION commit_audit_row('outbox');
CREATE TRIGGER audit_reservation AFTER INSERT ON reservations
    FOR EACH ROW EXECUTE FUNCTION commit_audit_row();
CREATE TRIGGER audit_event_log AFTER INSERT ON realtime_events
    FOR EACH ROW EXECUTE FUNCTION commit_audit_row();
"""


UNAUDIT = """
DROP TABLE commit_audit;
DROP FUNCTION commit_audit_row() CASCADE;
"""


@pytest.fixture
async def audited(db):
    """The audit triggers, removed afterwards: the test database is shared by the whole session."""
    await db.execute(AUDIT)
    yield
    await db.execute(UNAUDIT)


async def test_turn_writes_are_relaxed_and_what_precedes_an_outside_effect_is_durable(audited, wa_env, servers,
                                                                                         graph, db):
    server = servers(wa_env)
    wa_id = "14155550177"
    offer = await say(server, graph, wa_id, "2")
    assert "\n1. " in offer
    await say(server, graph, wa_id, "1")
    await say(server, graph, wa_id, "Sara Ali")
    assert (await say(server, graph, wa_id, "1")).startswith("Your appointment is booked")

    rows = await db.fetch("SELECT tbl, op, detail, sync FROM commit_audit ORDER BY id")
    by_write: dict[tuple[str, str], set[str]] = {}
    for row in rows:
        by_write.setdefault((row["tbl"], row["detail"] or row["op"]), set()).add(row["sync"])
    # the webhook acknowledges only flushed deliveries; a send leaves only after a flushed attempt mark;
    # a reservation is its own actor's durable commit
    assert by_write[("inbound_message_queue", "INSERT")] == {"on"}
    assert by_write[("whatsapp_outbound", "attempt")] == {"on"}
    assert by_write[("reservations", "INSERT")] == {"on"}
    # the turn's own records and the event log do not wait for the flush
    assert by_write[("conversation", "INSERT")] == {"off"}
    assert by_write[("realtime_events", "INSERT")] == {"off"}  # SET LOCAL in its own transaction
    attempts = [row for row in rows if row["detail"] == "attempt"]
    assert len(attempts) == len(graph.texts_to(wa_id)) == 4


async def test_an_outbox_message_is_durable_before_it_is_announced(audited, env, servers, db):
    """Without credentials the outbox row is the send: announced on the bus, so never a relaxed commit."""
    server = servers({**env, "APP_SECRET": APP_SECRET})
    await post_delivery(server.url, APP_SECRET, text_delivery("14155550178", "hi", "wamid.durable-outbox"))

    async def outboxed():
        return await db.fetch("SELECT sync FROM commit_audit WHERE detail = 'outbox'") or None

    rows = await eventually(outboxed, what="an outbox row")
    assert {row["sync"] for row in rows} == {"on"}
    assert await db.fetchval("SELECT count(*) FROM whatsapp_outbound WHERE delivery = 'outbox'") == 1
