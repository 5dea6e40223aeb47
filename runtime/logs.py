"""Structured logging: one JSON object per line on stdout, carrying the request id.

Context (request id, wa_id, WhatsApp message id) lives in contextvars so that
every log line written while handling a request or a message carries it
without threading it through calls.
"""
from __future__ import annotations

import contextvars
import json
import logging
import sys
from datetime import datetime, timezone

from opentelemetry import trace

from runtime.masking import mask_value

request_id_var: contextvars.ContextVar[str | None] = contextvars.ContextVar("request_id", default=None)
log_context_var: contextvars.ContextVar[dict[str, str] | None] = contextvars.ContextVar("log_context", default=None)

_UNMASKED_KEYS = frozenset({"ts", "level", "logger", "trace_id", "request_id", "message_id", "queue_id"})
_STANDARD_ATTRS = set(logging.makeLogRecord({}).__dict__) | {"message", "asctime"}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, object] = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            entry["trace_id"] = format(span_context.trace_id, "032x")
        request_id = request_id_var.get()
        if request_id:
            entry["request_id"] = request_id
        entry.update(log_context_var.get() or {})
        for key, value in record.__dict__.items():
            if key not in _STANDARD_ATTRS and not key.startswith("_"):
                entry[key] = value
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        if record.levelno >= logging.INFO:
            # Personal data and secrets never reach the log at INFO and above.
            entry = {key: v if key in _UNMASKED_KEYS else mask_value(v) for key, v in entry.items()}
        return json.dumps(entry, ensure_ascii=False, default=str)


class SummariseExceptions(logging.Filter):
    """Keep a library's expected-failure warnings to one line (asyncpg retrying during a database outage)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.exc_info and record.exc_info[1] is not None:
            exc = record.exc_info[1]
            record.msg = f"{record.getMessage()}: {type(exc).__name__}: {exc}"
            record.args = None
            record.exc_info = None
        return True


def configure_logging(level: str = "INFO", fmt: str = "json") -> None:
    handler = logging.StreamHandler(sys.stdout)
    if fmt == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    # Access logs and chatty HTTP clients stay quiet, as in the reference.
    logging.getLogger("asyncpg.pool").addFilter(SummariseExceptions())
    for noisy in ("aiohttp.access", "httpx", "httpcore", "openai", "anthropic", "google_genai", "asyncio"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
