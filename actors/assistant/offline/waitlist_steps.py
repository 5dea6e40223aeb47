"""The offline dialogue's waitlist steps: pick a full day to wait for, and answer a freed place's offer."""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING

from actors.assistant.offline import dialogue
from actors.assistant.offline.texts import say as say_offline
from actors.reservation.resources import Resource
from actors.reservation.roster import load_roster
from actors.waitlist import offers
from actors.waitlist.days import full_days
from actors.waitlist.texts import say
from actors.whatsapp.interactive import Row, Section, button_message, list_message

if TYPE_CHECKING:
    from actors.assistant.offline.assistant import Turn

SEARCH_DAYS = 7


def _label(turn: "Turn", day: str) -> str:
    return f"{turn.day(day)} {day}"


async def _waited_resource(turn: "Turn", resource_id: object) -> Resource | None:
    """The active resource to wait for; None for any (always so while the clinic has one resource)."""
    if not isinstance(resource_id, int) or isinstance(resource_id, bool):
        return None
    roster = await load_roster(turn.services)
    found = roster.by_id(resource_id) if roster.several else None
    return found if found is not None and found.active else None


def _forget_resource(turn: "Turn") -> None:
    for key in ("wait_resource", "resource"):
        turn.state.pop(key, None)


def _say(turn: "Turn", key: str, resource: Resource | None, **values: str) -> str:
    """The text naming the resource waited for, or the one-resource clinic's text unchanged."""
    if resource is None:
        return say(key, turn.lang, **values)
    return say(f"{key}_with", turn.lang, resource=resource.name(turn.lang == "ar"), **values)


async def start(turn: "Turn", text: str = "") -> str:
    """The full days to wait for: of the doctor this message names, else of the one named earlier in the
    dialogue (a booking that found no free time), else of any resource ("any doctor" says any)."""
    named = await turn.named_resource(text) if text else None
    earlier = turn.state.get("wait_resource") or turn.state.get("resource")
    resource = await _waited_resource(turn, earlier if named is None else named)
    if resource is None:
        turn.state.pop("wait_resource", None)
    else:
        turn.state["wait_resource"] = resource.id
    days = [d.isoformat() for d in await full_days(turn.services, SEARCH_DAYS, resource and resource.id)][:10]
    if not days:
        turn.state["step"] = "menu"
        return _say(turn, "no_full_days", resource)
    turn.state.update(step="pick_wait_day", wait_days=days)
    pick = _say(turn, "join_pick", resource)
    turn.interactive = list_message(pick, say("join_button", turn.lang), [
        Section(say("join_button", turn.lang), tuple(Row(offers.choice_id("join", d), _label(turn, d)) for d in days))])
    lines = "\n".join(f"{i}. {_label(turn, d)}" for i, d in enumerate(days, 1))
    return f"{pick}\n{lines}"


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
    resource = await _waited_resource(turn, turn.state.get("wait_resource"))
    _forget_resource(turn)  # the next waitlist request names its own doctor, or waits for any
    if resource is not None and not resource.takes(reservation_type):
        return say("type_not_taken", turn.lang, resource=resource.name(turn.lang == "ar"))
    await offers.join(turn.services, turn.wa_id, wanted, reservation_type=reservation_type,
                      resource_id=resource and resource.id)
    return _say(turn, "joined", resource, date=f"{turn.day(day)} {day}")


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
