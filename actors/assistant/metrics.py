"""Assistant and LLM metrics, with the reference's names (spec 60 §6) where it has them."""
from __future__ import annotations

from aioprometheus import Counter, Gauge

from runtime.metrics import REGISTRY
from runtime.ops_metrics import ASSISTANT_FUNCTION_ERRORS  # noqa: F401  (shared with the domain)

LLM_API_ERRORS = Counter("llm_api_errors_total", "LLM call failures by provider and error type", registry=REGISTRY)
LLM_TOOL_ERRORS = Counter("llm_tool_execution_errors_total", "LLM tool calls that raised or were unknown",
                          registry=REGISTRY)
LLM_RETRIES = Counter("llm_retry_attempts_total", "Retry-eligible LLM failures", registry=REGISTRY)
LLM_EMPTY = Counter("llm_empty_responses_total", "LLM answers without text", registry=REGISTRY)
API_RETRY_EXHAUSTED = Counter("api_retry_exhausted_total", "LLM runs that finally failed (after the SDK's retries)",
                              registry=REGISTRY)
LLM_API_ERRORS_DETAILED = Counter(
    "llm_api_errors_detailed_total", "OpenAI call failures with exception type, HTTP status and function",
    registry=REGISTRY,
)
# The SDKs retry inside one call (LLM_MAX_RETRIES); these count calls that still failed with a
# retry-eligible error, and when that last happened.
API_RETRY_ATTEMPTS = Counter("api_retry_attempts_total", "LLM calls failed with a retry-eligible error",
                             registry=REGISTRY)
API_RETRY_LAST = Gauge("api_retry_last_timestamp_seconds", "Unix time of the latest retry-eligible LLM failure",
                       registry=REGISTRY)
FALLBACKS = Counter("assistant_offline_fallbacks_total", "Turns answered by the offline assistant instead of the "
                    "configured provider", registry=REGISTRY)
LLM_API_ERRORS.add({"provider": "anthropic", "error_type": "unknown"}, 0)
LLM_RETRIES.add({"provider": "anthropic", "error_type": "unknown"}, 0)
