"""The fake LLM refuses what the real APIs refuse: broken requests sent through the real SDKs get their real errors.

Without this, a fake that accepts anything would let a dropped `previous_response_id`
or mis-paired tool ids pass the provider tests and fail in production.
"""
from __future__ import annotations

import anthropic
import openai
import pytest
from google import genai
from google.genai import errors as genai_errors
from google.genai import types

from actors.assistant.tools import TOOLS
from tests.whatsapp.fake_llm import FakeLLM
from tests.whatsapp.llm_protocol import ANTHROPIC_KEY, GEMINI_KEY, OPENAI_KEY

BOOK = "I want to book please"
RESERVATIONS = '{"success": true, "data": []}'
SEARCH = '{"success": true, "data": {"appointments": []}}'
OPENAI_TOOLS = [{"type": "function", "name": t.name, "description": t.description, "parameters": t.parameters}
                for t in TOOLS.values()]
ANTHROPIC_TOOLS = [{"name": t.name, "description": t.description, "input_schema": t.parameters}
                   for t in TOOLS.values()]


@pytest.fixture
async def llm():
    fake = await FakeLLM().start()
    yield fake
    await fake.stop()


async def test_openai_tool_outputs_must_answer_the_calls_of_the_chained_response(llm):
    client = openai.AsyncOpenAI(api_key=OPENAI_KEY, base_url=llm.url + "/v1", max_retries=0)
    try:
        first = await client.responses.create(model="gpt-5.1", input=BOOK, tools=OPENAI_TOOLS)
        calls = [item.call_id for item in first.output if item.type == "function_call"]
        outputs = [{"type": "function_call_output", "call_id": call_id, "output": result}
                   for call_id, result in zip(calls, (RESERVATIONS, SEARCH))]
        with pytest.raises(openai.BadRequestError, match=f"No tool call found for function call output with "
                                                         f"call_id {calls[0]}"):
            await client.responses.create(model="gpt-5.1", input=outputs, tools=OPENAI_TOOLS)  # not chained
        with pytest.raises(openai.BadRequestError, match="Previous response with id 'resp_404' not found"):
            await client.responses.create(model="gpt-5.1", input=outputs, tools=OPENAI_TOOLS,
                                          previous_response_id="resp_404")
        with pytest.raises(openai.BadRequestError, match=f"No tool output found for function call {calls[1]}"):
            await client.responses.create(model="gpt-5.1", input=outputs[:1], tools=OPENAI_TOOLS,
                                          previous_response_id=first.id)
        with pytest.raises(openai.BadRequestError, match="model 'gtp-5' does not exist"):
            await client.responses.create(model="gtp-5", input=BOOK, tools=OPENAI_TOOLS)
        with pytest.raises(openai.BadRequestError, match="parameters type must be 'object'"):
            await client.responses.create(model="gpt-5.1", input=BOOK, tools=[
                {"type": "function", "name": "broken", "parameters": {"type": "string"}}])
        assert llm.faults == [f"openai refused with 400: {m}" for m in (
            f"No tool call found for function call output with call_id {calls[0]}.",
            "Previous response with id 'resp_404' not found.", f"No tool output found for function call {calls[1]}.",
            "The requested model 'gtp-5' does not exist.",
            "Invalid 'tools': tool 'broken': parameters type must be 'object', got 'string'.")]
        answered = await client.responses.create(model="gpt-5.1", input=outputs, tools=OPENAI_TOOLS,
                                                 previous_response_id=first.id)
        assert answered.output_text.startswith("Tool said")  # accepted: paired, chained
    finally:
        await client.close()
    wrong = openai.AsyncOpenAI(api_key="sk-wrong", base_url=llm.url + "/v1", max_retries=0)
    try:
        with pytest.raises(openai.AuthenticationError) as refused:
            await wrong.responses.create(model="gpt-5.1", input=BOOK)
        assert refused.value.body == {"message": "Incorrect API key provided.", "type": "invalid_request_error",
                                      "param": None, "code": "invalid_api_key"}
    finally:
        await wrong.close()


async def test_openai_swapped_call_ids_are_noticed_by_the_model(llm):
    client = openai.AsyncOpenAI(api_key=OPENAI_KEY, base_url=llm.url + "/v1", max_retries=0)
    try:
        first = await client.responses.create(model="gpt-5.1", input=BOOK, tools=OPENAI_TOOLS)
        calls = [item.call_id for item in first.output if item.type == "function_call"]
        swapped = [{"type": "function_call_output", "call_id": call_id, "output": result}
                   for call_id, result in zip(calls, (SEARCH, RESERVATIONS))]
        await client.responses.create(model="gpt-5.1", input=swapped, tools=OPENAI_TOOLS,
                                      previous_response_id=first.id)
    finally:
        await client.close()
    assert len(llm.faults) == 1 and "the result sent for a get_customer_reservations call is not a " \
                                    "get_customer_reservations result" in llm.faults[0]


async def test_anthropic_tool_results_must_pair_with_the_tool_uses_before_them(llm):
    client = anthropic.AsyncAnthropic(api_key=ANTHROPIC_KEY, base_url=llm.url, max_retries=0)
    model = "claude-sonnet-4-20250514"
    try:
        messages = [{"role": "user", "content": BOOK}]
        first = await client.messages.create(model=model, max_tokens=100, messages=messages, tools=ANTHROPIC_TOOLS)
        uses = [block.id for block in first.content if block.type == "tool_use"]
        turn = {"role": "assistant", "content": [block.model_dump(exclude_none=True) for block in first.content]}

        def results(*pairs):
            return {"role": "user", "content": [{"type": "tool_result", "tool_use_id": tool_use_id, "content": text}
                                                for tool_use_id, text in pairs]}

        with pytest.raises(anthropic.BadRequestError, match=f"`tool_use` ids were found without `tool_result` "
                                                            f"blocks immediately after: {uses[1]}"):
            await client.messages.create(model=model, max_tokens=100, tools=ANTHROPIC_TOOLS,
                                         messages=[*messages, turn, results((uses[0], RESERVATIONS))])
        with pytest.raises(anthropic.BadRequestError, match="unexpected `tool_use_id` found in `tool_result` "
                                                            "blocks: toolu_404"):
            await client.messages.create(model=model, max_tokens=100, tools=ANTHROPIC_TOOLS, messages=[
                *messages, turn, results((uses[0], RESERVATIONS), (uses[1], SEARCH), ("toolu_404", SEARCH))])
        with pytest.raises(anthropic.BadRequestError, match="roles must alternate"):
            await client.messages.create(model=model, max_tokens=100, messages=[*messages, *messages])
        with pytest.raises(anthropic.BadRequestError, match="first message must use the \"user\" role"):
            await client.messages.create(model=model, max_tokens=100, messages=[{"role": "assistant",
                                                                                  "content": "hi"}])
        with pytest.raises(anthropic.BadRequestError, match="max_tokens: Field required"):  # the SDK's raw post
            await client.post("/v1/messages", cast_to=object, body={"model": model, "messages": messages})
        with pytest.raises(anthropic.NotFoundError, match="model: gpt-4o"):
            await client.messages.create(model="gpt-4o", max_tokens=100, messages=messages)
        # the same ids, swapped between the two results: accepted by the API, noticed by the model
        await client.messages.create(model=model, max_tokens=100, tools=ANTHROPIC_TOOLS, messages=[
            *messages, turn, results((uses[0], SEARCH), (uses[1], RESERVATIONS))])
        assert "the result sent for a get_customer_reservations call" in llm.faults[-1]
        assert len(llm.faults) == 7
    finally:
        await client.close()
    wrong = anthropic.AsyncAnthropic(api_key="sk-ant-wrong", base_url=llm.url, max_retries=0)
    try:
        with pytest.raises(anthropic.AuthenticationError) as refused:
            await wrong.messages.create(model=model, max_tokens=100, messages=[{"role": "user", "content": "hi"}])
        assert refused.value.body == {"type": "error", "error": {"type": "authentication_error",
                                                                 "message": "invalid x-api-key"}}
    finally:
        await wrong.close()


def _gemini(llm: FakeLLM, key: str = GEMINI_KEY) -> genai.Client:
    return genai.Client(api_key=key, http_options=types.HttpOptions(
        base_url=llm.url, retry_options=types.HttpRetryOptions(attempts=1)))


async def test_gemini_function_responses_must_answer_the_function_calls(llm):
    client = _gemini(llm)
    config = types.GenerateContentConfig(tools=[types.Tool(function_declarations=[
        types.FunctionDeclaration(name=t.name, description=t.description, parameters_json_schema=t.parameters)
        for t in TOOLS.values()])])
    model = "gemini-2.5-pro"
    asked = types.Content(role="user", parts=[types.Part(text=BOOK)])
    first = await client.aio.models.generate_content(model=model, contents=[asked], config=config)
    calls = [call.name for call in first.function_calls]
    turn = first.candidates[0].content

    def answers(*names):
        return types.Content(role="user", parts=[types.Part.from_function_response(name=name, response={"x": 1})
                                                 for name in names])

    with pytest.raises(genai_errors.ClientError, match="number of function response parts is equal") as short:
        await client.aio.models.generate_content(model=model, contents=[asked, turn, answers(calls[0])],
                                                 config=config)
    assert (short.value.code, short.value.status) == (400, "INVALID_ARGUMENT")
    with pytest.raises(genai_errors.ClientError, match="function response names .* match the function call names"):
        await client.aio.models.generate_content(model=model, contents=[asked, turn, answers(calls[0], "think")],
                                                 config=config)
    with pytest.raises(genai_errors.ClientError, match="thinking budget 0 is invalid"):
        await client.aio.models.generate_content(model=model, contents=[asked], config=types.GenerateContentConfig(
            thinking_config=types.ThinkingConfig(thinking_budget=0)))
    with pytest.raises(genai_errors.ClientError, match="models/gemini-nope is not found") as missing:
        await client.aio.models.generate_content(model="gemini-nope", contents=[asked])
    assert missing.value.code == 404
    with pytest.raises(genai_errors.ClientError, match="API key not valid"):
        await _gemini(llm, "wrong").aio.models.generate_content(model=model, contents=[asked])
    assert len(llm.faults) == 5
