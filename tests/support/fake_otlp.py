"""A fake OpenTelemetry collector on loopback: receives OTLP/HTTP protobuf trace exports."""
from __future__ import annotations

import asyncio
import threading

from aiohttp import web
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import ExportTraceServiceRequest

from tests.support.servers import free_port


class FakeCollector:
    """Runs in its own thread with its own loop, so a synchronous test can use it beside a server process."""

    def __init__(self) -> None:
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        self.spans: list[dict] = []
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None

    async def _receive(self, request: web.Request) -> web.Response:
        export = ExportTraceServiceRequest()
        export.ParseFromString(await request.read())
        for resource_spans in export.resource_spans:
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    self.spans.append(_as_dict(span))
        return web.Response(body=b"", content_type="application/x-protobuf")

    def start(self) -> "FakeCollector":
        app = web.Application()
        app.router.add_post("/v1/traces", self._receive)
        self._runner = web.AppRunner(app)
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(10)
        return self

    async def _start(self) -> None:
        await self._runner.setup()
        await web.TCPSite(self._runner, "127.0.0.1", self.port).start()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)


def _attribute_value(value) -> object:
    kind = value.WhichOneof("value")
    if kind == "array_value":
        return [_attribute_value(v) for v in value.array_value.values]
    return getattr(value, kind) if kind else None


def _as_dict(span) -> dict:
    return {
        "name": span.name,
        "trace_id": span.trace_id.hex(),
        "span_id": span.span_id.hex(),
        "parent_id": span.parent_span_id.hex() or None,
        "attributes": {a.key: _attribute_value(a.value) for a in span.attributes},
        "status": span.status.code,
    }
