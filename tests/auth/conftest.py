"""An app with only the auth, OpenAPI and health features (the matrix test uses the full app)."""
from __future__ import annotations

import uuid

import asyncpg
import pytest
from argon2 import PasswordHasher

import handlers.auth
import handlers.health
import handlers.openapi
from actors.accounts import passwords
from actors.accounts.passwords import hash_password
from runtime.app import base_app
from runtime.routes import Role, register

PASSWORD = "correct horse battery"


@pytest.fixture(autouse=True)
def quick_password_hashing(request, monkeypatch):
    """Real argon2id with small parameters, so a loaded CI machine does not spend minutes hashing.

    The production parameters are exercised by test_rules (and by the live-server tests).
    """
    if request.module.__name__.endswith("test_rules"):
        return
    monkeypatch.setattr(passwords, "_ARGON2", PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1))


def auth_app(config):
    app = base_app(config)
    for module in (handlers.auth, handlers.health, handlers.openapi):
        register(app, list(module.ROUTES))
        module.setup(app)
    return app


@pytest.fixture
def app(config):
    return auth_app(config)


@pytest.fixture
def make_user(db_url):
    """`await make_user(role=..., password=..., hashed=...)` -> dict(id, email, password, role)."""

    async def make(role: Role = Role.STAFF, *, password: str = PASSWORD, hashed: str | None = None,
                   email: str | None = None, active: bool = True) -> dict:
        email = email or f"{role.label}-{uuid.uuid4().hex[:8]}@example.com"
        conn = await asyncpg.connect(db_url)
        try:
            user_id = await conn.fetchval(
                "INSERT INTO users (email, hashed_password, role, is_superuser, is_active) "
                "VALUES ($1, $2, $3, $4, $5) RETURNING id",
                email, hashed or hash_password(password), role.label, role is Role.ADMIN, active,
            )
        finally:
            await conn.close()
        return {"id": str(user_id), "email": email, "password": password, "role": role}

    return make


async def log_in(client, email: str, password: str):
    return await client.post("/auth/jwt/login", data={"username": email, "password": password})
