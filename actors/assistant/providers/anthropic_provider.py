"""Anthropic through the official SDK's Messages API, with tools.

The loop is capped, answers every `tool_use` block of a turn, and gives the model the
full result JSON (spec 50 Q16).
"""
from __future__ import annotations

from typing import Any

import anthropic

from actors.assistant.providers.common import (
    MAX_OUTPUT_TOKENS,
    MAX_TOOL_ROUNDS,
    TurnContext,
    client_cache,
    count_empty,
    count_error,
    llm_request,
    record_tokens,
)
from actors.assistant.tools import result_json

MODEL = "claude-sonnet-4-20250514"


def _client(turn: TurnContext) -> anthropic.AsyncAnthropic:
    cache = client_cache(turn.services)
    if "anthropic" not in cache:
        config = turn.services.config
        cache["anthropic"] = anthropic.AsyncAnthropic(
            api_key=config.anthropic_api_key, base_url=config.anthropic_base_url or None,
            timeout=config.llm_timeout, max_retries=config.llm_max_retries,
            http_client=anthropic.DefaultAioHttpClient())  # the SDK's aiohttp transport: far less CPU per call
    return cache["anthropic"]


def _messages(history: list[dict[str, str]]) -> list[dict[str, Any]]:
    """Alternating turns starting with the user, as the Messages API requires."""
    merged: list[dict[str, Any]] = []
    for item in history:
        if merged and merged[-1]["role"] == item["role"]:
            merged[-1]["content"] += "\n\n" + item["content"]
        else:
            merged.append(dict(item))
    while merged and merged[0]["role"] != "user":
        merged.pop(0)
    return merged


def _block(block: Any) -> dict[str, Any]:
    if block.type == "tool_use":
        return {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
    if block.type == "text":
        return {"type": "text", "text": block.text}
    return block.model_dump(exclude_none=True)


async def _request(client: anthropic.AsyncAnthropic, **arguments: Any) -> Any:
    with llm_request("anthropic", MODEL) as current:
        response = await client.messages.create(model=MODEL, max_tokens=MAX_OUTPUT_TOKENS, **arguments)
        usage = getattr(response, "usage", None)
        record_tokens(current, getattr(usage, "input_tokens", None), getattr(usage, "output_tokens", None))
        return response


async def run(turn: TurnContext) -> str | None:
    messages = _messages(turn.history)
    if not messages:
        return None
    client = _client(turn)
    tools = [{"name": t.name, "description": t.description, "input_schema": t.parameters} for t in turn.tools.values()]
    system = [{"type": "text", "text": turn.prompt, "cache_control": {"type": "ephemeral"}}]
    try:
        response = await _request(client, system=system, messages=messages, tools=tools)
        for _ in range(MAX_TOOL_ROUNDS):
            uses = [block for block in response.content if block.type == "tool_use"]
            if response.stop_reason != "tool_use" or not uses:
                break
            messages.append({"role": "assistant", "content": [_block(b) for b in response.content]})
            results = []
            for use in uses:
                result = await turn.call_tool(use.name, use.input)
                results.append({"type": "tool_result", "tool_use_id": use.id, "content": result_json(result)})
            messages.append({"role": "user", "content": results})
            response = await _request(client, system=system, messages=messages, tools=tools)
    except Exception as exc:
        count_error("anthropic", exc)
        raise
    text = "".join(block.text for block in response.content if block.type == "text").strip()
    if not text:
        count_empty("anthropic", "no_text_content")
        return None
    return text
