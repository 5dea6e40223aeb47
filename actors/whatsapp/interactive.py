"""WhatsApp interactive messages (Cloud API `type: interactive`): a list of rows, or up to three reply buttons.

Pure builders of the `interactive` object Meta expects, clipped to its limits (a list has at
most 10 rows over at most 10 sections; titles and labels have length caps), and the plain
text a client that cannot show interactive messages gets instead (numbered, so a typed
number picks the same row). A row or button id is what comes back in the customer's
`list_reply` / `button_reply`, so ids name what was chosen (`slot:2026-12-08|10:00 AM`).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

MAX_LIST_ROWS = 10
MAX_SECTIONS = 10
MAX_BUTTONS = 3
LIST_BODY_LIMIT = 4096
BUTTON_BODY_LIMIT = 1024
LIST_BUTTON_LIMIT = 20
SECTION_TITLE_LIMIT = 24
ROW_TITLE_LIMIT = 24
ROW_DESCRIPTION_LIMIT = 72
REPLY_TITLE_LIMIT = 20
ID_LIMIT = 200


def _clip(text: str, limit: int) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Row:
    id: str
    title: str
    description: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    rows: tuple[Row, ...]


def list_message(body: str, button: str, sections: list[Section], *, header: str | None = None,
                 footer: str | None = None) -> dict[str, Any]:
    """A list message; rows past the tenth (and empty sections) are left out."""
    kept: list[dict[str, Any]] = []
    room = MAX_LIST_ROWS
    for section in sections[:MAX_SECTIONS]:
        rows = []
        for row in section.rows[:room]:
            item = {"id": row.id[:ID_LIMIT], "title": _clip(row.title, ROW_TITLE_LIMIT)}
            if row.description:
                item["description"] = _clip(row.description, ROW_DESCRIPTION_LIMIT)
            rows.append(item)
        room -= len(rows)
        if rows:
            kept.append({"title": _clip(section.title, SECTION_TITLE_LIMIT), "rows": rows})
    if not kept:
        raise ValueError("a list message needs at least one row")
    interactive: dict[str, Any] = {"type": "list", "body": {"text": body[:LIST_BODY_LIMIT]},
                                   "action": {"button": _clip(button, LIST_BUTTON_LIMIT), "sections": kept}}
    if header:
        interactive["header"] = {"type": "text", "text": _clip(header, 60)}
    if footer:
        interactive["footer"] = {"text": _clip(footer, 60)}
    return interactive


def button_message(body: str, buttons: list[tuple[str, str]]) -> dict[str, Any]:
    """Reply buttons: (id, title) pairs, at most three."""
    if not buttons:
        raise ValueError("a reply-button message needs at least one button")
    return {"type": "button", "body": {"text": body[:BUTTON_BODY_LIMIT]},
            "action": {"buttons": [{"type": "reply", "reply": {"id": ident[:ID_LIMIT],
                                                               "title": _clip(title, REPLY_TITLE_LIMIT)}}
                                   for ident, title in buttons[:MAX_BUTTONS]]}}


def choices(interactive: dict[str, Any]) -> list[dict[str, str]]:
    """The rows or buttons of an interactive message, in order: [{id, title, description?}]."""
    action = interactive.get("action") or {}
    if interactive.get("type") == "list":
        return [row for section in action.get("sections") or [] for row in section.get("rows") or []]
    return [button.get("reply") or {} for button in action.get("buttons") or []]


def fallback_text(interactive: dict[str, Any]) -> str:
    """What a client without interactive messages reads: the body, then the choices numbered."""
    lines = [str((interactive.get("body") or {}).get("text") or "")]
    for number, choice in enumerate(choices(interactive), 1):
        detail = f" ({choice['description']})" if choice.get("description") else ""
        lines.append(f"{number}. {choice.get('title', '')}{detail}")
    return "\n".join(line for line in lines if line)
