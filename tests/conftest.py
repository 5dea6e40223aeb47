"""Shared fixtures: a migrated database per session, the app, authenticated clients.

Every test starts with empty tables. `client` is anonymous; `staff_client`,
`admin_client` and `viewer_client` carry a real access token of a real user.
"""
from __future__ import annotations

import asyncio
import os
import uuid

import asyncpg
import pytest

from handlers.app import create_app
from runtime.config import load_config
from runtime.routes import Role
from runtime.services import SERVICES
from tests.support import requirements
from tests.support.database import create_test_database, drop_test_database, empty_tables
from tests.support.reports import remember
from tests.support.servers import ServerProcess
from tests.whatsapp.fakes import FakeGraph

TEST_JWT_SECRET = "test-secret-not-for-production-0123456789"
# `make test` exports REDIS_URL for itself (tests find it as MAWID_TEST_REDIS_URL). Inherited by every server
# and job a test starts, it put them all on one pub/sub channel (channels ignore Redis's database number):
# each server received the others' events, numbered from other databases' logs, and dropped its own later
# ones as already seen (the live updates CI lost). A test that wants Redis passes it, with its own channel.
NOT_INHERITED = ("REDIS_URL", "REDIS_CHANNEL")


def pytest_configure(config):
    for name in NOT_INHERITED:
        os.environ.pop(name, None)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    remember(item, report)
    return report


@pytest.fixture(scope="session")
def database_url():
    # Synchronous on purpose: a session fixture must not share the per-test event loops.
    url = asyncio.run(create_test_database())
    yield url
    asyncio.run(drop_test_database(url))


@pytest.fixture
async def db_url(database_url):
    await empty_tables(database_url)
    return database_url


@pytest.fixture
def redis_url():
    return requirements.redis_url()  # fails, naming what it tried, when no Redis answers


@pytest.fixture
def env(db_url):
    """The environment a test server runs with; tests may add to it before using `config`."""
    return {
        "DATABASE_URL": db_url,
        # Small pools: a run starts many apps and servers against one PostgreSQL (max_connections 100).
        "DB_POOL_MIN": "1",
        "DB_POOL_MAX": "8",
        "JWT_SECRET": TEST_JWT_SECRET,
        "LOG_FORMAT": "text",
        "LOG_LEVEL": "WARNING",
        "APP_SECRET": "test-app-secret",
        "VERIFY_TOKEN": "test-verify-token",
        # Feature tests' apps are never scheduler leader (a 19:00 reminder catch-up would write to their
        # data); tests/ops enables it where the scheduler is the subject.
        "SCHEDULER_ENABLED": "false",
    }


@pytest.fixture
def config(env):
    return load_config(env)


@pytest.fixture
def app(config):
    return create_app(config)


@pytest.fixture
async def client(aiohttp_client, app):
    return await aiohttp_client(app)


@pytest.fixture
async def db(db_url):
    conn = await asyncpg.connect(db_url)
    yield conn
    await conn.close()


async def create_user(db_url: str, role: Role, email: str | None = None) -> dict:
    email = email or f"{role.label}-{uuid.uuid4().hex[:6]}@example.test"
    conn = await asyncpg.connect(db_url)
    try:
        row = await conn.fetchrow(
            "INSERT INTO users (email, hashed_password, role, is_superuser) VALUES ($1, $2, $3, $4) RETURNING id",
            email, "!unusable", role.label, role is Role.ADMIN,
        )
    finally:
        await conn.close()
    return {"id": str(row["id"]), "email": email, "role": role}


@pytest.fixture
def token_for(app, db_url):
    """`await token_for(Role.STAFF)` -> (user, bearer token) for a freshly created user."""

    async def issue(role: Role) -> tuple[dict, str]:
        user = await create_user(db_url, role)
        return user, app[SERVICES].tokens.issue(user["id"], user["email"], role)

    return issue


async def _client_with_role(aiohttp_client, app, token_for, role: Role):
    _, token = await token_for(role)
    return await aiohttp_client(app, headers={"Authorization": f"Bearer {token}"})


@pytest.fixture
async def staff_client(aiohttp_client, app, token_for):
    return await _client_with_role(aiohttp_client, app, token_for, Role.STAFF)


@pytest.fixture
async def admin_client(aiohttp_client, app, token_for):
    return await _client_with_role(aiohttp_client, app, token_for, Role.ADMIN)


@pytest.fixture
async def viewer_client(aiohttp_client, app, token_for):
    return await _client_with_role(aiohttp_client, app, token_for, Role.VIEWER)


@pytest.fixture
async def graph():
    """A fake WhatsApp Cloud API on loopback; `graph.env()` points a server at it."""
    fake = await FakeGraph().start()
    yield fake
    await fake.stop()


@pytest.fixture
def servers(request):
    """`servers(env)` starts a real `bin/mawid serve`; all are stopped after the test."""
    started: list[ServerProcess] = []

    def start(server_env: dict[str, str]) -> ServerProcess:
        server = ServerProcess(server_env).start()
        started.append(server)
        return server

    yield start
    suite = request.node.module.__name__.split(".")[1]
    for server in started:
        server.stop(timeout=20)
        # Kept for reading after a failure (var/ is shared with other suites' servers).
        (server.log_path.parent / f"{suite}-last-server.log").write_text(server.logs())
