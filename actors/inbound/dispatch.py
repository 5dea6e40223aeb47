"""Hand a claimed queue row to the customer's conversation actor and start the worker."""
from __future__ import annotations

from typing import TYPE_CHECKING

from actors.conversation.actor import ConversationActor
from actors.conversation.messages import HandleInbound
from actors.inbound.choice import read_choice
from actors.inbound.delivery import the_message
from actors.inbound.queue import Claimed
from actors.inbound.worker import WORKER_KEY, InboundWorker, WorkerSettings

if TYPE_CHECKING:
    from runtime.services import Services


async def start_worker(services: "Services") -> InboundWorker:
    settings = WorkerSettings.from_config(services.config)

    async def deliver(row: Claimed) -> object:
        ref = services.actors.ref(ConversationActor, row.wa_id)
        choice = read_choice(the_message(row.payload))
        return await ref.ask(HandleInbound(row.id, row.message_id, row.payload, choice), timeout=settings.turn_timeout)

    worker = InboundWorker(services, deliver, settings)
    services.extras[WORKER_KEY] = worker
    await worker.start()
    return worker


def wake_worker(services: "Services") -> None:
    worker = services.extras.get(WORKER_KEY)
    if worker is not None:
        worker.wake()
