"""One loopback server speaking the OpenAI Responses, Anthropic Messages and Gemini generateContent APIs.

Every request is first checked as the real API checks it (`llm_protocol`): a wrong key,
a missing field, an unknown model, an undeclared or malformed tool, a tool result that
answers no call, a dropped `previous_response_id` — each gets the real API's error
status and body, and is listed in `faults` so a test can say what went wrong.

Its scripted "model" books an appointment in real tool round trips: asked to book, it
calls `get_customer_reservations` and `search_available_appointments` together, then
`reserve_time_slot` with the first free slot (and a foreign `wa_id`, which the assistant
must ignore), then confirms in text. It reads each tool result by the id of the call it
answers, so results paired with the wrong calls are noticed (and listed in `faults`).
"""
from __future__ import annotations

import asyncio
import itertools
import json
import time
from dataclasses import dataclass
from typing import Any

from aiohttp import web

from tests.whatsapp.llm_protocol import (
    ANTHROPIC_KEY,
    GEMINI_KEY,
    OPENAI_KEY,
    OpenAIState,
    Rejection,
    camel_case,
    check_anthropic,
    check_gemini,
    check_openai,
)

FOREIGN_WA_ID = "999999999999"
BOOKING_CALLS = ("get_customer_reservations", "search_available_appointments")


@dataclass
class Exchange:
    provider: str
    headers: dict[str, str]
    body: dict[str, Any]
    status: int = 200
    answer: Any = None


def _looks_like(tool: str, result: Any) -> bool:
    """Whether `result` can be what `tool` returns: how the model notices results paired with the wrong calls."""
    if not isinstance(result, dict):
        return False
    data = result.get("data")
    if tool == "get_customer_reservations":
        return isinstance(data, list)
    if tool == "search_available_appointments":
        return isinstance(data, dict) and "appointments" in data or result.get("success") is False
    if tool == "reserve_time_slot":
        return isinstance(data, dict) and "reservation_id" in data or result.get("success") is False
    return True


class FakeLLM:
    def __init__(self, delay: float = 0.0) -> None:
        self.delay = delay
        self.fail_remaining = 0  # answer this many requests with HTTP 500 first
        self.gemini_truncated_remaining = 0  # answer this many Gemini requests MAX_TOKENS with no parts
        self.exchanges: list[Exchange] = []
        self.faults: list[str] = []  # every refused request and every mis-paired tool result, in words
        self._ids = itertools.count(1)
        self._issued: dict[str, str] = {}  # tool call id -> tool name, for every call the model made
        self._openai_state = OpenAIState()
        self._runner: web.AppRunner | None = None
        self.url = ""

    @property
    def requests(self) -> list[tuple[str, dict[str, Any]]]:
        return [(e.provider, e.body) for e in self.exchanges]

    def sent(self, provider: str) -> list[Exchange]:
        return [e for e in self.exchanges if e.provider == provider]

    # -- the scripted model -------------------------------------------------------------------------
    def decide(self, provider: str, text: str | None, results: list[tuple[str, Any]] | None,
               declared: set[str]) -> tuple[str, Any]:
        """("calls", [(tool, args)…]) or ("text", reply); `results` are (tool the call was for, result)."""
        if results:
            for tool, result in results:
                if not _looks_like(tool, result):
                    self.faults.append(f"{provider}: the result sent for a {tool} call is not a {tool} result "
                                       f"(tool results paired with the wrong calls?): {json.dumps(result)[:200]}")
                    return "text", "I got results that do not answer my calls."
            by_tool = dict(results)
            data = (by_tool.get("search_available_appointments") or {}).get("data") or {}
            for day in data.get("appointments") or [] if isinstance(data, dict) else []:
                if day.get("time_slots") and "reserve_time_slot" in declared:
                    slot = day["time_slots"][0]
                    return "calls", [("reserve_time_slot", {
                        "customer_name": "Sara", "date_str": day["gregorian_date"],
                        "time_slot": slot["time_slot"] if isinstance(slot, dict) else slot,
                        "reservation_type": 0, "wa_id": FOREIGN_WA_ID})]
            made = (by_tool.get("reserve_time_slot") or {}).get("data") or {}
            if "reservation_id" in made:
                return "text", (f"Booked via {provider}: reservation {made['reservation_id']} on "
                                f"{made.get('gregorian_date')} at {made.get('time_slot')}.")
            return "text", f"Tool said: {results[-1][1].get('message')}"
        if text and "book" in text.lower():
            if not set(BOOKING_CALLS) <= declared:
                return "text", "I have no booking tools."
            return "calls", [("get_customer_reservations", {}), ("search_available_appointments",
                                                                 {"days_forward": 7})]
        return "text", f"Hello from {provider}"

    def _results(self, pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
        """Results keyed by call id -> (the tool that call was for, the result)."""
        return [(self._issued.get(call_id, "?"), result) for call_id, result in pairs]

    # -- OpenAI Responses ---------------------------------------------------------------------------
    async def _openai(self, request: web.Request) -> web.Response:
        exchange = await self._accept("openai", request)
        if isinstance(exchange, web.Response):
            return exchange
        body = exchange.body
        rejection = check_openai(request.headers, body, self._openai_state)
        if rejection:
            return self._refuse(exchange, rejection)
        items = body["input"] if isinstance(body["input"], list) else [{"role": "user", "content": body["input"]}]
        outputs = [(i["call_id"], json.loads(i["output"])) for i in items if i.get("type") == "function_call_output"]
        users = [i for i in items if i.get("role") == "user"]
        declared = {t.get("name") for t in body.get("tools") or [] if t.get("type") == "function"}
        kind, what = self.decide("openai", users[-1]["content"] if users else None,
                                 self._results(outputs) if outputs else None, declared)
        n = next(self._ids)
        if kind == "calls":
            output = []
            for index, (name, args) in enumerate(what):
                call_id = f"call_{n}_{index}"
                self._issued[call_id] = name
                output.append({"type": "function_call", "id": f"fc_{n}_{index}", "call_id": call_id, "name": name,
                               "arguments": json.dumps(args), "status": "completed"})
        else:
            output = [{"type": "message", "id": f"msg_{n}", "role": "assistant", "status": "completed",
                       "content": [{"type": "output_text", "text": what, "annotations": []}]}]
        response_id = f"resp_{n}"
        self._openai_state.calls_of[response_id] = {o["call_id"]: o["name"] for o in output if "call_id" in o}
        return self._answer(exchange, {
            "id": response_id, "object": "response", "created_at": int(time.time()), "model": body["model"],
            "status": "completed", "output": output, "parallel_tool_calls": True, "tool_choice": "auto",
            "tools": [], "previous_response_id": body.get("previous_response_id")})

    # -- Anthropic Messages -------------------------------------------------------------------------
    async def _anthropic(self, request: web.Request) -> web.Response:
        exchange = await self._accept("anthropic", request)
        if isinstance(exchange, web.Response):
            return exchange
        body = exchange.body
        rejection = check_anthropic(request.headers, body)
        if rejection:
            return self._refuse(exchange, rejection)
        last = body["messages"][-1]["content"]
        text = last if isinstance(last, str) else None
        pairs = [(c["tool_use_id"], json.loads(c["content"])) for c in (last if isinstance(last, list) else [])
                 if c.get("type") == "tool_result"]
        kind, what = self.decide("anthropic", text, self._results(pairs) if pairs else None,
                                 {t["name"] for t in body.get("tools") or []})
        n = next(self._ids)
        if kind == "calls":
            content = []
            for index, (name, args) in enumerate(what):
                self._issued[f"toolu_{n}_{index}"] = name
                content.append({"type": "tool_use", "id": f"toolu_{n}_{index}", "name": name, "input": args})
        else:
            content = [{"type": "text", "text": what}]
        return self._answer(exchange, {
            "id": f"msg_{n}", "type": "message", "role": "assistant", "model": body["model"], "content": content,
            "stop_reason": "tool_use" if kind == "calls" else "end_turn", "stop_sequence": None,
            "usage": {"input_tokens": 1, "output_tokens": 1}})

    # -- Gemini generateContent ---------------------------------------------------------------------
    async def _gemini(self, request: web.Request) -> web.Response:
        exchange = await self._accept("gemini", request)
        if isinstance(exchange, web.Response):
            return exchange
        body = exchange.body = camel_case(exchange.body)
        model, _, method = request.match_info["model"].partition(":")
        rejection = check_gemini(request.headers, request.query, model, body)
        if rejection:
            return self._refuse(exchange, rejection)
        if self.gemini_truncated_remaining > 0:  # thinking used the whole output budget: no parts at all
            self.gemini_truncated_remaining -= 1
            return self._answer(exchange, {
                "candidates": [{"content": {"role": "model"}, "finishReason": "MAX_TOKENS", "index": 0}],
                "usageMetadata": {"promptTokenCount": 1, "thoughtsTokenCount": 4096, "totalTokenCount": 4097}})
        parts = body["contents"][-1]["parts"]
        responses = [(p["functionResponse"]["name"], p["functionResponse"]["response"])
                     for p in parts if "functionResponse" in p]
        texts = [p["text"] for p in parts if "text" in p]
        declared = {d["name"] for t in body.get("tools") or [] for d in t.get("functionDeclarations") or []}
        kind, what = self.decide("gemini", texts[-1] if texts else None, responses or None, declared)
        if kind == "calls":
            answer_parts = [{"functionCall": {"name": name, "args": args}} for name, args in what]
        else:
            answer_parts = [{"text": what}]
        return self._answer(exchange, {
            "candidates": [{"content": {"role": "model", "parts": answer_parts}, "finishReason": "STOP", "index": 0}],
            "usageMetadata": {"promptTokenCount": 1, "candidatesTokenCount": 1}})

    # -- plumbing -----------------------------------------------------------------------------------
    async def _accept(self, provider: str, request: web.Request) -> Exchange | web.Response:
        body = await request.json()
        exchange = Exchange(provider, dict(request.headers), body)
        self.exchanges.append(exchange)
        if self.delay:
            await asyncio.sleep(self.delay)
        if self.fail_remaining > 0:
            self.fail_remaining -= 1
            exchange.status, exchange.answer = 500, {"error": {"type": "api_error", "message": "fake outage"}}
            return web.json_response(exchange.answer, status=500)
        return exchange

    def _refuse(self, exchange: Exchange, rejection: Rejection) -> web.Response:
        exchange.status, exchange.answer = rejection.status, rejection.body
        self.faults.append(f"{exchange.provider} refused with {rejection.status}: {rejection.message}")
        return web.json_response(rejection.body, status=rejection.status)

    def _answer(self, exchange: Exchange, answer: dict[str, Any]) -> web.Response:
        exchange.answer = answer
        return web.json_response(answer)

    def count(self, provider: str) -> int:
        return len(self.sent(provider))

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
        keys = {"openai": {"OPENAI_API_KEY": OPENAI_KEY, "OPENAI_BASE_URL": self.url + "/v1"},
                "anthropic": {"ANTHROPIC_API_KEY": ANTHROPIC_KEY, "ANTHROPIC_BASE_URL": self.url},
                "gemini": {"GEMINI_API_KEY": GEMINI_KEY, "GEMINI_BASE_URL": self.url}}
        return {**keys[provider], "LLM_PROVIDER": provider, "LLM_MAX_RETRIES": "0"}
