"""The built-in offline assistant: a short, deterministic, menu-driven booking dialogue.

It answers when no LLM provider is configured and whenever the provider fails. Its
state (language, step, offered slots, chosen slot, name) lives in the conversation
actor's `assistant_state` and is saved with each reply, so a restart resumes the
dialogue. It books, moves and cancels through the same tools as the LLM.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from actors.assistant.engine import Answer
from actors.assistant.offers import parse_slot_id, slot_list, slots_from_search
from actors.assistant.offline import dialogue, reminder_replies, waitlist_steps
from actors.assistant.offline.state import load_state
from actors.assistant.offline.texts import DAY_NAMES, say
from actors.assistant.tools import execute
from actors.jobs.reminder_text import parse_quick_reply
from actors.reservation import operations
from actors.waitlist.offers import parse_choice as parse_waitlist_choice
from actors.whatsapp.interactive import button_message
from runtime.db import QUERIES

if TYPE_CHECKING:
    from actors.assistant.port import Conversation
    from actors.inbound.choice import Choice

MAX_OFFERED = 9
SEARCH_DAYS = 7


class Turn:
    """One message of the dialogue: reads the state, calls tools, writes the next state."""

    def __init__(self, conversation: "Conversation", state: dict[str, Any]) -> None:
        self.conversation = conversation
        self.services = conversation.services
        self.wa_id = conversation.key
        self.state = state
        self.lang = state.get("lang", "en")
        self.interactive: dict[str, Any] | None = None  # a list or buttons sent instead of the text

    async def tool(self, name: str, **args: Any) -> dict[str, Any]:
        return await execute(self.services, self.wa_id, name, args)

    def day(self, iso: str) -> str:
        try:
            return DAY_NAMES[self.lang][date.fromisoformat(iso).weekday()]
        except ValueError:
            return ""

    def menu(self) -> str:
        self.state["step"] = "menu"
        return say("menu", self.lang, business=self.services.config.business_name or "")

    def failed(self, result: dict[str, Any]) -> str:
        return say("failed", self.lang, reason=str(result.get("message") or "")) + "\n" + say("menu_hint", self.lang)

    async def free_slots(self) -> list[dict[str, str]]:
        result = await self.tool("search_available_appointments", days_forward=SEARCH_DAYS,
                                 resource=self.state.get("resource"))
        return slots_from_search(result, MAX_OFFERED)

    async def still_free(self, slot: dict[str, str]) -> bool:
        result = await self.tool("get_available_time_slots", date_str=slot["date"],
                                 resource=self.state.get("resource"))
        return bool(result.get("success")) and slot["time"] in ((result.get("data") or {}).get("time_slots") or [])

    def slot_lines(self, slots: list[dict[str, str]], numbered: bool) -> str:
        lines = [f"{self.day(s['date'])} {s['date']} {s['time']}" for s in slots]
        return "\n".join(f"{i}. {line}" if numbered else f"- {line}" for i, line in enumerate(lines, 1))

    async def upcoming(self) -> dict[str, Any] | None:
        result = await self.tool("get_customer_reservations")
        future = [r for r in (result.get("data") or []) if r.get("is_future")] if result.get("success") else []
        return min(future, key=lambda r: (r.get("date"), r.get("time_slot"))) if future else None

    # -- steps ---------------------------------------------------------------------------------------
    async def named_resource(self, text: str) -> int | str | None:
        """The doctor or room the message names ("book with Dr. Lina"), "any" for "any doctor", else None.
        Only asked when the clinic has several resources, so a one-resource clinic's dialogue is unchanged."""
        listed = await self.tool("list_resources")
        resources = listed.get("data") or []
        if len(resources) < 2:
            return None
        return dialogue.resource_in(text, resources)

    async def start(self, wanted: str | None, text: str = "") -> str:
        if wanted in ("slots", "book"):
            self.state["resource"] = await self.named_resource(text)
        if wanted == "slots":
            slots = await self.free_slots()
            return say("free_slots", self.lang, slots=self.slot_lines(slots, False)) if slots else say(
                "no_slots", self.lang)
        if wanted in ("book", "move"):
            if wanted == "move" and await self.upcoming() is None:
                return say("no_reservation", self.lang)
            return await self.offer(wanted)
        if wanted == "cancel":
            upcoming = await self.upcoming()
            if upcoming is None:
                return say("no_reservation", self.lang)
            self.state.update(step="confirm_cancel", cancel_date=upcoming["date"])
            self.interactive = button_message(
                say("confirm_cancel", self.lang, day=self.day(upcoming["date"]), date=upcoming["date"],
                    time=upcoming.get("time_slot", "")).split("\n")[0],
                [("cancel:yes", say("cancel_yes", self.lang)), ("cancel:no", say("cancel_no", self.lang))])
            return say("confirm_cancel", self.lang, day=self.day(upcoming["date"]), date=upcoming["date"],
                       time=upcoming.get("time_slot", ""))
        if wanted == "waitlist":
            return await waitlist_steps.start(self, text)
        if wanted == "mine":
            result = await self.tool("get_customer_reservations")
            items = [f"- {self.day(r['date'])} {r['date']} {r.get('time_slot', '')}" for r in result.get("data") or []
                     if r.get("is_future")]
            return say("your_reservations", self.lang, items="\n".join(items)) if items else say(
                "no_reservation", self.lang)
        return self.menu()

    async def offer(self, intent: str) -> str:
        if intent == "move":  # the booking's own resource's slots (its id is listed only with several resources)
            self.state["resource"] = ((await self.upcoming()) or {}).get("resource_id")
        slots = await self.free_slots()
        if not slots:
            self.state["step"] = "menu"
            self.state.pop("move_id", None)  # no booking is left waiting to be moved
            return say("no_slots", self.lang)
        self.state.update(step="pick_slot", intent=intent, slots=slots)
        self.interactive = slot_list(slots, say("pick_slot_list", self.lang), say("list_button", self.lang),
                                     lambda day: f"{self.day(day)} {day}")
        return say("pick_slot", self.lang, slots=self.slot_lines(slots, True))

    async def taken(self) -> str:
        """The chosen slot filled meanwhile: say so and offer the next free ones (same intent)."""
        intent = self.state.get("intent") or "book"
        reply = await self.offer(intent)
        if self.interactive is not None:
            body = self.interactive["body"]["text"]
            self.interactive["body"]["text"] = say("slot_taken", self.lang) + "\n" + body
        return say("slot_taken", self.lang) + "\n" + reply

    async def pick_slot(self, text: str) -> str:
        choice = dialogue.number(text)
        slots = self.state.get("slots") or []
        if choice is None or not 1 <= choice <= len(slots):
            return say("bad_choice", self.lang) + "\n" + say("pick_slot", self.lang, slots=self.slot_lines(slots, True))
        return await self.picked(slots[choice - 1])

    async def picked(self, slot: dict[str, str]) -> str:
        self.state["chosen"] = slot
        if self.state.get("intent") == "move":
            return await self.move(slot)
        name = await self.services.require_pool().fetchval(QUERIES.whatsapp_customer_name, self.wa_id)
        if name:
            self.state.update(step="ask_type", name=name)
            return self.ask_type()
        self.state["step"] = "ask_name"
        return say("ask_name", self.lang)

    def ask_type(self) -> str:
        self.interactive = button_message(say("ask_type_short", self.lang), [
            ("type:0", say("type_checkup", self.lang)), ("type:1", say("type_followup", self.lang))])
        return say("ask_type", self.lang)

    async def move(self, slot: dict[str, str]) -> str:
        move_id = self.state.get("move_id")  # a reminder's Reschedule names the booking to move
        if move_id is not None:
            result = await operations.modify_reservation(
                self.services, self.wa_id, new_date=slot["date"], new_time_slot=slot["time"],
                reservation_id_to_modify=move_id, source="assistant")
        else:
            result = await self.tool("modify_reservation", new_date=slot["date"], new_time_slot=slot["time"])
        if not result.get("success"):
            if not await self.still_free(slot):
                return await self.taken()  # still moving the same booking
            self.state["step"] = "menu"
            return self.failed(result)
        self.state["step"] = "menu"
        for done in ("move_id", "resource"):  # a later waitlist request waits for any doctor unless it names one
            self.state.pop(done, None)
        return say("moved", self.lang, day=self.day(slot["date"]), date=slot["date"], time=slot["time"])

    async def book(self, text: str) -> str:
        choice = dialogue.number(text)
        if choice not in (1, 2):
            return say("bad_choice", self.lang) + "\n" + self.ask_type()
        return await self.reserve(choice - 1)

    async def reserve(self, reservation_type: int) -> str:
        slot = self.state["chosen"]
        result = await self.tool("reserve_time_slot", customer_name=self.state.get("name") or self.wa_id,
                                 date_str=slot["date"], time_slot=slot["time"], reservation_type=reservation_type,
                                 resource=self.state.get("resource"))
        self.state["step"] = "menu"
        if not result.get("success"):
            # The reservation actor refuses a full slot, so a late pick never double-books: offer the next ones.
            return await self.taken() if not await self.still_free(slot) else self.failed(result)
        self.state.pop("resource", None)  # booked: a later waitlist request waits for any doctor unless it names one
        with_whom = (result.get("data") or {}).get("resource")
        if with_whom:  # several resources: say who the booking is with
            return say("booked_with", self.lang, resource=with_whom, day=self.day(slot["date"]), date=slot["date"],
                       time=slot["time"])
        return say("booked", self.lang, day=self.day(slot["date"]), date=slot["date"], time=slot["time"])

    async def cancel(self, text: str) -> str:
        return await self.cancel_answer(dialogue.is_yes(text))

    async def cancel_answer(self, yes: bool) -> str:
        self.state["step"] = "menu"
        if not yes:
            return say("kept", self.lang)
        day = self.state.get("cancel_date")
        result = await self.tool("cancel_reservation", date_str=day)
        return say("cancelled", self.lang, date=day) if result.get("success") else self.failed(result)

    async def reply(self, text: str) -> str:
        step = self.state.get("step", "menu")
        wanted = dialogue.intent(text)
        if wanted == "menu" and dialogue.number(text) == 0:
            return self.menu()
        if step == "pick_slot":
            return await self.pick_slot(text)
        if step == "ask_name":
            if dialogue.number(text) is not None or not text.strip():
                return say("ask_name", self.lang)
            self.state.update(step="ask_type", name=text.strip()[:100])
            return self.ask_type()
        if step == "ask_type":
            return await self.book(text)
        if step == "confirm_cancel":
            return await self.cancel(text)
        if step == "pick_wait_day" and dialogue.number(text) is not None:
            return await waitlist_steps.pick_day(self, text)
        if step == "wait_type" and dialogue.number(text) is not None:
            return await waitlist_steps.pick_type(self, text)
        return await self.start(wanted, text)

    async def choose(self, choice: "Choice") -> str | None:
        """A tapped row or button; None when this dialogue has no answer for it."""
        if choice.kind == "quick_reply":  # a template's button: its title is in the template's language
            self.lang = self.state["lang"] = dialogue.language(choice.title, self.lang)
        reminder = parse_quick_reply(choice.id)
        if reminder is not None:
            return await reminder_replies.answer(self, *reminder)
        waitlisted = parse_waitlist_choice(choice.id)
        if waitlisted is not None:
            return await waitlist_steps.choose(self, *waitlisted)
        slot = parse_slot_id(choice.id)
        if slot is not None:
            if self.state.get("step") != "pick_slot":
                self.state["intent"] = "book"
            if not await self.still_free(slot):
                return await self.taken()
            return await self.picked(slot)
        if choice.id in ("type:0", "type:1") and self.state.get("step") == "ask_type" and self.state.get("chosen"):
            return await self.reserve(int(choice.id[-1]))
        if choice.id in ("cancel:yes", "cancel:no") and self.state.get("step") == "confirm_cancel":
            return await self.cancel_answer(choice.id == "cancel:yes")
        return None


async def _turn(conversation: "Conversation", text: str) -> Turn:
    live = await load_state(conversation)
    state = {k: v for k, v in live.items() if k != "offline_loaded"}
    state["lang"] = dialogue.language(text, state.get("lang"))
    return Turn(conversation, state)


async def respond(conversation: "Conversation", text: str) -> Answer:
    turn = await _turn(conversation, text)
    reply = await turn.reply(text)
    # The actor's copy changes only after the reply is recorded with it (see turn.py): a failed
    # attempt leaves the dialogue where it was, so a retry answers the same way.
    return Answer(reply, turn.state, "offline", turn.interactive)


async def respond_to_choice(conversation: "Conversation", choice: "Choice") -> Answer | None:
    """The answer to a tapped row or button, or None when the dialogue does not know the choice."""
    turn = await _turn(conversation, "")  # a row's title ("10:00 AM") says nothing of the customer's language
    reply = await turn.choose(choice)
    return None if reply is None else Answer(reply, turn.state, "offline", turn.interactive)


async def mid_dialogue(conversation: "Conversation") -> bool:
    """A booking (or a waitlist entry) started by a tap is waiting for the customer's name or visit type."""
    state = await load_state(conversation)
    return (state.get("step") in ("ask_name", "ask_type") and bool(state.get("chosen"))) or (
        state.get("step") == "wait_type" and bool(state.get("wait_day")))
