"""OpenTelemetry tracing: off unless OTEL_EXPORTER_OTLP_ENDPOINT is set.

When off, the OpenTelemetry API's no-op tracer is used and nothing is
exported. When on, the maintained instrumentations cover the aiohttp server
and client, asyncpg, httpx and redis; Mawid adds spans for actor messages,
the inbound queue, LLM calls and tools, WhatsApp sends and jobs.

Trace context crosses the two places where work changes hands: an actor's
mailbox (`capture` at send, `restored` while handling) and the durable inbound
queue (`inject_carrier` into the stored row, `extract_carrier` when claimed).
Every exported span passes through `MaskingExporter`, so phone numbers,
tokens and secrets never leave the process in full.
"""
from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor, SimpleSpanProcessor, SpanExporter, SpanExportResult

from runtime.logs import log_context_var, request_id_var
from runtime.masking import mask_text, mask_value

log = logging.getLogger("mawid.tracing")
TRACER = trace.get_tracer("mawid")

# Model names carry release dates that look like phone numbers; they are never personal.
_KEPT_AS_IS = frozenset({"mawid.llm.model", "gen_ai.request.model", "gen_ai.response.model"})


def _masked(span: ReadableSpan) -> ReadableSpan:
    attributes = {k: v if k in _KEPT_AS_IS else mask_value(v) for k, v in (span.attributes or {}).items()}
    return ReadableSpan(
        name=mask_text(span.name), context=span.context, parent=span.parent, resource=span.resource,
        attributes=attributes, events=span.events, links=span.links, kind=span.kind, status=span.status,
        start_time=span.start_time, end_time=span.end_time, instrumentation_scope=span.instrumentation_scope,
    )


class MaskingExporter(SpanExporter):
    """Masks every exported span's name and string attributes, then hands them on."""

    def __init__(self, inner: SpanExporter) -> None:
        self.inner = inner

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.inner.export([_masked(span) for span in spans])

    def shutdown(self) -> None:
        self.inner.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.inner.force_flush(timeout_millis)


_provider: TracerProvider | None = None


def configure_tracing(endpoint: str | None, service_name: str = "mawid",
                      exporter: SpanExporter | None = None) -> TracerProvider | None:
    """Install the provider and instrumentations once per process; a no-op without an endpoint or exporter."""
    global _provider
    if _provider is not None:
        return _provider
    if exporter is None and not endpoint:
        return None
    from opentelemetry.sdk.resources import Resource

    if exporter is None:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

        processor = BatchSpanProcessor(MaskingExporter(OTLPSpanExporter()))
    else:
        processor = SimpleSpanProcessor(MaskingExporter(exporter))
    provider = TracerProvider(resource=Resource.create({"service.name": service_name}))
    provider.add_span_processor(processor)
    trace.set_tracer_provider(provider)
    _instrument_libraries(provider)
    _provider = provider
    log.info("tracing enabled", extra={"exporter": type(exporter).__name__ if exporter else "otlp"})
    return provider


def _instrument_libraries(provider: TracerProvider) -> None:
    from opentelemetry.instrumentation.aiohttp_client import AioHttpClientInstrumentor
    from opentelemetry.instrumentation.aiohttp_server import AioHttpServerInstrumentor
    from opentelemetry.instrumentation.asyncpg import AsyncPGInstrumentor
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    for instrumentor in (AioHttpServerInstrumentor(), AioHttpClientInstrumentor(), AsyncPGInstrumentor(),
                         HTTPXClientInstrumentor(), RedisInstrumentor()):
        instrumentor.instrument(tracer_provider=provider)


def tracing_enabled() -> bool:
    return _provider is not None


# --- carrying context across hand-overs -------------------------------------------------------

Captured = tuple[Any, str | None, dict[str, str] | None]


def capture() -> Captured:
    """What a message should carry to its handler: the trace context and the log context."""
    trace_ctx = otel_context.get_current() if _provider is not None else None
    return trace_ctx, request_id_var.get(), log_context_var.get()


class restored:
    """Restore a captured context while a message is handled (a class: it runs on every actor message)."""

    __slots__ = ("_captured", "_tokens")

    def __init__(self, captured: Captured | None) -> None:
        self._captured = captured
        self._tokens: tuple[Any, Any, Any] | None = None

    def __enter__(self) -> None:
        if self._captured is None:
            return
        trace_ctx, request_id, log_ctx = self._captured
        self._tokens = (
            otel_context.attach(trace_ctx) if trace_ctx is not None else None,
            request_id_var.set(request_id),
            log_context_var.set(log_ctx),
        )

    def __exit__(self, *exc_info: object) -> None:
        if self._tokens is None:
            return
        trace_token, request_token, log_token = self._tokens
        log_context_var.reset(log_token)
        request_id_var.reset(request_token)
        if trace_token is not None:
            otel_context.detach(trace_token)


def inject_carrier() -> dict[str, str]:
    """W3C trace headers of the current span, to store with a queued message."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier


def extract_carrier(carrier: dict[str, str] | None):
    return propagate.extract(carrier or {})


def span(name: str, parent=None, **attributes: Any):
    """A Mawid span (a context manager giving the span); attributes with None values are left out.

    With tracing off this is a shared do-nothing context giving the invalid span, whose setters do
    nothing: the call sites stay unconditional and cost a function call.
    """
    if _provider is None:
        return _NO_TRACE
    return _span(name, parent, attributes)


@contextmanager
def _span(name: str, parent, attributes: dict[str, Any]) -> Iterator[trace.Span]:
    clean = {f"mawid.{k}": v for k, v in attributes.items() if v is not None}
    with TRACER.start_as_current_span(name, context=parent, attributes=clean) as current:
        yield current


_NO_TRACE = nullcontext(trace.INVALID_SPAN)
_NO_SPAN = nullcontext()


def quiet():
    """Leave library spans out of a block (the queue's polling SQL would be one root trace per poll)."""
    if _provider is None:
        return _NO_SPAN
    from opentelemetry.instrumentation.utils import suppress_instrumentation

    return suppress_instrumentation()


def record_span(name: str, parent, start_ns: int, end_ns: int, **attributes: Any) -> None:
    """A span for work already done (one claim serves many traces: each gets its own copy)."""
    if _provider is None:
        return
    clean = {f"mawid.{k}": v for k, v in attributes.items() if v is not None}
    TRACER.start_span(name, context=parent, attributes=clean, start_time=start_ns).end(end_time=end_ns)


def actor_span(actor: Any, message: Any, mailbox_wait: float):
    """One span per handled actor message; a shared no-op when tracing is off (the hot path stays cheap)."""
    if _provider is None:
        return _NO_SPAN
    return _actor_span(actor, message, mailbox_wait)


@contextmanager
def _actor_span(actor: Any, message: Any, mailbox_wait: float) -> Iterator[None]:
    name = f"actor {actor.actor_type}.{type(message).__name__}"
    attributes = {"mawid.actor.type": actor.actor_type, "mawid.actor.key": str(actor.key),
                  "mawid.actor.message": type(message).__name__, "mawid.actor.mailbox_wait_ms": mailbox_wait * 1000}
    with TRACER.start_as_current_span(name, attributes=attributes) as current:
        try:
            yield
        except Exception:
            current.set_attribute("mawid.actor.outcome", "error")
            raise
        current.set_attribute("mawid.actor.outcome", "ok")


def current_trace_id() -> str | None:
    ctx = trace.get_current_span().get_span_context()
    return format(ctx.trace_id, "032x") if ctx.is_valid else None
