"""Messages of the per-(resource, day) ReservationActor. Each write runs in one transaction under the
(resource, day) locks."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time

from actors.reservation.resources import DEFAULT_RESOURCE_ID


@dataclass(frozen=True)
class BookSlot:
    """Create a booking (or re-activate the customer's cancelled one in the same slot) if capacity allows."""

    wa_id: str
    customer_name: str
    slot_date: date
    slot_time: time
    reservation_type: int
    total: int
    per_type: int
    resource_id: int = DEFAULT_RESOURCE_ID


@dataclass(frozen=True)
class MoveBooking:
    """Change date/time/type (and optionally the customer's name) of one booking, re-checking capacity.

    Sent to the actor of the target (resource, day); it locks the source and target (resource, day) pairs in
    one fixed order (resource id, then date), so two opposite moves cannot deadlock.
    """

    reservation_id: int
    wa_id: str
    from_date: date
    to_date: date
    to_time: time
    reservation_type: int
    total: int
    per_type: int
    check_total: bool
    check_type: bool
    new_name: str | None = None
    from_resource: int = DEFAULT_RESOURCE_ID
    to_resource: int = DEFAULT_RESOURCE_ID


@dataclass(frozen=True)
class CancelBookings:
    """Cancel the given active bookings of this (resource, day); with `offer_total`, offer each freed place to
    the waitlist while the slot has room below that total (the assistant's capacity)."""

    reservation_ids: tuple[int, ...]
    offer_total: int = 0


@dataclass(frozen=True)
class ConfirmBooking:
    """Record that the patient confirmed this active booking of this day (kept if already confirmed)."""

    reservation_id: int


@dataclass(frozen=True)
class RecordAttendance:
    """Record whether the patient came to this active booking of this (resource, day): "attended", "no_show",
    or None to clear it."""

    reservation_id: int
    attendance: str | None


@dataclass(frozen=True)
class TakeWaitlistPlace:
    """Book the place held for a waitlisted patient by their open offer (`actors.waitlist`)."""

    offer_id: int
    wa_id: str
    customer_name: str | None
    reservation_type: int
    total: int


@dataclass(frozen=True)
class SettleWaitlistOffer:
    """End an open offer of this day (`expire` once its hold ran out, `decline` by its patient, `remove`
    its waitlist entry by staff) and offer the place to the next waiting patient while it has room."""

    action: str  # "expire" | "decline" | "remove"
    ident: int  # the offer id (expire, decline) or the waitlist entry id (remove)
    total: int
    wa_id: str | None = None  # decline: only the patient's own offer


@dataclass(frozen=True)
class ReinstateBooking:
    """Re-activate a cancelled booking of this (resource, day) if its slot still has room."""

    reservation_id: int
    reservation_type: int
    total: int
    per_type: int


@dataclass(frozen=True)
class Outcome:
    """`status`: created | reinstated | moved | cancelled | confirmed | recorded | full | type_full | vacation |
    resource_off | missing | not_cancelled ("vacation": the clinic's; "resource_off": the resource's own day off,
    or switched off)."""

    status: str
    reservation_id: int | None = None
    rows: tuple[dict, ...] = ()
