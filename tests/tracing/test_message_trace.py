"""One WhatsApp message followed end to end: one trace across the durable queue, no personal data in it.

A real server process exports to the fake OTLP collector and talks to the fake Graph API and
the fake Anthropic API; one signed webhook delivery books an appointment through two tools.
"""
from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import httpx
import pytest
from click.testing import CliRunner

from bin.cli.trace import trace
from tests.support.fake_otlp import FakeCollector
from tests.whatsapp.conftest import APP_SECRET, eventually
from tests.whatsapp.fakes import post_delivery, text_delivery

CUSTOMER = "966507770042"
TEXT = "I want to book please, Sara here"
MESSAGE_ID = "wamid.trace0001"


@dataclass
class Processed:
    spans: list[dict]
    log_lines: list[dict]
    log_path: str
    database_url: str


def _by_id(spans: list[dict]) -> dict[str, dict]:
    return {s["span_id"]: s for s in spans}


def _chain(span: dict, spans: list[dict]) -> list[str]:
    """Names from `span` up to its root, following parent ids; stops (with a marker) at a missing parent."""
    index, names = _by_id(spans), [span["name"]]
    while span["parent_id"]:
        span = index.get(span["parent_id"])
        if span is None:
            names.append("<missing parent>")
            break
        names.append(span["name"])
    return names


def _complete(spans: list[dict]) -> bool:
    names = [s["name"] for s in spans]
    sends = [s for s in spans if s["name"] == "whatsapp.send"
             and s["attributes"].get("mawid.whatsapp.message_type") == "text"]
    return bool(sends) and "inbound.process" in names and "inbound.claim" in names and "POST /webhook" in names


async def _process_one_message(collector: FakeCollector, wa_env, servers, graph, llm) -> Processed:
    server = servers({**wa_env, **llm.env("anthropic"), "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
                      "OTEL_BSP_SCHEDULE_DELAY": "100", "LOG_FORMAT": "json", "LOG_LEVEL": "DEBUG"})
    response = await post_delivery(server.url, APP_SECRET, text_delivery(CUSTOMER, TEXT, MESSAGE_ID))
    assert response.status_code == 200
    await eventually(lambda: _async(graph.texts_to(CUSTOMER)), what="the assistant's reply")
    await eventually(lambda: _async(_complete(collector.spans)), what="the message's spans")
    server.stop()  # flushes the last spans and closes the log
    lines = [json.loads(line) for line in server.logs().splitlines() if line.startswith("{")]
    return Processed(list(collector.spans), lines, str(server.log_path), wa_env["DATABASE_URL"])


async def _async(value):
    return value


@pytest.fixture
async def processed(collector, wa_env, servers, graph, llm) -> Processed:
    return await _process_one_message(collector, wa_env, servers, graph, llm)


async def test_one_delivery_is_one_trace_across_the_queue(processed: Processed):
    spans = processed.spans
    webhook = next(s for s in spans if s["name"] == "POST /webhook")
    trace = [s for s in spans if s["trace_id"] == webhook["trace_id"]]
    names = {s["name"] for s in trace}
    assert {"inbound.claim", "inbound.process", "actor conversation.HandleInbound", "llm.request", "llm.tool",
            "whatsapp.send"} <= names, sorted(names)
    assert webhook["parent_id"] is None

    process = next(s for s in trace if s["name"] == "inbound.process")
    assert process["parent_id"] == webhook["span_id"]  # the parent link survived the durable queue
    assert process["attributes"]["mawid.queue.attempt"] == 1
    assert process["attributes"]["mawid.whatsapp.message_id"] == MESSAGE_ID
    assert process["attributes"]["mawid.queue.outcome"] == "done"
    claim = next(s for s in trace if s["name"] == "inbound.claim")
    assert claim["parent_id"] == webhook["span_id"]

    reply = next(s for s in trace if s["name"] == "whatsapp.send"
                 and s["attributes"]["mawid.whatsapp.message_type"] == "text")
    assert _chain(reply, spans)[-3:] == ["actor conversation.HandleInbound", "inbound.process", "POST /webhook"]
    assert reply["attributes"]["mawid.whatsapp.status_code"] == 200
    assert reply["attributes"]["mawid.whatsapp.outcome"] == "sent"
    assert any(s["parent_id"] == reply["span_id"] for s in trace), "the Graph HTTP call is under the send"

    requests = [s for s in trace if s["name"] == "llm.request"]
    assert len(requests) == 3  # two lookups together, reserve, answer
    for request in requests:
        assert request["attributes"]["mawid.llm.provider"] == "anthropic"
        assert request["attributes"]["mawid.llm.model"]
        assert request["attributes"]["mawid.llm.outcome"] == "ok"
        assert "mawid.llm.latency_ms" in request["attributes"]
        assert _chain(request, spans)[-3:] == ["actor conversation.HandleInbound", "inbound.process",
                                               "POST /webhook"]
    tools = [s for s in trace if s["name"] == "llm.tool"]
    assert [t["attributes"]["mawid.llm.tool"] for t in tools] == ["get_customer_reservations",
                                                                  "search_available_appointments",
                                                                  "reserve_time_slot"]
    assert all(t["attributes"]["mawid.llm.tool_outcome"] == "ok" for t in tools)
    reserve = tools[2]
    sql_under_reserve = [s for s in trace if s["parent_id"] == reserve["span_id"]
                         or reserve["name"] in _chain(s, spans)[1:]]
    assert any("db.system" in s["attributes"] for s in sql_under_reserve), "the tool's SQL is traced under it"
    # every span of the message hangs off the webhook's request
    assert all(_chain(s, spans)[-1] == "POST /webhook" for s in trace)


async def test_no_span_or_log_line_holds_the_text_or_the_phone_number(processed: Processed):
    exported = json.dumps(processed.spans, ensure_ascii=False)
    assert TEXT not in exported and "book please" not in exported
    assert CUSTOMER not in exported
    assert CUSTOMER[-4:] in exported  # masked wa_id, still useful to tell customers apart

    logged = [line for line in processed.log_lines if line.get("level") != "DEBUG"]
    assert logged
    for line in logged:
        text = json.dumps(line, ensure_ascii=False)
        assert TEXT not in text and CUSTOMER not in text, text
    about = [line for line in logged if line.get("message_id") == MESSAGE_ID]
    webhook = next(s for s in processed.spans if s["name"] == "POST /webhook")
    assert about, "log lines about the message carry its id"
    assert all(line.get("trace_id") == webhook["trace_id"] for line in about)
    assert all(line.get("wa_id") == "********0042" for line in about)


async def test_bin_mawid_trace_prints_the_path_of_a_processed_message(processed: Processed):
    runner = CliRunner()
    env = {"DATABASE_URL": processed.database_url}

    async def invoke(*args: str):  # the command runs its own event loop: keep it off the test's
        return await asyncio.to_thread(runner.invoke, trace, list(args), env=env)

    result = await invoke(MESSAGE_ID, "--log", processed.log_path)
    assert result.exit_code == 0, result.output
    out = result.output
    webhook = next(s for s in processed.spans if s["name"] == "POST /webhook")
    assert f"message {MESSAGE_ID}" in out and "customer ********0042" in out and "kind text" in out
    assert f"trace id {webhook['trace_id']}" in out
    assert "status done  attempts 1" in out
    assert f"customer message: <{len(TEXT)} characters>" in out
    for label in ("tool search_available_appointments", "result search_available_appointments",
                  "tool reserve_time_slot", "result reserve_time_slot"):
        assert label in out
    assert " user " in out and " assistant " in out
    assert ":000  text  sent  http 200  wamid wamid." in out
    log_section = out.split("log lines (")[1]
    assert int(log_section.split(")")[0]) > 0 and "inbound message 1 done (attempt 1)" in log_section
    assert TEXT not in out and CUSTOMER not in out and "Booked via" not in out

    shown = await invoke(MESSAGE_ID, "--show-text")
    assert shown.exit_code == 0, shown.output
    assert repr(TEXT) in shown.output and CUSTOMER in shown.output and "Booked via anthropic" in shown.output

    missing = await invoke("wamid.unknown")
    assert missing.exit_code != 0 and "no queued message" in missing.output



async def test_concurrent_deliveries_sharing_one_insert_keep_their_own_traces(collector, wa_env, servers, graph):
    """The webhook's group commit queues concurrent deliveries in one INSERT; each row keeps its own trace."""
    server = servers({**wa_env, "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint, "OTEL_BSP_SCHEDULE_DELAY": "100"})
    customers = [f"96650888{index:04d}" for index in range(12)]
    async with httpx.AsyncClient(timeout=30) as client:
        responses = await asyncio.gather(*(
            post_delivery(server.url, APP_SECRET, text_delivery(wa_id, "hello", f"wamid.race{index}"), client=client)
            for index, wa_id in enumerate(customers)))
    assert [r.status_code for r in responses] == [200] * len(customers)

    def processed_all() -> list[dict]:
        done = [s for s in collector.spans if s["name"] == "inbound.process"]
        return done if len(done) == len(customers) else []

    processes = await eventually(lambda: _async(processed_all()), what="every message processed")
    webhooks = {s["span_id"]: s for s in collector.spans if s["name"] == "POST /webhook"}
    assert len({p["trace_id"] for p in processes}) == len(customers)
    for process in processes:
        parent = webhooks[process["parent_id"]]
        assert parent["trace_id"] == process["trace_id"]
    # and each webhook request's trace holds exactly its own message
    assert sorted(p["attributes"]["mawid.whatsapp.message_id"] for p in processes) == sorted(
        f"wamid.race{index}" for index in range(len(customers)))
