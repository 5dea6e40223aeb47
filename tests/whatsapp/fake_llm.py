"""One loopback server speaking the OpenAI Responses, Anthropic Messages and Gemini generateContent APIs.

Its scripted "model" books an appointment in a real tool round trip: asked to book, it
calls `search_available_appointments`, then `reserve_time_slot` with the first free slot
(and a foreign `wa_id`, which the assistant must ignore), then confirms in text.
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from typing import Any

from aiohttp import web

FOREIGN_WA_ID = "999999999999"


class FakeLLM:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.fail_remaining = 0  # answer this many requests with HTTP 500 first
        self.requests: list[tuple[str, dict[str, Any]]] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.url = ""

    # -- the scripted model -------------------------------------------------------------------------
    def decide(self, provider: str, text: str | None, result: dict[str, Any] | None) -> tuple[str, Any, Any]:
        if result is not None:
            data = result.get("data") if isinstance(result.get("data"), dict) else {}
            for day in data.get("appointments") or []:
                if day.get("time_slots"):
                    slot = day["time_slots"][0]
                    return ("tool", "reserve_time_slot", {
                        "customer_name": "Sara", "date_str": day["gregorian_date"],
                        "time_slot": slot["time_slot"] if isinstance(slot, dict) else slot,
                        "reservation_type": 0, "wa_id": FOREIGN_WA_ID})
            if "reservation_id" in data:
                return ("text", f"Booked via {provider}: reservation {data['reservation_id']} on "
                                f"{data.get('gregorian_date')} at {data.get('time_slot')}.", None)
            return ("text", f"Tool said: {result.get('message')}", None)
        if text and "book" in text.lower():
            return ("tool", "search_available_appointments", {"days_forward": 7})
        return ("text", f"Hello from {provider}", None)

    # -- OpenAI Responses ---------------------------------------------------------------------------
    async def _openai(self, request: web.Request) -> web.Response:
        body = await self._accept("openai", request)
        if isinstance(body, web.Response):
            return body
        items = body.get("input") or []
        outputs = [i for i in items if isinstance(i, dict) and i.get("type") == "function_call_output"]
        result = json.loads(outputs[-1]["output"]) if outputs else None
        users = [i for i in items if isinstance(i, dict) and i.get("role") == "user"]
        kind, a, b = self.decide("openai", users[-1]["content"] if users else None, result)
        n = next(self._ids)
        if kind == "tool":
            output = [{"type": "function_call", "id": f"fc_{n}", "call_id": f"call_{n}", "name": a,
                       "arguments": json.dumps(b), "status": "completed"}]
        else:
            output = [{"type": "message", "id": f"msg_{n}", "role": "assistant", "status": "completed",
                       "content": [{"type": "output_text", "text": a, "annotations": []}]}]
        return web.json_response({"id": f"resp_{n}", "object": "response", "created_at": int(time.time()),
                                  "model": body.get("model"), "status": "completed", "output": output,
                                  "parallel_tool_calls": True, "tool_choice": "auto", "tools": []})

    # -- Anthropic Messages -------------------------------------------------------------------------
    async def _anthropic(self, request: web.Request) -> web.Response:
        body = await self._accept("anthropic", request)
        if isinstance(body, web.Response):
            return body
        last = body["messages"][-1]
        text, result = None, None
        if isinstance(last["content"], str):
            text = last["content"]
        else:
            results = [c for c in last["content"] if c.get("type") == "tool_result"]
            result = json.loads(results[-1]["content"]) if results else None
        kind, a, b = self.decide("anthropic", text, result)
        n = next(self._ids)
        if kind == "tool":
            content = [{"type": "tool_use", "id": f"toolu_{n}", "name": a, "input": b}]
        else:
            content = [{"type": "text", "text": a}]
        return web.json_response({"id": f"msg_{n}", "type": "message", "role": "assistant", "model": body["model"],
                                  "content": content, "stop_reason": "tool_use" if kind == "tool" else "end_turn",
                                  "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1}})

    # -- Gemini generateContent ---------------------------------------------------------------------
    async def _gemini(self, request: web.Request) -> web.Response:
        body = await self._accept("gemini", request)
        if isinstance(body, web.Response):
            return body
        parts = body["contents"][-1]["parts"]
        responses = [p["functionResponse"] for p in parts if "functionResponse" in p]
        texts = [p["text"] for p in parts if "text" in p]
        result = responses[-1]["response"] if responses else None
        kind, a, b = self.decide("gemini", texts[-1] if texts else None, result)
        part = {"functionCall": {"name": a, "args": b}} if kind == "tool" else {"text": a}
        return web.json_response({"candidates": [{"content": {"role": "model", "parts": [part]},
                                                  "finishReason": "STOP", "index": 0}],
                                  "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1}})

    # -- plumbing -----------------------------------------------------------------------------------
    async def _accept(self, provider: str, request: web.Request) -> dict[str, Any] | web.Response:
        body = await request.json()
        self.requests.append((provider, body))
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_remaining > 0:
            self.fail_remaining -= 1
            return web.json_response({"error": {"type": "api_error", "message": "fake outage"}}, status=500)
        return body

    def count(self, provider: str) -> int:
        return sum(1 for name, _ in self.requests if name == provider)

    async def start(self) -> "FakeLLM":
        app = web.Application()
        app.router.add_post("/v1/responses", self._openai)
        app.router.add_post("/v1/messages", self._anthropic)
        app.router.add_post("/v1beta/models/{model}", self._gemini)
        app.router.add_post("/v1/models/{model}", self._gemini)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.url = f"http://127.0.0.1:{site._server.sockets[0].getsockname()[1]}"
        return self

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def env(self, provider: str) -> dict[str, str]:
        keys = {"openai": {"OPENAI_API_KEY": "sk-test", "OPENAI_BASE_URL": self.url + "/v1"},
                "anthropic": {"ANTHROPIC_API_KEY": "sk-ant-test", "ANTHROPIC_BASE_URL": self.url},
                "gemini": {"GEMINI_API_KEY": "gemini-test", "GEMINI_BASE_URL": self.url}}
        return {**keys[provider], "LLM_PROVIDER": provider, "LLM_MAX_RETRIES": "0"}
