"""Actors, messages and a shared world for the actor runtime's tests."""

import asyncio
from dataclasses import dataclass, field

from runtime.actor_system import Actor


@dataclass
class World:
    """What the test actors share with the test: a fake database and a journal of what happened."""

    store: dict = field(default_factory=dict)
    journal: list = field(default_factory=list)
    gate: asyncio.Event = field(default_factory=asyncio.Event)
    in_flight: int = 0
    most_in_flight: int = 0
    system: object = None  # the ActorSystem, so actors can address each other


@dataclass(frozen=True)
class Record:
    sender: int
    seq: int


@dataclass(frozen=True)
class Add:
    amount: int = 1


@dataclass(frozen=True)
class Get:
    pass


@dataclass(frozen=True)
class Nap:
    seconds: float


@dataclass(frozen=True)
class WaitForGate:
    label: str


@dataclass(frozen=True)
class Explode:
    pass


@dataclass(frozen=True)
class AskSelf:
    pass


@dataclass(frozen=True)
class Forward:
    to: str


@dataclass(frozen=True)
class ModifyBooking:
    slot: str


class Recorder(Actor):
    async def on_record(self, msg: Record) -> None:
        world: World = self.context
        world.in_flight += 1
        world.most_in_flight = max(world.most_in_flight, world.in_flight)
        await asyncio.sleep(0)  # let any would-be concurrent handler run into us
        world.journal.append(msg)
        world.in_flight -= 1

    async def on_get(self, msg: Get) -> list:
        return list(self.context.journal)


class Sleeper(Actor):
    async def on_nap(self, msg: Nap) -> None:
        world: World = self.context
        world.in_flight += 1
        world.most_in_flight = max(world.most_in_flight, world.in_flight)
        await asyncio.sleep(msg.seconds)
        world.in_flight -= 1


class Turnstile(Actor):
    mailbox_size = 2

    async def on_wait_for_gate(self, msg: WaitForGate) -> str:
        await self.context.gate.wait()
        self.context.journal.append(msg.label)
        return msg.label


class Tally(Actor):
    """Keeps a running total in memory, loaded on activation and flushed on passivation."""

    idle_timeout = 0.05
    instances = 0

    async def on_activate(self) -> None:
        Tally.instances += 1
        self.instance = Tally.instances
        self.total = self.context.store.get(self.key, 0)
        self.context.journal.append(("activate", self.instance, self.total))

    async def on_passivate(self) -> None:
        self.context.journal.append(("passivate-start", self.instance))
        await self.context.gate.wait()  # the test decides how long the flush takes
        self.context.store[self.key] = self.total
        self.context.journal.append(("passivate-end", self.instance))

    async def on_add(self, msg: Add) -> None:
        self.total += msg.amount
        self.context.journal.append(("add", self.instance))

    async def on_get(self, msg: Get) -> int:
        self.context.journal.append(("get", self.instance))
        return self.total


class Fragile(Actor):
    async def on_explode(self, msg: Explode) -> None:
        raise ValueError("slot capacity is negative")

    async def on_get(self, msg: Get) -> str:
        return "still serving"

    async def on_ask_self(self, msg: AskSelf) -> None:
        await self.context.system.ref(Fragile, self.key).ask(Get())

    async def on_forward(self, msg: Forward) -> str:
        return await self.context.system.ref(Fragile, msg.to).ask(Forward(self.key))
