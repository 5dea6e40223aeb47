"""What an adoption would do (or did): conversion counts and the rows it cannot convert."""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class DatabaseKind(Enum):
    REFERENCE = "reference"  # created by the reference backend: adopt it
    MAWID = "mawid"  # has Mawid's migration ledger: adopted already, or created by Mawid
    EMPTY = "empty"  # no tables at all
    UNKNOWN = "unknown"  # something else: refuse to touch it


@dataclass(frozen=True)
class Conversion:
    table: str
    conversion: str
    rows: int


@dataclass(frozen=True)
class Problem:
    """One row that cannot be converted faithfully, and why."""

    table: str
    key: str
    column: str
    value: str | None
    reason: str

    def describe(self) -> str:
        key_name = "wa_id" if self.table == "customers" else "id"
        shown = "NULL" if self.value is None else repr(self.value)
        return f"{self.table} {key_name}={self.key}: {self.column}={shown}: {self.reason}"


@dataclass
class Report:
    conversions: list[Conversion] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def problem_rows(self) -> int:
        """Rows with at least one problem (one row may have several)."""
        return len({(p.table, p.key) for p in self.problems})

    def rows(self, table: str) -> int:
        return next((c.rows for c in self.conversions if c.table == table and c.conversion == "rows"), 0)

    def lines(self) -> list[str]:
        out = ["conversions (rows per table and per legacy format):"]
        width = max((len(c.table) for c in self.conversions), default=0)
        for c in self.conversions:
            out.append(f"  {c.table:<{width}}  {c.rows:>10,}  {c.conversion}")
        if self.problems:
            out.append(f"rows that cannot be converted: {self.problem_rows} ({len(self.problems)} problems)")
            out.extend(f"  cannot convert {p.describe()}" for p in self.problems)
        else:
            out.append("rows that cannot be converted: none")
        return out


def sort_key(problem: Problem) -> tuple:
    """Problems in table order, then numerically by id (wa_ids as text)."""
    key = (0, int(problem.key), "") if problem.key.isdigit() else (1, 0, problem.key)
    return (TABLE_ORDER.index(problem.table) if problem.table in TABLE_ORDER else 99, key, problem.column)


TABLE_ORDER = (
    "customers", "conversation", "reservations", "vacation_periods", "notification_events",
    "app_config", "users", "inbound_message_queue",
)
