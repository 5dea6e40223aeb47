"""LLM failures are counted under the reference's metric names and labels (spec 60 §6.2)."""
from __future__ import annotations

import time

import httpx
import openai

from actors.assistant.metrics import API_RETRY_ATTEMPTS, API_RETRY_LAST, LLM_API_ERRORS_DETAILED
from actors.assistant.providers.common import count_error


def _value(counter, labels) -> float:
    try:
        return counter.get(labels)
    except KeyError:
        return 0.0


def test_openai_rate_limit_counts_detailed_error_and_retry():
    request = httpx.Request("POST", "http://127.0.0.1/v1/responses")
    exc = openai.RateLimitError("slow down", response=httpx.Response(429, request=request), body=None)
    detailed = {"provider": "openai", "error_type": "rate_limit", "exception_type": "RateLimitError",
                "http_status": "429", "function": "run_openai"}
    before_detailed = _value(LLM_API_ERRORS_DETAILED, detailed)
    before_retries = _value(API_RETRY_ATTEMPTS, {"exception_type": "RateLimitError"})
    started = time.time()
    count_error("openai", exc)
    assert _value(LLM_API_ERRORS_DETAILED, detailed) == before_detailed + 1
    assert _value(API_RETRY_ATTEMPTS, {"exception_type": "RateLimitError"}) == before_retries + 1
    assert API_RETRY_LAST.get({"exception_type": "RateLimitError"}) >= int(started)


def test_non_retryable_errors_of_other_providers_are_not_detailed():
    before = sum(value for _, value in LLM_API_ERRORS_DETAILED.get_all())
    count_error("anthropic", ValueError("bad tool arguments"))
    after = sum(value for _, value in LLM_API_ERRORS_DETAILED.get_all())
    assert after == before
    assert _value(API_RETRY_ATTEMPTS, {"exception_type": "ValueError"}) == 0
