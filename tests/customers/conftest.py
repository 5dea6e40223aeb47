"""Fixtures for the customer tests: the running app's services and a recorder of bus events."""
from __future__ import annotations

import pytest

from runtime.app import base_app
from runtime.routes import register
from runtime.services import SERVICES


@pytest.fixture
def app(config):
    """The core app with only this feature's routes: other features' work in progress cannot break these tests."""
    from handlers import customers

    application = base_app(config)
    register(application, customers.ROUTES)
    customers.setup(application)
    return application


@pytest.fixture
async def services(staff_client):
    return staff_client.server.app[SERVICES]


@pytest.fixture
async def events(services):
    """Every event published on the bus during the test, in order."""
    seen: list = []
    unsubscribe = services.bus.subscribe(seen.append)
    yield seen
    unsubscribe()


@pytest.fixture
def conversation(services):
    from actors.conversation.actor import ConversationActor

    def ref(wa_id: str):
        return services.actors.ref(ConversationActor, wa_id)

    return ref
