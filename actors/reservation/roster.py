"""The clinic's resources as the reservation operations see them: read once per operation (a small table)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from actors.reservation.resources import DEFAULT_RESOURCE_ID, Resource, from_row
from actors.reservation.vacations import Period
from runtime.db import QUERIES

DEFAULT_NAME_AR, DEFAULT_NAME_EN = "العيادة", "Clinic"  # as migration 0111 names it

if TYPE_CHECKING:
    from runtime.services import Services


@dataclass(frozen=True)
class Roster:
    resources: tuple[Resource, ...]

    @property
    def several(self) -> bool:
        """More than one resource exists: only then do answers and events name the resource, so a
        single-resource clinic answers exactly as the reference does."""
        return len(self.resources) > 1

    def by_id(self, resource_id: int) -> Resource | None:
        return next((r for r in self.resources if r.id == resource_id), None)

    def default(self) -> Resource:
        return next((r for r in self.resources if r.is_default), None) or self.by_id(DEFAULT_RESOURCE_ID) \
            or self.resources[0]

    def active(self, reservation_type: int | None = None) -> list[Resource]:
        return [r for r in self.resources if r.active and r.takes(reservation_type)]

    def label(self, resource_id: int, ar: bool = False) -> dict[str, Any]:
        """The additive fields of an answer or event about a booking of this resource ({} with one resource)."""
        if not self.several:
            return {}
        found = self.by_id(resource_id)
        return {"resource_id": resource_id, "resource": found.name(ar) if found else None}


def _periods(raw: list[dict[str, Any]]) -> list[Period]:
    return [Period(date.fromisoformat(v["start"]), date.fromisoformat(v["end"]), v.get("title")) for v in raw or []]


async def load_roster(services: "Services", conn=None) -> Roster:
    if conn is None:
        async with services.require_pool().acquire() as own:
            rows = await own.fetch(QUERIES.resources_roster)
    else:
        rows = await conn.fetch(QUERIES.resources_roster)
    resources = [from_row(r, _periods(r["vacations"])) for r in rows]
    if not any(r.id == DEFAULT_RESOURCE_ID for r in resources):  # an emptied table: the clinic itself
        resources.insert(0, Resource(DEFAULT_RESOURCE_ID, DEFAULT_NAME_AR, DEFAULT_NAME_EN, is_default=True))
    return Roster(tuple(resources))


def candidates(roster: Roster, wanted: Any, reservation_type: int | None, ar: bool = False) -> list[Resource]:
    """The resources a request may book: the named one, or every active one taking the type ("any": no
    name, or a word such as "any"). A name that matches nothing, or a resource not taking the type, is
    refused with a message naming the choices."""
    from actors.reservation.resources import find, is_any
    from actors.reservation.slots import refuse

    if wanted is None or (isinstance(wanted, str) and not wanted.strip()) or is_any(wanted):
        found = roster.active(reservation_type)
        if not found:
            raise refuse("resource_not_found", ar, reason="resource_not_found", resource=str(wanted or "any"),
                         names=_names(roster, ar))
        return found
    resource = find(list(roster.resources), wanted)
    if resource is None:
        raise refuse("resource_not_found", ar, reason="resource_not_found", resource=str(wanted),
                     names=_names(roster, ar))
    if not resource.takes(reservation_type):
        raise refuse("resource_type_not_taken", ar, reason="resource_type_not_taken", resource=resource.name(ar))
    return [resource]


def _names(roster: Roster, ar: bool) -> str:
    return ", ".join(r.name(ar) for r in roster.resources if r.active) or "-"
