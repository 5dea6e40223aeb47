"""The offline dialogue's waitlist steps: pick a full day to wait for, and answer a freed place's offer."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from actors.assistant.offline import dialogue
from actors.assistant.offline.texts import say as say_offline
from actors.waitlist import offers
from actors.waitlist.days import full_days
from actors.waitlist.texts import say
from actors.whatsapp.interactive import Row, Section, list_message

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


async def join(turn: "Turn", day: str) -> str:
    turn.state["step"] = "menu"
    try:
        wanted = date.fromisoformat(day)
    except ValueError:
        return say_offline("bad_choice", turn.lang)
    await offers.join(turn.services, turn.wa_id, wanted)
    return say("joined", turn.lang, date=f"{turn.day(day)} {day}")


async def pick_day(turn: "Turn", text: str) -> str:
    days = turn.state.get("wait_days") or []
    choice = dialogue.number(text)
    if choice is None or not 1 <= choice <= len(days):
        return say_offline("bad_choice", turn.lang) + "\n" + await start(turn)
    return await join(turn, days[choice - 1])


async def choose(turn: "Turn", action: str, argument: str) -> str:
    """A tap on a waitlist row (join a day) or on an offer's buttons (accept, decline)."""
    if action == "join":
        return await join(turn, argument)
    if not (argument.isascii() and argument.isdigit() and len(argument) <= 18):  # an offer id (bigint)
        return say("gone", turn.lang)
    turn.state["step"] = "menu"
    if action == "accept":
        return await offers.accept(turn.services, turn.wa_id, int(argument), turn.lang)
    return await offers.decline(turn.services, turn.wa_id, int(argument), turn.lang)
