"""Slot capacity by role and type (spec 20 §8), from `slot_capacity_settings`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

SECRETARY_SOURCES = frozenset({"frontend", "undo", "calendar", "ui", "secretary"})
DEFAULT_TOTALS = {"agent": 5, "secretary": 6}


def role_for_source(source: str | None) -> str:
    return "secretary" if (source or "").strip().lower() in SECRETARY_SOURCES else "agent"


@dataclass(frozen=True)
class Limits:
    total: int
    per_type: int

    @property
    def type_disabled(self) -> bool:
        return self.per_type <= 0

    def admits(self, count_all: int, count_type: int) -> bool:
        return count_all < self.total and count_type < self.per_type


def limits(settings: dict[str, Any] | None, role: str, reservation_type: int | None = None,
           override: object = None) -> Limits:
    """Total for the role, lowered (never raised) by an override; per-type cap within the total."""
    block = (settings or {}).get(role) or {}
    try:
        total = max(1, int(block.get("total_max", DEFAULT_TOTALS.get(role, 5))))
    except (TypeError, ValueError):
        total = DEFAULT_TOTALS.get(role, 5)
    if override is not None:
        total = max(1, min(total, int(override)))  # a non-numeric override raises: the caller reports it
    per_type = total
    per_type_max = block.get("per_type_max") or {}
    if reservation_type is not None and str(reservation_type) in per_type_max:
        try:
            per_type = max(0, min(int(per_type_max[str(reservation_type)]), total))
        except (TypeError, ValueError):
            per_type = total
    return Limits(total, per_type)
