"""JSON from outside (request bodies, webhook deliveries, WebSocket frames), parsed within bounds.

`json.loads` recurses once per nesting level, and so do `json.dumps`, pydantic and the
database codecs that later see the value: a body nested thousands of levels deep raises
`RecursionError` somewhere far from the parse. Nothing we accept is nested more than a
dozen levels, so anything deeper than `MAX_DEPTH` is refused where it is parsed.
"""
from __future__ import annotations

import json
import re
from typing import Any

MAX_DEPTH = 64
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")  # json.loads pairs valid ones; these are alone


class TooDeep(ValueError):
    """The document nests objects and arrays more than `MAX_DEPTH` levels deep."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"JSON nested more than {limit} levels deep")


def nesting_depth(value: Any, stop_after: int | None = None) -> int:
    """Levels of objects/arrays in a parsed value (a scalar is 0), walked without recursion."""
    deepest = 0
    pending: list[tuple[Any, int]] = [(value, 0)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, dict):
            children = item.values()
        elif isinstance(item, list):
            children = item
        else:
            continue
        deepest = max(deepest, depth + 1)
        if stop_after is not None and deepest > stop_after:
            return deepest
        pending.extend((child, depth + 1) for child in children)
    return deepest


def _not_json(constant: str) -> Any:
    # Python's json reads NaN and Infinity; they are not JSON, and no number column can hold them.
    raise ValueError(f"{constant} is not a JSON value")


def loads_bounded(raw: str | bytes, max_depth: int = MAX_DEPTH) -> Any:
    """`json.loads`, raising `TooDeep` (a ValueError) instead of nesting past `max_depth` or recursing out.

    Invalid JSON raises `ValueError` as `json.loads` does (`UnicodeDecodeError` for bytes that are not text),
    and so do `NaN` and `Infinity`, which are not JSON.
    """
    try:
        value = json.loads(raw, parse_constant=_not_json)
    except RecursionError:
        raise TooDeep(max_depth) from None
    if nesting_depth(value, stop_after=max_depth) > max_depth:
        raise TooDeep(max_depth)
    return value


def storable(value: Any) -> Any:
    """A copy where every string (keys too) holds only what PostgreSQL text and jsonb can store:
    NUL is dropped, and a lone surrogate (from a `\\ud800`-style escape) becomes U+FFFD.

    For input that must be kept rather than refused (a signed WhatsApp delivery: refusing it makes Meta
    retry it for days, and the customer still deserves an answer). Iterative, for deep values.
    """
    root: list[Any] = [None]
    pending: list[tuple[Any, Any, Any]] = [(value, root, 0)]
    while pending:
        item, parent, slot = pending.pop()
        if isinstance(item, str):
            parent[slot] = _storable_text(item)
        elif isinstance(item, dict):
            copy: dict[str, Any] = {}
            parent[slot] = copy
            for key, child in item.items():
                new_key = _storable_text(key) if isinstance(key, str) else key
                copy[new_key] = None
                pending.append((child, copy, new_key))
        elif isinstance(item, list):
            items: list[Any] = [None] * len(item)
            parent[slot] = items
            pending.extend((child, items, index) for index, child in enumerate(item))
        else:
            parent[slot] = item
    return root[0]


def _storable_text(text: str) -> str:
    if "\x00" in text:
        text = text.replace("\x00", "")
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        text = _LONE_SURROGATE.sub("\ufffd", text)
    return text
