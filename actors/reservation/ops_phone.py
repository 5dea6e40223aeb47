"""Change a customer's wa_id (spec 20 §9.6). One implementation: the customer's ConversationActor owns
per-customer writes, so this delegates to `actors.conversation.wa_id_change` (all columns kept, one
transaction, the reference's events for non-dashboard sources)."""
from __future__ import annotations

from typing import TYPE_CHECKING, Any

from actors.reservation import context

if TYPE_CHECKING:
    from runtime.services import Services


@context.guarded("modify_customer_wa_id")
async def modify_customer_wa_id(services: "Services", old_wa_id: Any, new_wa_id: Any, customer_name: Any = None,
                                reservation_id: Any = None, ar: bool = False,
                                source: str = "assistant") -> dict[str, Any]:
    from actors.conversation.wa_id_change import change_customer_wa_id

    return await change_customer_wa_id(services, old_wa_id, new_wa_id, customer_name=customer_name,
                                       reservation_id=reservation_id, source=source, ar=ar)
