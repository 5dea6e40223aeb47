"""The actor runtime's promises: ordering, isolation, backpressure, passivation, failure and shutdown."""

import asyncio
import logging
import re
from collections import defaultdict

import pytest
from aioprometheus import render

from runtime.actor_system import (
    Actor,
    ActorSystem,
    ActorSystemStopped,
    AskDeadlock,
    AskTimeout,
    MailboxFull,
    UnhandledMessage,
    snake_case,
)
from runtime.metrics import REGISTRY
from tests.actor_doubles import (
    Add,
    AskSelf,
    Explode,
    Forward,
    Fragile,
    Get,
    ModifyBooking,
    Nap,
    Record,
    Recorder,
    Sleeper,
    Tally,
    Turnstile,
    WaitForGate,
    World,
)


async def eventually(condition, within: float = 2.0) -> None:
    async with asyncio.timeout(within):
        while not condition():
            await asyncio.sleep(0.005)


@pytest.fixture
async def world():
    return World()


@pytest.fixture
async def system(world):
    system = ActorSystem(world, idle_timeout=60.0, ask_timeout=2.0)
    world.system = system
    yield system
    world.gate.set()
    await system.stop(deadline=1.0)


async def test_one_key_handles_one_message_at_a_time_in_each_senders_order(system, world):
    recorder = system.ref(Recorder, "one")

    async def sender(sender_id: int) -> None:
        for seq in range(100):
            await recorder.tell(Record(sender_id, seq))

    await asyncio.gather(*(sender(i) for i in range(50)))
    journal = await recorder.ask(Get())  # queued behind every record, so it sees them all

    assert len(journal) == 5000
    by_sender = defaultdict(list)
    for record in journal:
        by_sender[record.sender].append(record.seq)
    assert all(seqs == list(range(100)) for seqs in by_sender.values())
    assert world.most_in_flight == 1


async def test_different_keys_run_concurrently(system, world):
    await asyncio.gather(*(system.ref(Sleeper, f"day-{i}").ask(Nap(0.2)) for i in range(20)))
    assert world.most_in_flight > 1
    assert system.active_count(Sleeper) == 20


async def test_full_mailbox_refuses_or_applies_backpressure(system, world):
    turnstile = system.ref(Turnstile, "busy")
    first = asyncio.create_task(turnstile.ask(WaitForGate("first")))
    await eventually(lambda: system.active_count(Turnstile) == 1 and not first.done())
    await asyncio.sleep(0.01)  # the handler has taken "first" and blocks on the gate
    await turnstile.tell(WaitForGate("second"))
    await turnstile.tell(WaitForGate("third"))  # mailbox holds 2: now full

    with pytest.raises(MailboxFull):
        await turnstile.tell(WaitForGate("refused"), block=False)
    with pytest.raises(MailboxFull):
        await turnstile.ask(WaitForGate("refused"))

    patient = asyncio.create_task(turnstile.tell(WaitForGate("fourth")))
    await asyncio.sleep(0.05)
    assert not patient.done()  # waiting for space, not dropped and not refused

    world.gate.set()
    await asyncio.wait_for(patient, 1.0)
    assert await first == "first"
    await eventually(lambda: len(world.journal) == 4)
    assert world.journal == ["first", "second", "third", "fourth"]


async def test_idle_actor_passivates_and_reactivates_with_reloaded_state(system, world):
    world.gate.set()  # flushes complete at once
    tally = system.ref(Tally, "2024-05-01")
    for _ in range(3):
        await tally.tell(Add())
    assert await tally.ask(Get()) == 3

    await eventually(lambda: ("passivate-end", Tally.instances) in world.journal)
    assert system.active_count(Tally) == 0
    assert world.store["2024-05-01"] == 3

    assert await tally.ask(Get()) == 3  # a fresh instance, state reloaded from the store
    assert world.journal[-2] == ("activate", Tally.instances, 3)


async def test_message_during_passivation_waits_for_the_flush_and_reaches_a_fresh_instance(system, world):
    tally = system.ref(Tally, "race")
    await tally.tell(Add())
    await eventually(lambda: world.journal and world.journal[-1][0] == "passivate-start")
    old = world.journal[-1][1]

    await tally.tell(Add())  # arrives while on_passivate is still flushing
    answer = asyncio.create_task(tally.ask(Get()))
    await asyncio.sleep(0.05)
    assert not any(entry[0] == "activate" and entry[1] != old for entry in world.journal)

    world.gate.set()
    assert await answer == 2  # the first add was flushed, then reloaded; the second was not lost
    new = old + 1
    assert world.journal[-5:] == [
        ("passivate-start", old),
        ("passivate-end", old),
        ("activate", new, 1),
        ("add", new),
        ("get", new),
    ]


async def test_no_message_is_lost_across_constant_passivation(world):
    world.gate.set()
    system = ActorSystem(world, idle_timeout=0.0)  # passivates whenever the mailbox runs dry

    class Flicker(Tally):
        idle_timeout = None

    async def send(key: str, longest_pause: int) -> None:
        flicker = system.ref(Flicker, key)
        for n in range(60):
            await flicker.tell(Add())
            # Irregular pauses make messages land at every step of the idle check, retire and passivate.
            for _ in range(n * 7 % (longest_pause + 1)):
                await asyncio.sleep(0)

    for longest_pause in range(1, 9):
        await send(f"k{longest_pause}", longest_pause)
    await system.stop()

    assert world.store == {f"k{pause}": 60 for pause in range(1, 9)}
    assert sum(1 for entry in world.journal if entry[0] == "activate") > 20


async def test_a_failing_message_fails_alone(system, caplog):
    fragile = system.ref(Fragile, "d1")
    with pytest.raises(ValueError, match="capacity"):
        await fragile.ask(Explode())
    with caplog.at_level(logging.ERROR, logger="mawid.actors"):
        await fragile.tell(Explode())
        assert await fragile.ask(Get()) == "still serving"
    assert any("fragile:d1" in r.getMessage() and "Explode" in r.getMessage() for r in caplog.records)
    with pytest.raises(UnhandledMessage, match="on_nap"):
        await fragile.ask(Nap(0))
    assert await fragile.ask(Get()) == "still serving"


async def test_asking_yourself_raises_instead_of_deadlocking(system):
    with pytest.raises(AskDeadlock, match="fragile:me -> fragile:me"):
        await system.ref(Fragile, "me").ask(AskSelf())
    with pytest.raises(AskDeadlock, match="fragile:a -> fragile:b -> fragile:a"):
        await system.ref(Fragile, "a").ask(Forward("b"))  # a asks b, which asks a back


async def test_ask_timeout_is_an_asyncio_timeout(system):
    with pytest.raises(AskTimeout) as raised:
        await system.ref(Sleeper, "slow").ask(Nap(1.0), timeout=0.05)
    assert isinstance(raised.value, asyncio.TimeoutError)


async def test_stop_drains_every_mailbox_then_refuses(world):
    world.gate.set()
    system = ActorSystem(world)
    for day in ("mon", "tue", "wed"):
        for _ in range(20):
            await system.ref(Tally, day).tell(Add())

    await system.stop(deadline=5.0)

    assert world.store == {"mon": 20, "tue": 20, "wed": 20}
    assert system.active_count() == 0
    with pytest.raises(ActorSystemStopped):
        await system.ref(Tally, "mon").tell(Add())
    with pytest.raises(ActorSystemStopped):
        await system.ref(Tally, "mon").ask(Get())


async def test_stop_deadline_cancels_leftovers_and_answers_their_asks(world):
    system = ActorSystem(world)
    turnstile = system.ref(Turnstile, "stuck")
    in_handler = asyncio.create_task(turnstile.ask(WaitForGate("never")))
    queued = asyncio.create_task(turnstile.ask(WaitForGate("behind")))
    await asyncio.sleep(0.01)

    await system.stop(deadline=0.1)

    for ask in (in_handler, queued):
        with pytest.raises(ActorSystemStopped):
            await ask
    assert world.journal == []


async def test_metrics_are_rendered_with_actor_type_labels(system):
    class Metered(Actor):
        async def on_get(self, msg: Get) -> int:
            return 1

        async def on_explode(self, msg: Explode) -> None:
            raise RuntimeError("boom")

    metered = system.ref(Metered, "m")
    await metered.ask(Get())
    with pytest.raises(RuntimeError):
        await metered.ask(Explode())
    await system.stop()

    text = render(REGISTRY, [])[0].decode()
    for metric in (
        "mawid_actors_active",
        "mawid_actor_mailbox_depth",
        "mawid_actor_message_seconds_count",
        "mawid_actor_mailbox_wait_seconds_count",
        "mawid_actor_failures_total",
        "mawid_actor_activations_total",
        "mawid_actor_passivations_total",
    ):
        assert re.search(rf'^{metric}{{actor_type="metered"}} ', text, re.M), metric
    for outcome in ("ok", "error"):
        labels = rf'{{(actor_type="metered",outcome="{outcome}"|outcome="{outcome}",actor_type="metered")}}'
        assert re.search(rf"^mawid_actor_messages_total{labels} 1$", text, re.M), outcome


@pytest.mark.parametrize(
    ("name", "snake"),
    [("Reserve", "reserve"), ("ModifyBooking", "modify_booking"), ("HTTPRequest", "http_request"), ("Undo2", "undo2")],
)
def test_snake_case_names_handlers_and_actor_types(name, snake):
    assert snake_case(name) == snake


async def test_message_type_dispatches_to_its_snake_case_handler(system):
    class ReservationDay(Actor):
        async def on_modify_booking(self, msg: ModifyBooking) -> str:
            return f"moved to {msg.slot}"

    assert ReservationDay.actor_type == "reservation_day"
    assert await system.ref(ReservationDay, "d").ask(ModifyBooking("10:00")) == "moved to 10:00"
