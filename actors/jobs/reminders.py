"""`send_reminders`: tomorrow's appointment reminders, 19:00 business time (spec 60 §4.2).

Each active reservation dated tomorrow (in the business zone, counted from the
scheduled occurrence, so a late or repeated run reminds the same day) gets one
WhatsApp template. The reference's fixes (spec 60 Q3): each reminder is claimed
in `reminder_sends` before it is sent, so no re-run, manual run or second leader
sends it twice; blocked customers are skipped; the text is stored in the
conversation, through the customer's ConversationActor (which broadcasts it),
only when WhatsApp accepted the template (or outbox mode recorded it).
"""
from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from typing import Any

from actors.jobs.job import JobContext, JobFailed
from actors.jobs.reminder_text import TEMPLATE_LANGUAGE, TEMPLATE_NAME, reminder_text, template_components
from runtime.db import QUERIES
from runtime.ops_metrics import ASSISTANT_FUNCTION_ERRORS, REMINDERS
from runtime.services import Services

log = logging.getLogger("mawid.jobs.reminders")

ERRORS_LABEL = {"function": "send_reminders_job"}
# Reminders to different customers are independent (each is claimed on its own); a customer's
# several reminders still reach the conversation in order through its one actor.
CONCURRENCY = 8
CONVERSATION_ROLE = "secretary"  # the reference stores reminders as the secretary's messages (spec 30 §2)


def reminder_date(ctx: JobContext) -> date:
    return ctx.local_occurrence.date() + timedelta(days=1)


def send_failure(result: Any) -> str | None:
    """Why a send result means "not sent", or None when WhatsApp accepted it (or outbox mode recorded it)."""
    if getattr(result, "ok", False):
        return None
    body = getattr(result, "body", result)
    if isinstance(body, dict):
        return str(body.get("message") or body.get("error") or "send failed")
    return str(body or "send failed")


async def _send_template(services: Services, row: Any, attempt: int) -> Any:
    from actors.whatsapp import outbound

    # The key makes the sender itself refuse a duplicate of this attempt, on top of the claim.
    key = f"reminder:{row['id']}:{row['slot_date'].isoformat()}:{attempt}"
    return await outbound.send_template(
        services, row["wa_id"], TEMPLATE_NAME, TEMPLATE_LANGUAGE,
        template_components(row["slot_time"], row["id"] if services.config.reminder_quick_replies else None),
        idempotency_key=key, source="scheduler",
    )


async def _record_in_conversation(services: Services, wa_id: str, text: str) -> None:
    from actors.conversation.actor import ConversationActor
    from actors.conversation.messages import AppendMessage

    await services.actors.ref(ConversationActor, wa_id).ask(
        AppendMessage(role=CONVERSATION_ROLE, message=text, source="scheduler")
    )


async def _remind(services: Services, row: Any, business_name: str) -> str:
    """Claim, send and record one reservation's reminder; returns its outcome."""
    pool = services.require_pool()
    if row["is_blocked"]:
        log.info("reminder skipped: customer is blocked", extra={"reservation_id": row["id"]})
        return "skipped_blocked"
    async with pool.acquire() as conn:
        claimed = await conn.fetchval(QUERIES.reminder_claim, row["id"], row["slot_date"], row["wa_id"])
    if claimed is None:
        return "already_sent"
    try:
        result = await _send_template(services, row, claimed)
        failure = send_failure(result)
    except Exception as exc:
        failure = f"{type(exc).__name__}: {exc}"
        ASSISTANT_FUNCTION_ERRORS.inc(ERRORS_LABEL)
        log.exception("reminder send raised", extra={"reservation_id": row["id"]})
    async with pool.acquire() as conn:
        await conn.execute(QUERIES.reminder_finish, row["id"], row["slot_date"],
                           "failed" if failure else "sent", failure)
    if failure:
        log.warning("reminder not sent: %s", failure, extra={"reservation_id": row["id"]})
        return "failed"
    log.info("reminder sent", extra={"reservation_id": row["id"], "wa_id": row["wa_id"]})
    try:
        text = reminder_text(business_name, row["slot_time"], row["resource_name"])
        await _record_in_conversation(services, row["wa_id"], text)
    except Exception:
        # Sent but not in the history: count it, the customer has the reminder either way.
        ASSISTANT_FUNCTION_ERRORS.inc(ERRORS_LABEL)
        log.exception("reminder sent but not recorded in the conversation", extra={"reservation_id": row["id"]})
    return "sent"


async def send_reminders(ctx: JobContext) -> str:
    services = ctx.services
    day = reminder_date(ctx)
    try:
        async with services.require_pool().acquire() as conn:
            rows = await conn.fetch(QUERIES.reminders_due, day)
    except Exception as exc:
        ASSISTANT_FUNCTION_ERRORS.inc(ERRORS_LABEL)
        log.exception("could not read tomorrow's reservations")
        raise JobFailed(f"could not read reservations of {day}: {type(exc).__name__}") from exc
    if not rows:
        log.info("No reservations found for tomorrow", extra={"date": day.isoformat()})
        return f"{day}: no reservations"
    counts = dict.fromkeys(("sent", "failed", "skipped_blocked", "already_sent"), 0)
    gate = asyncio.Semaphore(CONCURRENCY)

    async def remind(row: Any) -> None:
        async with gate:
            try:
                outcome = await _remind(services, row, services.config.business_name)
            except Exception:  # one reservation's failure never stops the others
                ASSISTANT_FUNCTION_ERRORS.inc(ERRORS_LABEL)
                log.exception("reminder failed", extra={"reservation_id": row["id"]})
                outcome = "failed"
        counts[outcome] += 1
        REMINDERS.inc({"outcome": outcome})

    await asyncio.gather(*(remind(row) for row in rows))
    return f"{day}: " + ", ".join(f"{count} {name}" for name, count in counts.items())
