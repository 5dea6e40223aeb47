"""`UpdateCustomer`: the reference's PUT /customers semantics with quirks 4, 5, 7 and 13 fixed.

Everything is validated before anything is written (no side-effect rows on a 400), the name is
updated once so the response carries the real old name, ages are recorded on the business-zone
date, and each change is announced once with `_source`.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from actors.conversation.messages import UNSET, CustomerRefusal, UpdateCustomer
from actors.customers.phone import phone_error
from actors.customers.profile import AgeError, clean_name, coerce_age
from actors.customers.texts import text
from actors.customers.wire import wire_date
from runtime.db import QUERIES

if TYPE_CHECKING:
    from actors.conversation.actor import ConversationActor


def _refuse(message: str) -> CustomerRefusal:
    return CustomerRefusal({"success": False, "message": message}, status=400)


def _check_wa_id(actor: "ConversationActor", ar: bool) -> None:
    problem = phone_error(actor.key, ar)
    if problem is not None:
        raise _refuse(problem)


async def update_customer(actor: "ConversationActor", msg: UpdateCustomer) -> dict[str, Any]:
    has_name, has_age, has_document = msg.name is not None, msg.age is not UNSET, msg.document is not UNSET
    source = msg.source or "assistant"
    new_name = None
    if has_name:
        _check_wa_id(actor, msg.ar)
        if not msg.name.strip():
            raise _refuse(text("customer_name_required", msg.ar))
        new_name = clean_name(msg.name)
    new_age = None
    if has_age:
        _check_wa_id(actor, msg.ar)
        try:
            new_age = coerce_age(msg.age)
        except AgeError as exc:
            raise _refuse(str(exc)) from None
    today = actor.local_now().date()

    async with actor.pool.acquire() as conn, conn.transaction():
        row = await conn.fetchrow(QUERIES.customer_lock, actor.key)
        if row is None:
            if not (has_name or has_age):  # quirk 8: a customer is only created under a valid wa_id
                _check_wa_id(actor, msg.ar)
            old = {"customer_name": actor.default_name(), "age": None, "age_recorded_at": None, "document": None}
        else:
            old = dict(row)
        name = new_name if has_name else old["customer_name"]
        age, recorded = (new_age, today if new_age is not None else None) if has_age else (
            old["age"], old["age_recorded_at"])
        document = msg.document if has_document else old["document"]
        if row is None:
            await conn.execute(QUERIES.customer_insert_profile, actor.key, name, age, recorded, document)
        else:
            await conn.execute(QUERIES.customer_update_profile, actor.key, name, age, recorded, document)

    if has_document and not has_name and not has_age:  # the document-only fast path's shape
        await actor.announce("customer_document_updated", {"wa_id": actor.key}, source)
        return {"success": True, "document": msg.document}

    name_data = None
    if has_name:
        name_data = {"old_name": old["customer_name"], "new_name": name}
        if old["customer_name"] != name or row is None:
            name_data["wa_id"] = actor.key
    age_data = {"wa_id": actor.key, "age": age, "age_recorded_at": wire_date(recorded)} if has_age else None
    if has_document:
        await actor.announce("customer_document_updated", {"wa_id": actor.key}, source)
    age_changed = has_age and (age, recorded) != (old["age"], old["age_recorded_at"])
    if (has_name and name != old["customer_name"]) or age_changed:
        await actor.announce(
            "customer_updated", {"wa_id": actor.key, "phone": actor.key, "customer_name": name}, source
        )
    return {"success": True, "name": name_data, "age": age_data, "document": msg.document if has_document else None}
