"""Helpers for the security suite: real users with real passwords, and clients of a real server."""
from __future__ import annotations

import asyncio
import time
import uuid
from typing import Awaitable, Callable, TypeVar

import asyncpg
import httpx

from actors.accounts.passwords import hash_password
from runtime.routes import Role

PASSWORD = "correct horse battery staple"
T = TypeVar("T")


async def make_user(db_url: str, role: Role = Role.STAFF, *, password: str = PASSWORD) -> dict:
    email = f"{role.label}-{uuid.uuid4().hex[:8]}@example.com"
    hashed = await asyncio.to_thread(hash_password, password)
    conn = await asyncpg.connect(db_url)
    try:
        user_id = await conn.fetchval(
            "INSERT INTO users (email, hashed_password, role, is_superuser) VALUES ($1, $2, $3, $4) RETURNING id",
            email, hashed, role.label, role is Role.ADMIN,
        )
    finally:
        await conn.close()
    return {"id": str(user_id), "email": email, "password": password, "role": role}


def client(base_url: str, address: str = "127.0.0.1") -> httpx.AsyncClient:
    """A client whose connections come from `address` (any 127.0.0.0/8 address reaches loopback)."""
    return httpx.AsyncClient(base_url=base_url, timeout=30,
                             transport=httpx.AsyncHTTPTransport(local_address=address))


async def log_in(http: httpx.AsyncClient, user: dict, password: str | None = None) -> httpx.Response:
    return await http.post("/auth/jwt/login", data={"username": user["email"],
                                                    "password": password or user["password"]})


async def access_token(http: httpx.AsyncClient, user: dict) -> str:
    resp = await log_in(http, user)
    assert resp.status_code == 200, resp.text
    return resp.json()["access_token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def eventually(probe: Callable[[], Awaitable[T]], done: Callable[[T], bool], *, attempts: int = 200,
                     pause: float = 0.1) -> T:
    """Poll `probe` until `done(result)`; a bounded loop, not a timed assertion (the bound is generous)."""
    result = await probe()
    for _ in range(attempts):
        if done(result):
            return result
        await asyncio.sleep(pause)
        result = await probe()
    return result


def wall_clock() -> int:
    return int(time.time())
