"""ConversationActor: one per customer wa_id; every write about that customer goes through it, in order.

Reads (the GET routes) query PostgreSQL directly. Every write runs in one transaction and is
announced with `runtime.events.publish` after it commits, with the reference's event types.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from actors.conversation import profile_update, wa_id_change
from actors.conversation.messages import (
    AppendMessage,
    ChangeWaId,
    ClearConversation,
    CustomerRefusal,
    DeleteCustomer,
    HandleInbound,
    SetBlocked,
    SetFavorite,
    UpdateCustomer,
)
from actors.customers.texts import text
from actors.customers.wire import wire_date, wire_time
from runtime.actor_system import Actor
from runtime.db import QUERIES
from runtime.events import publish
from runtime.services import relaxed_commits

if TYPE_CHECKING:
    import asyncpg

    from runtime.services import Services


class ConversationActor(Actor):
    """Keyed by the customer's wa_id. `assistant_state` is free-form state kept between inbound messages."""

    actor_type = "conversation"

    def __init__(self, key: str, context: object) -> None:
        super().__init__(key, context)
        self.assistant_state: dict[str, Any] = {}

    # -- helpers shared with the write modules -------------------------------------------------
    @property
    def services(self) -> "Services":
        return self.context  # type: ignore[return-value]

    @property
    def pool(self) -> "asyncpg.Pool":
        return self.services.require_pool()

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.services.config.timezone)

    def local_now(self) -> datetime:
        return datetime.now(self.zone)

    def default_name(self) -> str | None:
        """A customer row created implicitly has no name, except the system agent's contact."""
        config = self.services.config
        return config.system_agent_name if self.key == config.system_agent_wa_id else None

    async def ensure_customer(self, conn: "asyncpg.Connection") -> None:
        await conn.execute(QUERIES.customer_ensure, self.key, self.default_name())

    async def announce(self, event_type: str, data: dict[str, Any], source: str | None) -> None:
        payload = dict(data)
        if source is not None:
            payload["_source"] = source
        await publish(self.services, event_type, payload, [payload.get("wa_id") or self.key])

    # -- messages ---------------------------------------------------------------------------------
    async def append(
        self, role: str, message: str, *, source: str = "backend", when: datetime | None = None
    ) -> dict[str, Any]:
        """Store a message (creating the customer if needed) at `when` in business-zone time, then announce it."""
        moment = (when or datetime.now(timezone.utc))
        if moment.tzinfo is None:  # a naive instant is taken as UTC, never as server-local time
            moment = moment.replace(tzinfo=timezone.utc)
        local = moment.astimezone(self.zone).replace(microsecond=0)
        day, clock = local.date(), local.time().replace(tzinfo=None)
        async with self.pool.acquire() as conn, conn.transaction():
            await self.ensure_customer(conn)
            message_id = await conn.fetchval(QUERIES.conversation_insert_message, self.key, role, message, day, clock)
        item = {"wa_id": self.key, "role": role, "message": message, "date": wire_date(day), "time": wire_time(clock)}
        await self.announce("conversation_new_message", item, source)
        return {"id": message_id, **item}

    async def on_append_message(self, msg: AppendMessage) -> dict[str, Any]:
        return await self.append(msg.role, msg.message, source=msg.source, when=msg.when)

    async def on_update_customer(self, msg: UpdateCustomer) -> dict[str, Any]:
        return await profile_update.update_customer(self, msg)

    async def _set_flag(self, query: str, column: str, event_type: str, value: bool, source: str) -> dict[str, Any]:
        async with self.pool.acquire() as conn:
            found = await conn.fetchval(query, self.key, value)
        if found is None:
            raise CustomerRefusal({"success": False, "message": text("wa_id_not_found")}, status=200)
        data = {"wa_id": self.key, column: value}
        await self.announce(event_type, data, source)
        return data

    async def on_set_favorite(self, msg: SetFavorite) -> dict[str, Any]:
        return await self._set_flag(
            QUERIES.customer_set_favorite, "is_favorite", "customer_favorite_updated", msg.value, msg.source
        )

    async def on_set_blocked(self, msg: SetBlocked) -> dict[str, Any]:
        return await self._set_flag(
            QUERIES.customer_set_blocked, "is_blocked", "customer_block_updated", msg.value, msg.source
        )

    async def on_clear_conversation(self, msg: ClearConversation) -> int:
        async with self.pool.acquire() as conn:
            deleted = await conn.fetchval(QUERIES.conversation_delete_all, self.key)
        # No reference event exists for this; Mawid announces every change (docs/decisions.md).
        await self.announce("conversation_cleared", {"wa_id": self.key, "deleted": deleted}, msg.source)
        return deleted

    async def on_delete_customer(self, msg: DeleteCustomer) -> int:
        async with self.pool.acquire() as conn, conn.transaction():
            reservations = await conn.execute(QUERIES.customer_delete_reservations, self.key)
            messages = await conn.fetchval(QUERIES.conversation_delete_all, self.key)
            customers = await conn.execute(QUERIES.customer_delete_row, self.key)
        total = int(reservations.split()[-1]) + messages + int(customers.split()[-1])
        if total:
            await self.announce("customer_deleted", {"wa_id": self.key}, msg.source)
        self.assistant_state.clear()
        return total

    async def on_change_wa_id(self, msg: ChangeWaId) -> dict[str, Any]:
        result = await wa_id_change.apply(self, msg)
        if result.get("success") and result.get("data"):
            self.assistant_state.clear()  # the conversation now lives under the new wa_id's actor
        return result

    async def on_handle_inbound(self, msg: HandleInbound) -> Any:
        from actors.assistant.turn import handle_inbound

        # A turn is replayed whole if PostgreSQL loses its last writes; its sends are preceded by durable commits.
        with relaxed_commits():
            return await handle_inbound(self, msg)
