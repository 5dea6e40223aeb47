"""The offline dialogue's waitlist steps: pick a full day to wait for, and answer a freed place's offer."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from actors.assistant.offline import dialogue
from actors.assistant.offline.texts import say as say_offline
from actors.waitlist import offers
from actors.waitlist.days import full_days
from actors.waitlist.texts import say
from actors.whatsapp.interactive import Row, Section, button_message, list_message

if TYPE_CHECKING:
    from actors.assistant.offline.assistant import Turn

SEARCH_DAYS = 7


def _label(turn: "Turn", day: str) -> str:
    return f"{turn.day(day)} {day}"


async def start(turn: "Turn") -> str:
    days = [d.isoformat() for d in await full_days(turn.services, SEARCH_DAYS)][:10]
    if not days:
        turn.state["step"] = "menu"
        return say("no_full_days", turn.lang)
    turn.state.update(step="pick_wait_day", wait_days=days)
    turn.interactive = list_message(say("join_pick", turn.lang), say("join_button", turn.lang), [
        Section(say("join_button", turn.lang), tuple(Row(offers.choice_id("join", d), _label(turn, d)) for d in days))])
    lines = "\n".join(f"{i}. {_label(turn, d)}" for i, d in enumerate(days, 1))
    return f"{say('join_pick', turn.lang)}\n{lines}"


def ask_type(turn: "Turn", day: str) -> str:
    """The visit type is asked before joining: an accepted offer books it with no further question."""
    turn.state.update(step="wait_type", wait_day=day)
    turn.interactive = button_message(say_offline("ask_type_short", turn.lang), [
        (offers.choice_id("join", f"{day}|0"), say_offline("type_checkup", turn.lang)),
        (offers.choice_id("join", f"{day}|1"), say_offline("type_followup", turn.lang))])
    return say_offline("ask_type", turn.lang)


async def join(turn: "Turn", day: str, reservation_type: int | None = None) -> str:
    """Join the day's waitlist; without a visit type yet, ask it first."""
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        turn.state["step"] = "menu"
        return say_offline("bad_choice", turn.lang)
    if reservation_type is None:
        return ask_type(turn, day)
    turn.state["step"] = "menu"
    turn.state.pop("wait_day", None)
    await offers.join(turn.services, turn.wa_id, wanted, reservation_type=reservation_type)
    return say("joined", turn.lang, date=f"{turn.day(day)} {day}")


async def pick_type(turn: "Turn", text: str) -> str:
    choice = dialogue.number(text)
    day = turn.state.get("wait_day") or ""
    if choice not in (1, 2):
        return say_offline("bad_choice", turn.lang) + "\n" + ask_type(turn, day)
    return await join(turn, day, choice - 1)


async def pick_day(turn: "Turn", text: str) -> str:
    days = turn.state.get("wait_days") or []
    choice = dialogue.number(text)
    if choice is None or not 1 <= choice <= len(days):
        return say_offline("bad_choice", turn.lang) + "\n" + await start(turn)
    return await join(turn, days[choice - 1])


async def choose(turn: "Turn", action: str, argument: str) -> str:
    """A tap on a waitlist row (join a day) or on an offer's buttons (accept, decline)."""
    if action == "join":  # <day> from the list of full days, <day>|<type> from the type buttons
        day, _, kind = argument.partition("|")
        return await join(turn, day, int(kind) if kind in ("0", "1") else None)
    if not (argument.isascii() and argument.isdigit() and len(argument) <= 18):  # an offer id (bigint)
        return say("gone", turn.lang)
    turn.state["step"] = "menu"
    if action == "accept":
        return await offers.accept(turn.services, turn.wa_id, int(argument), turn.lang)
    return await offers.decline(turn.services, turn.wa_id, int(argument), turn.lang)
