"""Tracing tests reuse the WhatsApp pipeline's fakes: the Graph API, the LLM providers, a running server."""
from __future__ import annotations

import pytest

from tests.support.fake_otlp import FakeCollector
from tests.whatsapp.conftest import wa_env  # noqa: F401  (fixture shared with tests/whatsapp; graph and servers are in tests/conftest.py)
from tests.whatsapp.fake_llm import FakeLLM


@pytest.fixture
async def llm():
    fake = await FakeLLM().start()
    yield fake
    await fake.stop()


@pytest.fixture
def collector():
    fake = FakeCollector().start()
    yield fake
    fake.stop()
