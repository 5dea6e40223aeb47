"""What to do with a recorded message whose earlier send may have reached the Cloud API.

The Cloud API has no idempotency key: a send that Graph accepted but whose answer we
never saw (the process was killed mid-request, the request timed out, the connection
dropped) would be sent twice by a plain retry. So every keyed send carries the key as
`biz_opaque_callback_data`, which Meta echoes in that message's status callbacks, and
the attempt is recorded (`whatsapp_outbound.attempted_at`) before the request. Before
such a message is sent again:

- a status callback carrying its key was recorded: Graph accepted it, it is sent;
- it was attempted less than the grace ago with no definite answer: wait, the callback
  may still come (Meta usually reports `sent` within seconds);
- otherwise (never attempted, refused with an HTTP error, or the grace has passed with
  no callback): send it. The last case is the part that cannot be closed: Graph
  accepted but Meta never reported it within the grace.
"""
from __future__ import annotations

from dataclasses import dataclass

CALLBACK_FIELD = "biz_opaque_callback_data"
CALLBACK_LIMIT = 512  # characters Meta accepts in the field


@dataclass(frozen=True)
class Verdict:
    action: str  # "accepted" | "wait" | "send"
    wamid: str | None = None  # accepted: the message id Meta reported
    wait_seconds: float = 0.0  # wait: until the grace after the attempt has passed


def decide(callback_wamid: str | None, attempted_ago: float | None, grace: float) -> Verdict:
    """`attempted_ago`: seconds since the attempt left in doubt (None: no send in doubt)."""
    if callback_wamid:
        return Verdict("accepted", wamid=callback_wamid)
    if attempted_ago is not None and attempted_ago < grace:
        return Verdict("wait", wait_seconds=grace - max(attempted_ago, 0.0))
    return Verdict("send")


def callback_data(idempotency_key: str | None) -> str | None:
    """The string sent as `biz_opaque_callback_data` (None: the send is not keyed, or the key is too long)."""
    if idempotency_key and len(idempotency_key) <= CALLBACK_LIMIT:
        return idempotency_key
    return None
