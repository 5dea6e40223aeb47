"""The reference protocol: handshake, auth, replies to unusable frames, filters, tab replacement."""
from __future__ import annotations

import aiohttp
import pytest

from runtime.events import publish
from runtime.routes import Role


async def test_unauthenticated_upgrade_is_refused(server):
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await server.session.ws_connect(server.make_url("/ws"))
    assert info.value.status == 401


async def test_invalid_token_is_refused(server):
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await server.session.ws_connect(server.make_url("/ws"), params={"token": "not-a-token"})
    assert info.value.status == 401


async def test_cookie_authenticates(server, token_for):
    _, token = await token_for(Role.VIEWER)
    ws = await server.session.ws_connect(server.make_url("/ws"), headers={"Cookie": f"mawid_access={token}"})
    await ws.send_json({"type": "ping"})
    assert (await ws.receive_json(timeout=10))["type"] == "pong"
    await ws.close()


async def test_bearer_header_authenticates(server, token_for):
    _, token = await token_for(Role.VIEWER)
    ws = await server.session.ws_connect(server.make_url("/ws"), headers={"Authorization": f"Bearer {token}"})
    await ws.send_json({"type": "ping"})
    assert (await ws.receive_json(timeout=10))["type"] == "pong"
    await ws.close()


async def test_ping_pong_and_envelope_shape(connect):
    c = await connect(Role.VIEWER)
    pong = await c.ask({"type": "ping"}, "pong")
    assert set(pong) == {"type", "timestamp", "seq"}
    assert pong["timestamp"].endswith("Z") and len(pong["timestamp"]) == 20


@pytest.mark.parametrize("frame", ["not json", "[1, 2]", '"text"', "42", "null", '{"no_type": 1}',
                                   '{"type": "no_such_command"}', '{"type": 5}'])
async def test_unusable_frames_answer_ignored_and_keep_the_connection(connect, frame):
    c = await connect(Role.VIEWER)
    assert (await c.ask(frame, "ignored"))["type"] == "ignored"
    assert (await c.ask({"type": "ping"}, "pong"))["type"] == "pong"


async def test_binary_frame_answers_ignored(connect):
    c = await connect(Role.VIEWER)
    await c.ws.send_bytes(b"\x00\x01")
    assert (await c.until("ignored"))["type"] == "ignored"
    assert (await c.ask({"type": "ping"}, "pong"))["type"] == "pong"


async def test_filters_by_type_and_entity(connect, services):
    everything = await connect(Role.VIEWER)
    by_type = await connect(Role.VIEWER)
    by_entity = await connect(Role.VIEWER)
    ack = await by_type.ask({"type": "set_filter", "filters": {"updateTypes": ["conversation_typing"],
                                                                "update_types": ["ignored_when_camel_set"]}},
                            "filter_ack")
    assert set(ack) == {"type", "timestamp"}
    await by_entity.ask({"type": "set_filter", "filters": {"entity_ids": ["111"]}}, "filter_ack")

    await publish(services, "conversation_typing", {"wa_id": "222", "state": "start"}, ["222"])
    await publish(services, "customer_block_updated", {"wa_id": "111", "is_blocked": True}, ["111"])
    await publish(services, "vacation_period_updated", {"periods": [], "_source": "frontend"})
    await publish(services, "conversation_typing", {"wa_id": "111", "state": "stop"}, ["111"])
    marker = await publish(services, "customer_favorite_updated", {"wa_id": "999", "is_favorite": True}, ["999"])

    def seen(c):
        return [(m["type"], m["data"].get("wa_id")) for m in c.received if "seq" in m and m["type"] != "pong"]

    await everything.until("customer_favorite_updated")
    # a filtered client cannot see the marker; a ping behind the events proves they were all sent
    await by_type.ask({"type": "ping"}, "pong")
    await by_entity.ask({"type": "ping"}, "pong")
    assert seen(everything) == [("conversation_typing", "222"), ("customer_block_updated", "111"),
                                ("vacation_period_updated", None), ("conversation_typing", "111"),
                                ("customer_favorite_updated", "999")]
    assert seen(by_type) == [("conversation_typing", "222"), ("conversation_typing", "111")]
    # events without affected entities pass any entity filter
    assert seen(by_entity) == [("customer_block_updated", "111"), ("vacation_period_updated", None),
                               ("conversation_typing", "111")]
    assert marker.seq == everything.received[-1]["seq"]

    # empty lists reset to "everything"; a string instead of a list does not filter (Quirk Q15)
    await by_type.ask({"type": "set_filter", "filters": {"updateTypes": "conversation_typing"}}, "filter_ack")
    await publish(services, "customer_block_updated", {"wa_id": "5", "is_blocked": False}, ["5"])
    assert (await by_type.until("customer_block_updated"))["data"]["wa_id"] == "5"


async def test_events_arrive_in_sequence_order_with_reference_envelope(connect, services):
    c = await connect(Role.VIEWER)
    for i in range(30):
        await publish(services, "conversation_typing", {"wa_id": str(i), "state": "start"}, [str(i)])
    await publish(services, "vacation_period_updated", {"periods": [], "_source": "assistant"})
    events = [m for m in await _until_type(c, "vacation_period_updated") if "seq" in m and m["type"] != "pong"]
    assert [e["data"]["wa_id"] for e in events[:-1]] == [str(i) for i in range(30)]
    seqs = [e["seq"] for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert events[0]["affected_entities"] == ["0"]
    assert "affected_entities" not in events[-1]  # omitted, not [] (spec 40 §3.1)
    assert set(events[-1]) == {"type", "timestamp", "data", "seq"}


async def _until_type(c, type_):
    got = []
    while True:
        body = await c.next()
        got.append(body)
        if body["type"] == type_:
            return got


async def test_same_tab_replaces_the_older_connection_with_1000(connect, hub, services, token_for):
    _, token = await token_for(Role.VIEWER)  # tab ids are per account: one user, two sockets
    first = await connect(None, tab="tab-1", token=token)
    await first.ask({"type": "ping"}, "pong")
    second = await connect(None, tab="tab-1", token=token)
    await second.ask({"type": "ping"}, "pong")
    closing = await first.ws.receive(timeout=10)
    assert closing.type is aiohttp.WSMsgType.CLOSE
    assert closing.data == 1000  # the reference's code: the replaced tab does not reconnect
    # the closing of the old socket must not un-index the new one
    assert [conn.tab for conn in hub.tabs.values()] == ["tab-1"]
    await publish(services, "conversation_typing", {"wa_id": "1", "state": "start"}, ["1"])
    assert (await second.until("conversation_typing"))["data"]["wa_id"] == "1"
    other_tab = await connect(Role.VIEWER, tab="tab-2")
    no_tab = await connect(Role.VIEWER, tab="")
    await other_tab.ask({"type": "ping"}, "pong")
    await no_tab.ask({"type": "ping"}, "pong")
    assert len(hub.tabs) == 2 and len(hub.connections) == 3


async def test_cookie_sockets_from_foreign_origins_are_refused_outside_development(aiohttp_client, env, token_for):
    from runtime.config import load_config
    from tests.realtime.conftest import realtime_app

    app = realtime_app(load_config({**env, "ENVIRONMENT": "production", "APP_URL": "https://clinic.example/",
                                    "CORS_ORIGINS": "http://localhost:3000"}))
    server = await aiohttp_client(app)
    _, token = await token_for(Role.STAFF)
    cookie = {"Cookie": f"mawid_access={token}"}
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:
        await server.session.ws_connect(server.make_url("/ws"), headers={**cookie, "Origin": "https://evil.example"})
    assert info.value.status == 403
    for origin in ("https://clinic.example", "http://localhost:3000", f"http://{server.host}:{server.port}"):
        ws = await server.session.ws_connect(server.make_url("/ws"), headers={**cookie, "Origin": origin})
        await ws.close()
    # an explicit token is not ambient: any origin may use it
    ws = await server.session.ws_connect(server.make_url("/ws"), params={"token": token},
                                         headers={"Origin": "https://evil.example"})
    await ws.close()
