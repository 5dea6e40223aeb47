"""Input PostgreSQL cannot store gets a 422 naming the field, never a 500 (found by schemathesis)."""
from __future__ import annotations

from runtime.routes import Role


async def test_nul_in_a_form_field_is_refused(client):
    resp = await client.post("/auth/jwt/login", data={"username": "a\x00b@example.com", "password": "x"})
    assert resp.status == 422
    assert (await resp.json())["message"].startswith("body.username:")


async def test_nul_and_lone_surrogates_in_json_are_refused(client, token_for):
    _, admin = await token_for(Role.ADMIN)
    headers = {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"}
    for raw in (b'{"email": "a\\u0000@x", "password": "long enough pw"}',
                b'{"email": "\\ud8f8@x", "password": "long enough pw"}',
                b'{"email": "ok@x", "password": "long enough pw", "extra": {"\\u0000": 1}}'):
        resp = await client.post("/auth/register", data=raw, headers=headers)
        assert resp.status == 422, raw
        assert "cannot be stored" in (await resp.json())["message"]


async def test_nul_in_a_path_parameter_is_refused(client, token_for):
    _, admin = await token_for(Role.ADMIN)
    resp = await client.get("/users/a%00b", headers={"Authorization": f"Bearer {admin}"})
    assert resp.status == 422 and (await resp.json())["message"].startswith("path.id:")


async def test_deeply_nested_bodies_are_refused_or_ignored_never_a_500(client, token_for):
    _, admin = await token_for(Role.ADMIN)
    headers = {"Authorization": f"Bearer {admin}", "Content-Type": "application/json"}
    for depth in (900, 100_000):
        nested = "[" * depth + "]" * depth
        raw = f'{{"email": "deep@example.com", "password": "long enough pw", "extra": {nested}}}'.encode()
        resp = await client.post("/auth/register", data=raw, headers=headers)
        assert resp.status in (201, 400, 422), (depth, resp.status)
