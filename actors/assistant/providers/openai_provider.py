"""OpenAI through the official SDK's Responses API, with function tools.

Every request carries the instructions and settings; follow-ups chain with
`previous_response_id` and send only the `function_call_output` items (spec 50 Q13).
"""
from __future__ import annotations

from typing import Any

import openai

from actors.assistant.providers.common import (
    MAX_TOOL_ROUNDS,
    TurnContext,
    client_cache,
    count_empty,
    count_error,
    llm_request,
    parse_arguments,
    record_tokens,
)
from actors.assistant.tools import result_json

MODEL = "gpt-5.1"


def _client(turn: TurnContext) -> openai.AsyncOpenAI:
    cache = client_cache(turn.services)
    if "openai" not in cache:
        config = turn.services.config
        cache["openai"] = openai.AsyncOpenAI(api_key=config.openai_api_key, base_url=config.openai_base_url or None,
                                             timeout=config.llm_timeout, max_retries=config.llm_max_retries,
                                             # the SDK's aiohttp transport: far less CPU per call
                                             http_client=openai.DefaultAioHttpClient())
    return cache["openai"]


def _settings(turn: TurnContext) -> dict[str, Any]:
    tools: list[dict[str, Any]] = [
        {"type": "function", "name": tool.name, "description": tool.description, "parameters": tool.parameters,
         "strict": False} for tool in turn.tools.values()]
    vector_store = turn.services.config.vec_store_id
    if vector_store:
        tools.append({"type": "file_search", "vector_store_ids": [vector_store]})
    return {"model": MODEL, "instructions": turn.prompt, "tools": tools, "store": True,
            "reasoning": {"effort": "high", "summary": "auto"},
            "text": {"format": {"type": "text"}, "verbosity": "low"}}


async def _request(client: openai.AsyncOpenAI, **arguments: Any) -> Any:
    with llm_request("openai", MODEL) as current:
        response = await client.responses.create(**arguments)
        usage = getattr(response, "usage", None)
        record_tokens(current, getattr(usage, "input_tokens", None), getattr(usage, "output_tokens", None))
        return response


async def run(turn: TurnContext) -> str | None:
    if not turn.history:
        count_empty("openai", "missing_input")
        return None
    client = _client(turn)
    settings = _settings(turn)
    try:
        response = await _request(client, input=turn.history, **settings)
        for _ in range(MAX_TOOL_ROUNDS):
            calls = [item for item in response.output if getattr(item, "type", None) == "function_call"]
            if not calls:
                break
            outputs = []
            for call in calls:
                result = await turn.call_tool(call.name, parse_arguments(call.arguments))
                outputs.append({"type": "function_call_output", "call_id": call.call_id,
                                "output": result_json(result)})
            response = await _request(client, input=outputs, previous_response_id=response.id, **settings)
    except Exception as exc:
        count_error("openai", exc)
        raise
    text = (response.output_text or "").strip()
    if not text:
        count_empty("openai", "empty_content")
        return None
    return text
