"""Fixtures of the resource tests: the reservation feature's app plus `/resources`, the example clock."""
from __future__ import annotations

import importlib

import pytest

from actors.reservation.context import CLOCK_KEY
from runtime.routes import register
from runtime.services import SERVICES
from tests.reservations.conftest import EXAMPLE_NOW, feature_app


@pytest.fixture
def env(env):
    return {**env, "VACATION_MESSAGE": "Clinic closed.", "ENVIRONMENT": "production", "DB_POOL_MIN": "1"}


@pytest.fixture
def app(config):
    application = feature_app(config)
    register(application, list(importlib.import_module("handlers.resources").ROUTES))
    return application


@pytest.fixture
def clock(app):
    class Clock:
        now = EXAMPLE_NOW  # Sunday 2025-06-01 12:30, Riyadh

        def __call__(self):
            return self.now

    fixed = Clock()
    app[SERVICES].extras[CLOCK_KEY] = fixed
    return fixed


@pytest.fixture
async def services(admin_client, app, clock):
    """The started app's services; `admin_client` (which may call the staff routes too) drives HTTP."""
    return app[SERVICES]


@pytest.fixture
def events(services):
    seen: list = []
    services.bus.subscribe(seen.append)
    return seen


async def add_resource(admin_client, **fields) -> dict:
    response = await admin_client.post("/resources", json=fields)
    body = await response.json()
    assert response.status == 201, body
    return body["data"]


async def switch_off_default(admin_client) -> None:
    response = await admin_client.patch("/resources/1", json={"active": False})
    assert response.status == 200, await response.json()
