"""Pure rules of the `/stats` dashboard (spec 30 §5): the date window, trends, the tokenizer, labels.

The formulas are the reference's (the dashboard labels them that way); only the window's future cap
(quirk 22) and the business-zone date of modifications (quirk 23, in SQL) are fixed.
"""
from __future__ import annotations

import re
import statistics
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any, Iterable

DEFAULT_SPAN_DAYS = 30
TOP_WORDS = 50
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS_AR = (
    "يناير", "فبراير", "مارس", "أبريل", "مايو", "يونيو", "يوليو", "أغسطس", "سبتمبر", "أكتوبر", "نوفمبر", "ديسمبر",
)


@dataclass(frozen=True)
class Window:
    start: date
    end: date
    previous_start: date
    previous_end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def stats_window(start: date | None, end: date | None, today: date) -> Window:
    """`to` defaults to today, `from` to 29 days before `to`; reversed bounds swap; neither passes today."""
    end = min(end or today, today)
    start = start or end - timedelta(days=DEFAULT_SPAN_DAYS - 1)
    if start > end:
        start, end = end, start
    start, end = min(start, today), min(end, today)  # quirk 22: the cap applies after the swap too
    span = max(1, (end - start).days + 1)
    previous_end = start - timedelta(days=1)
    return Window(start, end, previous_end - timedelta(days=span - 1), previous_end)


def trend(current: float, previous: float, higher_is_better: bool = True) -> dict[str, Any]:
    if previous == 0:
        change = 100.0 if current > 0 else 0.0
        positive = current > 0 if higher_is_better else current == 0
    else:
        change = (current - previous) / abs(previous) * 100
        positive = change >= 0 if higher_is_better else change <= 0
    return {"percentChange": change, "isPositive": positive}


def percent(part: float, whole: float) -> float:
    return part / whole * 100 if whole else 0.0


_DIGITS = re.compile(r"\d+")
_NOT_WORD = re.compile(r"[^\w\s\u0600-\u06FF]+")


def tokenize(text: str) -> list[str]:
    """Lowercase, digits and punctuation (outside the Arabic block) to spaces, words of 3+ characters."""
    cleaned = _NOT_WORD.sub(" ", _DIGITS.sub(" ", text.lower()))
    return [word for word in cleaned.split() if len(word) >= 3]


def median_of(values: list[float]) -> float:
    return statistics.median(values) if values else 0.0


def month_label(year_month: tuple[int, int], locale: str) -> str:
    names = MONTHS_AR if locale.lower().startswith("ar") else MONTHS_EN
    return names[year_month[1] - 1]


def segments(bookings: "CountHistogram", unique_customers: int) -> list[dict[str, Any]]:
    rows = (
        ("New (1 visit)", bookings.customers_with(0, 1), 1),
        ("Returning (2-5 visits)", bookings.customers_with(2, 5), 3),
        ("Loyal (6+ visits)", bookings.customers_with(6), 6),
    )
    return [
        {"segment": name, "count": count, "percentage": percent(count, unique_customers),
         "avgReservations": typical if count > 0 else 0}
        for name, count, typical in rows
    ]


@dataclass(frozen=True)
class CountHistogram:
    """How many customers had each count (of messages or bookings) in the window."""

    pairs: tuple[tuple[int, int], ...]  # (count, customers), ascending by count

    @classmethod
    def of(cls, raw: Iterable[Iterable[int]]) -> "CountHistogram":
        return cls(tuple(sorted((int(n), int(k)) for n, k in raw)))

    @property
    def customers(self) -> int:
        return sum(k for _, k in self.pairs)

    def customers_with(self, low: int, high: int | None = None) -> int:
        return sum(k for n, k in self.pairs if n >= low and (high is None or n <= high))

    def mean_of(self, low: int, offset: int = 0) -> float:
        chosen = [(n, k) for n, k in self.pairs if n >= low]
        total = sum(k for _, k in chosen)
        return sum((n - offset) * k for n, k in chosen) / total if total else 0.0

    @property
    def largest(self) -> int:
        return self.pairs[-1][0] if self.pairs else 0

    def median(self) -> float | int:
        """statistics.median over the expanded counts (the middle one, or the mean of the middle two)."""
        total = self.customers
        if not total:
            return 0.0

        def nth(index: int) -> int:
            seen = 0
            for n, k in self.pairs:
                seen += k
                if index < seen:
                    return n
            raise IndexError(index)

        middle = total // 2
        return nth(middle) if total % 2 else (nth(middle - 1) + nth(middle)) / 2
