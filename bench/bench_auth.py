"""Auth costs: argon2id hashing, token verification, and login / refresh on a live server.

Login is deliberately slow (argon2id with argon2-cffi's RFC 9106 low-memory
parameters); everything a request pays on every call (token verification) must
stay cheap. The live part logs in and refreshes sequentially, as one browser does.
"""
from __future__ import annotations

import asyncio
import statistics
import time

import asyncpg
import httpx
from common import bench_database  # noqa: I001  (puts the repo root on sys.path first)

from actors.accounts.passwords import hash_password, verify_password
from bench.loadgen import percentile
from runtime.account_sessions import AccountDirectory
from runtime.auth import TokenCodec
from runtime.routes import Role
from tests.support.servers import ServerProcess

SECRET = "bench-secret-not-for-production-0123456789"
PASSWORD = "bench password 123"


def _timed(fn, n: int) -> list[float]:
    samples = []
    for _ in range(n):
        started = time.perf_counter()
        fn()
        samples.append(time.perf_counter() - started)
    return samples


def _row(name: str, samples: list[float]) -> str:
    ms = [s * 1000 for s in samples]
    return (f"| {name} | {len(ms)} | {statistics.median(ms):.3f} | {percentile(ms, 95):.3f} "
            f"| {1000 / statistics.mean(ms):.0f} |")


async def _admin(url: str) -> str:
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO users (email, hashed_password, role, is_superuser) VALUES ($1, $2, 'admin', true)",
            "bench@example.com", hash_password(PASSWORD),
        )
    finally:
        await conn.close()
    return "bench@example.com"


async def _account_checks(url: str) -> tuple[list[float], list[float]]:
    """What each authenticated request adds: the account check, from the cache and from the database."""
    pool = await asyncpg.create_pool(url, min_size=1, max_size=2)
    try:
        user_id = str(await pool.fetchval("SELECT id FROM users LIMIT 1"))
        directory = AccountDirectory(pool, ttl=600)
        cached, read = [], []
        for samples, fresh, n in ((read, True, 500), (cached, False, 5000)):
            for _ in range(n):
                started = time.perf_counter()
                await directory.get(user_id, fresh=fresh)
                samples.append(time.perf_counter() - started)
        return cached, read
    finally:
        await pool.close()


def main() -> None:
    stored = hash_password(PASSWORD)
    codec = TokenCodec(SECRET, 900)
    token = codec.issue("00000000-0000-4000-8000-000000000000", "a@example.com", Role.STAFF)
    rows = [_row("argon2id hash (in process)", _timed(lambda: hash_password(PASSWORD), 20)),
            _row("argon2id verify (in process)", _timed(lambda: verify_password(PASSWORD, stored), 20)),
            _row("access-token verify (in process)", _timed(lambda: codec.verify(token), 5000))]
    with bench_database() as url:
        email = asyncio.run(_admin(url))
        cached, read = asyncio.run(_account_checks(url))
        rows += [_row("account check, cached (in process; every request)", cached),
                 _row("account check, database read (in process; once per account per 5 s)", read)]
        server = ServerProcess({"LOG_LEVEL": "WARNING", "DATABASE_URL": url, "JWT_SECRET": SECRET}).start()
        try:
            with httpx.Client(base_url=server.url, timeout=30) as client:
                logins, refreshes, reads = [], [], []
                for _ in range(20):
                    started = time.perf_counter()
                    answer = client.post("/auth/jwt/login", data={"username": email, "password": PASSWORD})
                    logins.append(time.perf_counter() - started)
                    answer.raise_for_status()
                refresh = answer.json()["refresh_token"]
                for _ in range(100):
                    started = time.perf_counter()
                    answer = client.post("/auth/jwt/refresh", data={"refresh_token": refresh})
                    refreshes.append(time.perf_counter() - started)
                    answer.raise_for_status()
                    refresh = answer.json()["refresh_token"]
                headers = {"Authorization": f"Bearer {answer.json()['access_token']}"}
                for _ in range(200):
                    started = time.perf_counter()
                    client.get("/users/me", headers=headers).raise_for_status()
                    reads.append(time.perf_counter() - started)
        finally:
            server.stop()
    rows += [_row("POST /auth/jwt/login (live, sequential)", logins),
             _row("POST /auth/jwt/refresh (live, sequential, rotating)", refreshes),
             _row("GET /users/me with a Bearer token (live, sequential)", reads)]
    print("| operation | n | p50 ms | p95 ms | per second (1 caller) |")
    print("|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
