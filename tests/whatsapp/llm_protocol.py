"""What the real OpenAI, Anthropic and Gemini APIs refuse, and how they say so.

Each `check_*` returns None for a request the real API would accept, or a `Rejection`
carrying the real API's status and error body. The fake LLM answers a rejection as is,
so the official SDKs raise their real error classes (openai.BadRequestError,
anthropic.AuthenticationError, google.genai.errors.ClientError…).
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

OPENAI_KEY = "sk-test"
ANTHROPIC_KEY = "sk-ant-test"
GEMINI_KEY = "gemini-test"

OPENAI_MODEL = re.compile(r"^(gpt-[0-9][\w.-]*|o[1-9][\w.-]*|chatgpt-[\w.-]+)$")
ANTHROPIC_MODEL = re.compile(r"^claude-[a-z0-9.-]+$")
GEMINI_MODEL = re.compile(r"^gemini-[0-9][\w.-]*$")
TOOL_NAME = re.compile(r"^[a-zA-Z_][a-zA-Z0-9_.-]{0,63}$")
GEMINI_PRO_BUDGET = (128, 32768)  # 2.5 Pro thinks always: 0 (off) is refused, -1 is dynamic


@dataclass
class Rejection:
    status: int
    body: dict[str, Any]
    message: str


@dataclass
class OpenAIState:
    """The responses this fake returned: previous_response_id must name one of them, and its calls be answered."""
    calls_of: dict[str, dict[str, str]] = field(default_factory=dict)  # response id -> {call_id: tool name}


def _openai(status: int, message: str, param: str | None = None, code: str | None = None,
            kind: str = "invalid_request_error") -> Rejection:
    return Rejection(status, {"error": {"message": message, "type": kind, "param": param, "code": code}}, message)


def _anthropic(status: int, message: str, kind: str = "invalid_request_error") -> Rejection:
    return Rejection(status, {"type": "error", "error": {"type": kind, "message": message}}, message)


def _gemini(status: int, message: str, state: str = "INVALID_ARGUMENT") -> Rejection:
    return Rejection(status, {"error": {"code": status, "message": message, "status": state}}, message)


def _schema_problem(schema: Any) -> str | None:
    """A tool's parameters must be a JSON schema object: type object, properties a mapping, required listed there."""
    if not isinstance(schema, dict):
        return "must be a JSON schema object"
    if schema.get("type") != "object":
        return f"type must be 'object', got {schema.get('type')!r}"
    properties = schema.get("properties", {})
    if not isinstance(properties, dict) or not all(isinstance(p, dict) for p in properties.values()):
        return "properties must map names to schemas"
    missing = [name for name in schema.get("required", []) if name not in properties]
    return f"required names undeclared properties {missing}" if missing else None


def _tools_problem(tools: list[tuple[str, Any]]) -> str | None:
    names = Counter(name for name, _ in tools)
    for name, schema in tools:
        if not isinstance(name, str) or not TOOL_NAME.match(name):
            return f"tool name {name!r} does not match {TOOL_NAME.pattern}"
        if names[name] > 1:
            return f"tool names must be unique: {name!r} is declared {names[name]} times"
        problem = _schema_problem(schema)
        if problem:
            return f"tool {name!r}: parameters {problem}"
    return None


# -- OpenAI Responses ---------------------------------------------------------------------------------
def check_openai(headers: Any, body: dict[str, Any], state: OpenAIState) -> Rejection | None:
    auth = headers.get("Authorization", "")
    if not auth.startswith("Bearer "):
        return _openai(401, "You didn't provide an API key. You need to provide your API key in an Authorization "
                            "header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).")
    if auth != f"Bearer {OPENAI_KEY}":
        return _openai(401, "Incorrect API key provided.", code="invalid_api_key")
    model = body.get("model")
    if not model:
        return _openai(400, "Missing required parameter: 'model'.", "model", "missing_required_parameter")
    if not OPENAI_MODEL.match(str(model)):
        return _openai(400, f"The requested model '{model}' does not exist.", "model", "model_not_found")
    items = body.get("input")
    if isinstance(items, str):
        items = [{"role": "user", "content": items}]
    if not isinstance(items, list) or not items:
        return _openai(400, "Missing required parameter: 'input'.", "input", "missing_required_parameter")
    functions = []
    for tool in body.get("tools") or []:
        if tool.get("type") == "function":
            functions.append((tool.get("name"), tool.get("parameters")))
        elif tool.get("type") == "file_search" and not tool.get("vector_store_ids"):
            return _openai(400, "Missing required parameter: 'tools[].vector_store_ids'.", "tools")
    problem = _tools_problem(functions)
    if problem:
        return _openai(400, f"Invalid 'tools': {problem}.", "tools", "invalid_function_parameters")
    previous = body.get("previous_response_id")
    open_calls: dict[str, str] = {}
    if previous is not None:
        if previous not in state.calls_of:
            return _openai(400, f"Previous response with id '{previous}' not found.", "previous_response_id",
                           "previous_response_not_found")
        open_calls = dict(state.calls_of[previous])
    for item in items:
        if not isinstance(item, dict):
            return _openai(400, "Invalid type for 'input': expected an object.", "input", "invalid_type")
        if item.get("type") == "function_call":
            open_calls[item.get("call_id")] = item.get("name")
        elif item.get("type") == "function_call_output":
            if item.get("call_id") not in open_calls:
                return _openai(400, f"No tool call found for function call output with call_id "
                                    f"{item.get('call_id')}.", "input")
            if not isinstance(item.get("output"), str):
                return _openai(400, "Invalid type for 'input[].output': expected a string.", "input", "invalid_type")
            open_calls.pop(item["call_id"])
        elif item.get("role") not in ("user", "assistant", "system", "developer"):
            return _openai(400, f"Invalid value: '{item.get('role')}'. Supported values are: 'assistant', "
                                "'system', 'developer', and 'user'.", "input", "invalid_value")
    if open_calls:
        return _openai(400, f"No tool output found for function call {next(iter(open_calls))}.", "input")
    return None


# -- Anthropic Messages -------------------------------------------------------------------------------
def check_anthropic(headers: Any, body: dict[str, Any]) -> Rejection | None:
    # the key goes in x-api-key, or (as SDK 2.x sends it) as a bearer token
    if ANTHROPIC_KEY not in (headers.get("x-api-key"), headers.get("Authorization", "").removeprefix("Bearer ")):
        return _anthropic(401, "invalid x-api-key", "authentication_error")
    if not headers.get("anthropic-version"):
        return _anthropic(400, "anthropic-version: header is required")
    for name in ("model", "max_tokens", "messages"):
        if name not in body:
            return _anthropic(400, f"{name}: Field required")
    if not ANTHROPIC_MODEL.match(str(body["model"])):
        return _anthropic(404, f"model: {body['model']}", "not_found_error")
    if not isinstance(body["max_tokens"], int) or body["max_tokens"] < 1:
        return _anthropic(400, "max_tokens: Input should be greater than or equal to 1")
    tools = body.get("tools") or []
    problem = _tools_problem([(t.get("name"), t.get("input_schema")) for t in tools])
    if problem:
        return _anthropic(400, f"tools: {problem}")
    declared = {t.get("name") for t in tools}
    messages = body["messages"]
    if not isinstance(messages, list) or not messages:
        return _anthropic(400, "messages: at least one message is required")
    if messages[0].get("role") != "user":
        return _anthropic(400, "messages: first message must use the \"user\" role")
    for index, message in enumerate(messages):
        role = message.get("role")
        if index and role == messages[index - 1].get("role"):
            return _anthropic(400, f"messages: roles must alternate between \"user\" and \"assistant\", but found "
                                   f"multiple \"{role}\" roles in a row")
        content = message.get("content")
        blocks = content if isinstance(content, list) else []
        if not (isinstance(content, str) and content) and not blocks:
            return _anthropic(400, f"messages.{index}: all messages must have non-empty content")
        uses = [b.get("id") for b in blocks if b.get("type") == "tool_use"]
        for block in blocks:
            if block.get("type") == "tool_use" and block.get("name") not in declared:
                return _anthropic(400, f"messages.{index}: tool_use names undeclared tool {block.get('name')!r}")
        answered = _tool_results(messages[index + 1]) if index + 1 < len(messages) else []
        if uses and (index + 1 == len(messages) or set(uses) - set(answered)):
            missing = ", ".join(sorted(set(uses) - set(answered)))
            return _anthropic(400, f"messages.{index + 1 if index + 1 < len(messages) else index}: `tool_use` ids "
                                   f"were found without `tool_result` blocks immediately after: {missing}. Each "
                                   "`tool_use` block must have a corresponding `tool_result` block in the next "
                                   "message.")
        previous_uses = [b.get("id") for b in (messages[index - 1].get("content") if index and isinstance(
            messages[index - 1].get("content"), list) else []) if b.get("type") == "tool_use"]
        for position, tool_use_id in enumerate(_tool_results(message)):
            if tool_use_id not in previous_uses:
                return _anthropic(400, f"messages.{index}.content.{position}: unexpected `tool_use_id` found in "
                                       f"`tool_result` blocks: {tool_use_id}. Each `tool_result` block must have a "
                                       "corresponding `tool_use` block in the previous message.")
    return None


def _tool_results(message: dict[str, Any]) -> list[str]:
    content = message.get("content")
    if not isinstance(content, list):
        return []
    return [b.get("tool_use_id") for b in content if isinstance(b, dict) and b.get("type") == "tool_result"]


# -- Gemini generateContent ---------------------------------------------------------------------------
FREE_FORM = frozenset({"args", "response", "parametersJsonSchema", "responseJsonSchema", "parameters"})


def camel_case(value: Any) -> Any:
    """Proto JSON accepts a field's proto name (snake_case, as google-genai 3.x sends it) or its camelCase name."""
    if isinstance(value, list):
        return [camel_case(item) for item in value]
    if not isinstance(value, dict):
        return value
    converted = {}
    for key, item in value.items():
        head, *rest = key.split("_")
        name = head + "".join(word[:1].upper() + word[1:] for word in rest)
        converted[name] = item if name in FREE_FORM else camel_case(item)
    return converted


def check_gemini(headers: Any, query: Any, model: str, body: dict[str, Any]) -> Rejection | None:
    """`body` is in camelCase (see camel_case)."""
    key = headers.get("x-goog-api-key") or query.get("key")
    if not key:
        return _gemini(403, "Method doesn't allow unregistered callers (callers without established identity). "
                            "Please use API Key or other form of API consumer identity to call this API.",
                       "PERMISSION_DENIED")
    if key != GEMINI_KEY:
        return _gemini(400, "API key not valid. Please pass a valid API key.")
    if not GEMINI_MODEL.match(model):
        return _gemini(404, f"models/{model} is not found for API version v1beta, or is not supported for "
                            "generateContent.", "NOT_FOUND")
    generation = body.get("generationConfig") or {}
    budget = (generation.get("thinkingConfig") or {}).get("thinkingBudget")
    if "pro" in model and budget is not None and budget != -1 and not (
            GEMINI_PRO_BUDGET[0] <= budget <= GEMINI_PRO_BUDGET[1]):
        return _gemini(400, f"The thinking budget {budget} is invalid. Please choose a value between "
                            f"{GEMINI_PRO_BUDGET[0]} and {GEMINI_PRO_BUDGET[1]}.")
    declarations = [d for tool in body.get("tools") or [] for d in tool.get("functionDeclarations") or []]
    problem = _tools_problem([(d.get("name"), d["parametersJsonSchema"] if "parametersJsonSchema" in d
                               else _lower_type(d.get("parameters", {"type": "object"}))) for d in declarations])
    if problem:
        return _gemini(400, f"* GenerateContentRequest.tools[0].function_declarations: {problem}")
    declared = {d.get("name") for d in declarations}
    contents = body.get("contents")
    if not isinstance(contents, list) or not contents:
        return _gemini(400, "* GenerateContentRequest.contents: contents is not specified")
    for index, content in enumerate(contents):
        parts = content.get("parts") or []
        if content.get("role") not in ("user", "model") or not parts:
            return _gemini(400, f"* GenerateContentRequest.contents[{index}]: role must be user or model and parts "
                                "must not be empty")
        calls = [p["functionCall"].get("name") for p in parts if "functionCall" in p]
        if any(name not in declared for name in calls):
            return _gemini(400, f"* GenerateContentRequest.contents[{index}]: function call to an undeclared "
                                f"function among {calls}")
        if calls:
            following = contents[index + 1]["parts"] if index + 1 < len(contents) else []
            answered = [p["functionResponse"].get("name") for p in following if "functionResponse" in p]
            if len(answered) != len(calls):
                return _gemini(400, "Please ensure that the number of function response parts is equal to the "
                                    "number of function call parts of the function call turn.")
            if Counter(answered) != Counter(calls):
                return _gemini(400, f"Please ensure that function response names {answered} match the function "
                                    f"call names {calls} of the function call turn.")
    return None


def _lower_type(schema: Any) -> Any:
    """A `parameters` Schema proto spells types as enum names (OBJECT); compare them as JSON schema types."""
    if isinstance(schema, dict) and isinstance(schema.get("type"), str):
        return {**schema, "type": schema["type"].lower()}
    return schema
