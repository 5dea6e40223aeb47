"""Search terms and directory dates: the pure parts of /phone/search and /phone/all."""
from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from actors.customers.phone import strip_separators

_HAS_DIGIT = re.compile(r"\d")
MAX_QUERY_CHARS = 200  # no name or number is longer; bounds the trigram work of hostile input


def escape_like(value: str) -> str:
    """Make `value` match literally inside a LIKE pattern (default escape character: backslash)."""
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


@dataclass(frozen=True)
class SearchTerms:
    name: str  # matched against names (raw and Arabic-normalised), by word similarity
    phone: str  # matched against wa_id by trigram similarity
    like_pattern: str | None  # '%digits%' for the substring rule, or None when the query has no digit

    @classmethod
    def parse(cls, raw: str) -> "SearchTerms | None":
        """None for a blank query. Quirks 10/11: wildcards escaped, substring rule only with digits,
        phone similarity against the digits (not the raw '+966 …' text)."""
        query = raw.replace("\x00", "").strip()[:MAX_QUERY_CHARS].strip()
        if not query:
            return None
        digits = strip_separators(query)
        has_digit = bool(_HAS_DIGIT.search(digits))
        return cls(
            name=query,
            phone=digits if has_digit else query,
            like_pattern=f"%{escape_like(digits)}%" if has_digit else None,
        )

    def arguments(self, limit: int, threshold: float, stricter: Sequence[str] | None = None) -> tuple:
        """The parameters of the phone_search query, in order. `stricter`: the wa_ids a stricter level found
        (None at the strictest level, which looks for the substring rule's rows itself)."""
        return self.name, self.phone, self.like_pattern, limit, threshold, list(stricter or ()), stricter is None


def parse_instant_date(value: str, zone: ZoneInfo) -> date:
    """An ISO date or datetime as a business-zone calendar date (quirk 15: instants are converted first)."""
    text = value.strip()
    if len(text) == 10:
        return date.fromisoformat(text)
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is not None:
        moment = moment.astimezone(zone)
    return moment.date()


def day_bounds(start: date | None, end: date | None) -> tuple[datetime, datetime] | None:
    """Whole-day bounds; one missing side means that single day; None when neither is given."""
    if start is None and end is None:
        return None
    start = start or end
    end = end or start
    if start > end:
        start, end = end, start
    return datetime.combine(start, time.min), datetime.combine(end, time.max)
