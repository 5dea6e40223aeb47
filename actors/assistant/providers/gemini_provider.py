"""Gemini through the official google-genai SDK (`models.generate_content`), with native function calling.

The reference's Gemini runner could not work (spec 50 Q15); this one declares the same
tools from their JSON schemas and answers function calls with function responses.

Gemini 2.5 Pro always thinks, and its thinking tokens count against `max_output_tokens`:
without a budget a long think can use the whole cap and end `MAX_TOKENS` with no parts.
So thinking gets its own budget on top of the answer's cap, and an answer that still
comes back empty is asked for once more before the turn goes to the offline assistant.
"""
from __future__ import annotations

from typing import Any

from google import genai
from google.genai import types

from actors.assistant.providers.common import (
    MAX_OUTPUT_TOKENS,
    MAX_TOOL_ROUNDS,
    EmptyAnswer,
    TurnContext,
    client_cache,
    count_empty,
    count_error,
    llm_request,
    record_tokens,
)

MODEL = "gemini-2.5-pro"
THINKING_BUDGET = 8192  # 2.5 Pro accepts 128..32768; 0 (no thinking) is refused


def _client(turn: TurnContext) -> genai.Client:
    cache = client_cache(turn.services)
    if "gemini" not in cache:
        config = turn.services.config
        options = types.HttpOptions(
            base_url=config.gemini_base_url or None, timeout=int(config.llm_timeout * 1000),
            retry_options=types.HttpRetryOptions(attempts=config.llm_max_retries + 1))
        cache["gemini"] = genai.Client(api_key=config.gemini_api_key, http_options=options)
    return cache["gemini"]


def _config(turn: TurnContext) -> types.GenerateContentConfig:
    declarations = [types.FunctionDeclaration(name=t.name, description=t.description,
                                              parameters_json_schema=t.parameters) for t in turn.tools.values()]
    return types.GenerateContentConfig(
        system_instruction=turn.prompt, tools=[types.Tool(function_declarations=declarations)],
        temperature=0.7, top_p=0.95, top_k=64, max_output_tokens=MAX_OUTPUT_TOKENS + THINKING_BUDGET,
        thinking_config=types.ThinkingConfig(thinking_budget=THINKING_BUDGET),
        automatic_function_calling=types.AutomaticFunctionCallingConfig(disable=True))


async def _request(client: genai.Client, **arguments: Any) -> Any:
    with llm_request("gemini", MODEL) as current:
        response = await client.aio.models.generate_content(model=MODEL, **arguments)
        usage = getattr(response, "usage_metadata", None)
        record_tokens(current, getattr(usage, "prompt_token_count", None),
                      getattr(usage, "candidates_token_count", None))
        return response


def _empty(response: Any) -> str | None:
    """Why an answer has nothing to use (no candidate, or a candidate without parts), or None."""
    candidates = response.candidates or []
    if not candidates:
        return "no_candidates"
    content = candidates[0].content
    if content is None or not content.parts:
        reason = candidates[0].finish_reason
        return f"empty_{(getattr(reason, 'value', None) or str(reason or 'unknown')).lower()}"
    return None


async def _generate(client: genai.Client, contents: list[Any], config: types.GenerateContentConfig) -> Any:
    """One request, asked once more when it comes back empty; empty twice raises EmptyAnswer."""
    reason = None
    for _ in range(2):
        response = await _request(client, contents=contents, config=config)
        reason = _empty(response)
        if reason is None:
            return response
        count_empty("gemini", reason)
    raise EmptyAnswer("gemini", reason)


async def run(turn: TurnContext) -> str | None:
    contents = [types.Content(role="user" if item["role"] == "user" else "model",
                              parts=[types.Part(text=item["content"])])
                for item in turn.history if item["content"]]
    if not contents:
        return None
    client = _client(turn)
    config = _config(turn)
    try:
        response = await _generate(client, contents, config)
        for _ in range(MAX_TOOL_ROUNDS):
            calls = response.function_calls or []
            if not calls:
                break
            contents.append(response.candidates[0].content)
            parts = []
            for call in calls:
                result = await turn.call_tool(call.name, dict(call.args or {}))
                parts.append(types.Part.from_function_response(name=call.name, response=result))
            contents.append(types.Content(role="user", parts=parts))
            response = await _generate(client, contents, config)
    except EmptyAnswer:
        raise
    except Exception as exc:
        count_error("gemini", exc)
        raise
    text = (response.text or "").strip()
    if not text:
        count_empty("gemini", "no_text_content")
        return None
    return text
