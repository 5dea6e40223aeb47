"""Reply sends whose outcome is unknown: Graph accepted the part but its answer never arrived.

The Cloud API has no idempotency key, so a part that Graph accepted while the server died
(or while the request timed out) used to be sent again by the replay. Now each keyed send
carries the key as `biz_opaque_callback_data`, the status callback that echoes it is recorded,
and a replay settles the part from that callback instead of resending it; without a callback
the part waits OUTBOUND_IN_DOUBT_GRACE and is then sent once more (docs/resilience.md).
"""
from __future__ import annotations

import signal

import pytest

from tests.resilience.conftest import APP_SECRET, eventually, unhandled_errors
from tests.whatsapp.fakes import FakeGraph, post_delivery, text_delivery

pytestmark = pytest.mark.faults


@pytest.fixture
async def graph_after_restart():
    """The Graph API the restarted server talks to (its message ids differ from the first one's)."""
    fake = await FakeGraph(id_prefix="wamid.second").start()
    yield fake
    await fake.stop()


async def _done(db, wa_id: str):
    rows = await db.fetch("SELECT status, attempts FROM inbound_message_queue WHERE wa_id = $1", wa_id)
    return rows if rows and all(r["status"] == "done" for r in rows) else None


async def _parts(db, wa_id: str):
    return await db.fetch("SELECT idempotency_key, delivery, wamid, attempted_at FROM whatsapp_outbound "
                          "WHERE wa_id = $1 ORDER BY id", wa_id)


async def _async(value):
    return value


async def test_a_kill_after_graph_accepted_a_reply_does_not_send_it_again(fault_env, graph, graph_after_restart,
                                                                          servers, db):
    # The grace is shorter than the lease (3 s), so when the row is replayed only the recorded callback can
    # stop a second send: without step "settle from the callback" the part would go to the second fake.
    env = {**fault_env, "OUTBOUND_IN_DOUBT_GRACE": "1"}
    first = servers(env)
    wa_id = "966505910001"
    graph.report_to = first.url
    graph.accept_unanswered[wa_id] = 1  # accepted and reported to the server, but the HTTP answer is held
    response = await post_delivery(first.url, APP_SECRET, text_delivery(wa_id, "hello", "wamid.doubt.kill"))
    assert response.status_code == 200
    await eventually(lambda: _async(graph.unanswered and graph.reports), what="the reply accepted and reported")
    status, answer = graph.reports[0]
    assert answer == 200  # the server recorded the callback before the kill
    [part] = await _parts(db, wa_id)
    assert part["delivery"] == "pending" and part["attempted_at"] is not None  # accepted at Graph, pending here
    assert status["biz_opaque_callback_data"] == part["idempotency_key"] == graph.unanswered[0][
        "biz_opaque_callback_data"]
    first.stop(signal.SIGKILL)

    second = servers({**env, **graph_after_restart.env()})
    rows = await eventually(lambda: _done(db, wa_id), what="the message replayed after the lease expired")
    assert [(r["status"], r["attempts"]) for r in rows] == [("done", 2)]
    [part] = await _parts(db, wa_id)
    assert (part["delivery"], part["wamid"]) == ("sent", graph.accepted_ids[0])  # the id Meta reported
    assert len(graph.texts_to(wa_id)) + len(graph_after_restart.texts_to(wa_id)) == 1
    assert graph_after_restart.texts == []
    assert "accepted by the Cloud API (status callback" in second.logs()
    assert unhandled_errors(second.logs()) == []


async def test_a_timed_out_send_that_graph_accepted_is_settled_by_its_callback(fault_env, graph, servers, db):
    # A grace this long would hold the retry for ten minutes: the message can only finish through the callback.
    server = servers({**fault_env, "GRAPH_API_TIMEOUT": "1", "OUTBOUND_IN_DOUBT_GRACE": "600"})
    wa_id = "966505910002"
    graph.report_to = server.url
    graph.accept_unanswered[wa_id] = 1  # accepted and reported, never answered: the send times out
    await post_delivery(server.url, APP_SECRET, text_delivery(wa_id, "hello", "wamid.doubt.timeout"))
    rows = await eventually(lambda: _done(db, wa_id), what="the message done after the timed-out send")
    assert [(r["status"], r["attempts"]) for r in rows] == [("done", 2)]  # the timeout was one failed attempt
    assert len(graph.texts_to(wa_id)) == 1 and len(graph.unanswered) == 1
    assert [answer for _, answer in graph.reports] == [200]
    [part] = await _parts(db, wa_id)
    assert (part["delivery"], part["wamid"]) == ("sent", graph.accepted_ids[0])
    assert "in doubt" not in server.logs()  # never waited for the grace
    assert unhandled_errors(server.logs()) == []


async def test_without_a_callback_a_timed_out_send_is_repeated_once_after_the_grace(fault_env, graph, servers, db):
    grace = 2.0
    server = servers({**fault_env, "GRAPH_API_TIMEOUT": "1", "OUTBOUND_IN_DOUBT_GRACE": str(grace)})
    wa_id = "966505910003"
    graph.accept_unanswered[wa_id] = 1  # accepted, never answered, and Meta never reports it (no report_to)
    await post_delivery(server.url, APP_SECRET, text_delivery(wa_id, "hello", "wamid.doubt.silent"))
    rows = await eventually(lambda: _done(db, wa_id), what="the message done after the grace")
    # The retry after the timeout found the part in doubt and waited; that wait used up no attempt.
    assert [(r["status"], r["attempts"]) for r in rows] == [("done", 2)]
    assert "in doubt (Request timed out)" in server.logs()
    texts = graph.texts_to(wa_id)
    assert len(texts) == 2 and texts[0] == texts[1]  # the unavoidable remainder: sent once more, exactly once
    assert graph.accepted_at[1] - graph.accepted_at[0] >= grace  # not before the grace had passed
    [part] = await _parts(db, wa_id)
    assert (part["delivery"], part["wamid"]) == ("sent", graph.accepted_ids[1])
    assert unhandled_errors(server.logs()) == []
