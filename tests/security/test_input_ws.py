"""`/ws` frames that cannot be used are answered and the socket is kept (issue 19 row 6), on a running server."""
from __future__ import annotations

import aiohttp

from runtime.routes import Role
from tests.security.input_support import nested


async def test_deep_or_unstorable_frames_are_answered_ignored_and_the_socket_lives(servers, env, token_for):
    server = servers(env)
    _, token = await token_for(Role.STAFF)
    async with aiohttp.ClientSession() as http:
        async with http.ws_connect(server.url + "/ws", headers={"Authorization": f"Bearer {token}"}) as ws:
            for frame in (nested(5000).decode(), nested(3000).decode(), nested(100).decode(),
                          '{"type": "ping", "data": {"x": "\\u0000"}}', '{"type": "ping", "n": NaN}'):
                await ws.send_str(frame)
                answer = await ws.receive_json(timeout=30)
                assert answer["type"] == "ignored", (frame[:40], answer)
                assert answer.get("error") or frame.endswith("NaN}"), answer
            await ws.send_str('{"type": "ping"}')
            assert (await ws.receive_json(timeout=30))["type"] == "pong"
            await ws.send_str('{"type": "resume", "since": 99999999999999999999999999}')
            assert (await ws.receive_json(timeout=30))["type"] == "resync"
    logs = server.logs()
    assert "RecursionError" not in logs and "Traceback" not in logs
