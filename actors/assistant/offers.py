"""Free slots offered as an interactive list, shared by the offline assistant and the LLM tool path.

A row id names its slot (`slot:<YYYY-MM-DD>|<time as the tools show it>`), so a tap can be
answered by whoever receives it, whatever offered the list and whatever happened since.
"""
from __future__ import annotations

from collections.abc import Callable
from itertools import groupby
from typing import Any

from actors.whatsapp.interactive import MAX_LIST_ROWS, Row, Section, list_message

SLOT_PREFIX = "slot:"


def slot_id(day: str, time: str) -> str:
    return f"{SLOT_PREFIX}{day}|{time}"


def parse_slot_id(ident: str) -> dict[str, str] | None:
    """{"date", "time"} of a slot row id, or None when the id names no slot."""
    if not ident.startswith(SLOT_PREFIX) or "|" not in ident:
        return None
    day, time = ident[len(SLOT_PREFIX):].split("|", 1)
    if len(day) != 10 or not time.strip():
        return None
    return {"date": day, "time": time}


def slots_from_search(result: dict[str, Any], limit: int = MAX_LIST_ROWS) -> list[dict[str, str]]:
    """The free slots of a `search_available_appointments` result, in order: [{"date", "time"}]."""
    slots: list[dict[str, str]] = []
    days = ((result.get("data") or {}).get("appointments") or []) if result.get("success") else []
    for day in days:
        for slot in day.get("time_slots") or []:
            label = slot.get("time_slot") if isinstance(slot, dict) else slot
            if label:
                slots.append({"date": str(day.get("gregorian_date")), "time": str(label)})
    return slots[:limit]


def slot_list(slots: list[dict[str, str]], body: str, button: str,
              day_label: Callable[[str], str] = lambda day: day) -> dict[str, Any]:
    """An interactive list: one section per day (titled by `day_label`), one row per slot."""
    sections = [Section(day_label(day), tuple(Row(slot_id(day, s["time"]), s["time"]) for s in group))
                for day, group in groupby(slots[:MAX_LIST_ROWS], key=lambda s: s["date"])]
    return list_message(body, button, sections)
