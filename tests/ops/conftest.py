"""Ops tests run the core app's resources without the other features' HTTP modules."""
from __future__ import annotations

import pytest

from tests.ops.support import FakeGraph


@pytest.fixture
def env(env, tmp_path):
    # The scheduler is started explicitly by the tests that want it; elections poll fast.
    return {**env, "SCHEDULER_ENABLED": "false", "SCHEDULER_POLL_INTERVAL": "0.2", "BACKUP_DIR": str(tmp_path / "bk"),
            "TIMEZONE": "Asia/Riyadh", "BUSINESS_NAME": "عيادة موعد"}


@pytest.fixture
async def graph():
    fake = await FakeGraph().start()
    yield fake
    await fake.stop()
