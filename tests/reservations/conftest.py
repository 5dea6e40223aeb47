"""Fixtures of the reservation tests: a frozen business clock and helpers to seed rows."""
from __future__ import annotations

import json
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from actors.reservation.context import CLOCK_KEY
from runtime.services import SERVICES

RIYADH = ZoneInfo("Asia/Riyadh")
# Spec 20 §13: Sunday 2025-06-01 12:30 in Riyadh (Hijri 1446-12-05).
EXAMPLE_NOW = datetime(2025, 6, 1, 12, 30, tzinfo=RIYADH)


@pytest.fixture
def env(env):
    return {**env, "VACATION_MESSAGE": "Clinic closed.", "ENVIRONMENT": "production", "DB_POOL_MIN": "1"}


@pytest.fixture
def clock(app):
    """Set `clock.now` to move the business time of the app under test."""

    class Clock:
        now = EXAMPLE_NOW

        def __call__(self) -> datetime:
            return self.now

    fixed = Clock()
    app[SERVICES].extras[CLOCK_KEY] = fixed
    return fixed


async def add_customer(db, wa_id: str, name: str = "Sara", document=None) -> None:
    await db.execute("INSERT INTO customers (wa_id, customer_name, document) VALUES ($1, $2, $3::jsonb)"
                     " ON CONFLICT DO NOTHING", wa_id, name, None if document is None else json.dumps(document))


async def add_reservation(db, wa_id: str, day: str, slot: str, kind: int = 0, status: str = "active") -> int:
    await add_customer(db, wa_id)
    hour, minute = slot.split(":")
    return await db.fetchval(
        "INSERT INTO reservations (wa_id, slot_date, slot_time, type, status, cancelled_at)"
        " VALUES ($1, $2, $3, $4, $5, CASE WHEN $5 = 'cancelled' THEN now() END) RETURNING id",
        wa_id, date.fromisoformat(day), time(int(hour), int(minute)), kind, status)


FEATURE_MODULES = ("health", "reservations", "reservation_aliases", "vacations", "app_config", "messages")


def feature_app(config):
    """Only this feature's routes (plus health): other features' work in progress cannot break these tests."""
    import importlib

    from runtime.app import base_app
    from runtime.routes import register

    application = base_app(config)
    for name in FEATURE_MODULES:
        register(application, list(importlib.import_module(f"handlers.{name}").ROUTES))
    return application


@pytest.fixture
def app(config):
    return feature_app(config)


@pytest.fixture
async def services(staff_client, app, clock):
    """The started app's services (pool, bus, actors), with the example clock."""
    return app[SERVICES]


@pytest.fixture
def events(services):
    """Every event published on the bus while the test runs."""
    seen: list = []
    services.bus.subscribe(seen.append)
    return seen


async def set_capacity(services, **capacity) -> None:
    from actors.app_config import update_app_config

    await update_app_config(services, {"slot_capacity_settings": capacity})

