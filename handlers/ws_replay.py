"""Catch-up for a reconnecting client: the events after its last sequence number, or `resync`.

Live events are held on the connection while the log is read, then released
after the replay with everything already replayed skipped, so each sequence
number reaches the client exactly once and in order. When the client's
position is no longer in the log (pruned, or the log was reset) or too much was
missed, the client gets `{"type": "resync", "data": {"reason", "seq"}}` and
should reload its state (`get_snapshot` and the REST reads).
"""
from __future__ import annotations

import logging
from typing import Any

from runtime.db import QUERIES
from runtime.hub import Connection, Hub, reply
from runtime.services import Services

log = logging.getLogger("mawid.ws")

MAX_REPLAY = 2000  # beyond this a reload is cheaper than a replay


def replay_limit(hub: Hub) -> int:
    # Never more than half the send queue: a replay must not overflow it and get the client
    # dropped (it would reconnect and replay again, forever).
    return max(1, min(MAX_REPLAY, hub.queue_limit // 2))


MAX_SEQUENCE = 2**63 - 1  # the log's bigint; a position beyond it is simply "ahead of the log"


def sequence_number(raw: Any) -> int | None:
    """A client's `since` as a usable position (clamped to the log's range), or None if it is not a number."""
    try:
        value = int(raw)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a JSON Infinity
        return None
    return min(max(0, value), MAX_SEQUENCE)


def with_seq(row: Any) -> dict[str, Any]:
    body = dict(row["envelope"])
    body["seq"] = row["seq"]
    return body


async def resume(services: Services, hub: Hub, conn: Connection, since: int) -> None:
    conn.holding = []
    try:
        async with services.require_pool().acquire() as db:
            bounds = await db.fetchrow(QUERIES.realtime_oldest_seq)
            rows = await db.fetch(QUERIES.realtime_events_since, since, replay_limit(hub) + 1)
    except Exception:
        log.exception("could not read the event log for a replay")
        conn.send_json(reply("resync", {"reason": "unavailable", "seq": hub.last_seq}))
        hub.release(conn, 0)
        return
    oldest, newest = bounds["oldest"], bounds["newest"] or 0
    reason = None
    if since > newest:
        reason = "unknown_sequence"  # the log was reset, or the number never existed
    elif oldest is not None and since < oldest - 1:
        reason = "too_old"  # pruned beyond the replay window
    elif len(rows) > replay_limit(hub):
        reason = "too_many"
    if reason is not None:
        conn.send_json(reply("resync", {"reason": reason, "seq": newest}))
        hub.release(conn, 0)
        return
    hub.replay(conn, [with_seq(row) for row in rows])
