"""Search terms and directory dates: the pure parts of /phone/search and /phone/all."""
from __future__ import annotations

import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from itertools import combinations
from zoneinfo import ZoneInfo

from actors.customers.phone import strip_separators

_HAS_DIGIT = re.compile(r"\d")
MAX_QUERY_CHARS = 200  # no name or number is longer; bounds the trigram work of hostile input
# A digits-only wa_id with at most this many distinct trigrams is listed by 0821's index, not found by pairs.
IRREGULAR_MAX_TRIGRAMS = 8
# E.164's longest number: a query that could only find longer wa_ids first asks whether there are any (0831).
LONGEST_NUMBER = 15
# At most this many trigrams are paired (66 pairs, each an index lookup): enough for any 15-digit number at the
# lowest level; a longer query (up to MAX_QUERY_CHARS digits) would make thousands.
MAX_PAIRED_TRIGRAMS = 12


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

    def arguments(self, limit: int, threshold: float, stricter: Sequence[str] | None = None,
                  pairs: tuple[list[str], list[str]] | None = None, small: bool = False,
                  part: str | None = None) -> tuple:
        """The parameters of the phone_search query, in order. `stricter`: the wa_ids a stricter level found
        (None at the strictest level, which looks for the substring rule's rows itself); `pairs`: pair_patterns'
        answer for `threshold`, or None to match numbers with the similarity operator; `small`: a small
        directory's search (its plan is made once, for any query); `part`: None for the whole search, "names"
        or "numbers" for that part alone (the names part looks for no stricter rows and no substring)."""
        # Two patterns of digits inside the number (not at its start or end) pair up: every digits-only wa_id
        # holding the query's digits matches that pair, so the substring rule's rows are candidates already.
        inner = {p for p in (pairs[0] + pairs[1] if pairs else ()) if len(p) == 5 and p[0] == p[-1] == "%"}
        look_for_substring = stricter is None and len(inner) < 2 and part != "names"
        stricter_rows = [] if part == "names" else list(stricter or ())
        return (self.name, self.phone, self.like_pattern, limit, threshold, stricter_rows, look_for_substring,
                *(pairs or (None, None)), small, part, self.shortest_reachable(threshold))

    def shortest_reachable(self, threshold: float) -> int | None:
        """The fewest characters of a wa_id its number can find at `threshold`, when that rules out any ordinary
        number (None otherwise): a wa_id of L characters has at most L + 1 trigrams, and scoring t against m
        trigrams takes sharing t x m of them; holding the digits as a substring takes as many characters."""
        if not (self.phone.isascii() and self.phone.isdigit()):
            return None
        by_similarity = math.ceil(threshold * len(digit_trigram_set(self.phone)) - 0.01) - 1
        shortest = min(by_similarity, len(self.phone))
        return shortest if shortest > LONGEST_NUMBER else None


def digit_trigram_set(digits: str) -> set[str]:
    """pg_trgm's trigrams of a string of digits (one word: two spaces before it, one after)."""
    padded = f"  {digits} "
    return {padded[i:i + 3] for i in range(len(padded) - 2)}


def digit_trigrams(digits: str) -> list[str]:
    return sorted(digit_trigram_set(digits))


_DIGIT_RUNS = re.compile(r"[0-9]+")
# Characters no locale makes a word character, met around numbers copied from WhatsApp or the web: direction
# marks and isolates, zero-width and no-break spaces, the BOM, the soft hyphen, dashes, the ellipsis, U+FFFD.
COPIED_SEPARATORS = frozenset(
    "\u00a0\u00ad\u2007\u2009\u200a\u200b\u200e\u200f\u2010\u2011\u2012\u2013\u2014\u2015\u2026"
    "\u202a\u202b\u202c\u202d\u202e\u202f\u2060\u2066\u2067\u2068\u2069\ufeff\ufffd")


def query_trigrams(phone: str) -> list[str] | None:
    """pg_trgm's trigrams of a number query typed with punctuation ('(966)', '9665?', a number copied from WhatsApp
    between direction marks): characters other than letters and digits separate words, so they are its digit
    runs' trigrams. None for anything else (letters, and non-ASCII characters not in COPIED_SEPARATORS, for
    which PostgreSQL's locale decides what a word character is)."""
    if any(c.isalpha() or not (c.isascii() or c in COPIED_SEPARATORS) for c in phone):
        return None
    return sorted(set().union(*(digit_trigram_set(run) for run in _DIGIT_RUNS.findall(phone))))


def trigram_pattern(trigram: str) -> str:
    """The LIKE pattern a digits-only wa_id matches exactly when its trigrams include `trigram` (of digits)."""
    if trigram.startswith("  "):
        return f"{trigram[2]}%"
    if trigram.startswith(" ") and trigram.endswith(" "):
        return trigram[1]  # a one-digit word: the whole wa_id
    if trigram.startswith(" "):
        return f"{trigram[1:]}%"
    if trigram.endswith(" "):
        return f"%{trigram[:2]}"
    return f"%{trigram}%"


def trigram_pairs(phone: str, shares: Mapping[str, float], threshold: float,
                  common_share: float | None) -> list[tuple[str, str]] | None:
    """Pairs of the query's trigrams such that every digits-only wa_id with more than IRREGULAR_MAX_TRIGRAMS
    distinct trigrams whose similarity to `phone` reaches `threshold` holds both trigrams of some pair; None when
    the query is not a number (query_trigrams) or its rare trigrams (share < `common_share` in `shares`) are too
    few for that, or more than MAX_PAIRED_TRIGRAMS trigrams would be paired. With `common_share` None, any
    trigram may be in a pair: the rarest ones are.

    Similarity is s / (m + n - s) for s shared trigrams, m the query's, n the wa_id's; reaching t takes
    s >= t (m + n) / (1 + t) >= t (m + 9) / (1 + t) = needed. Counting every common trigram as shared, a wa_id
    still shares needed - commons rare ones: when that is at least 2, any two of them form a pair."""
    trigrams = query_trigrams(phone)
    if not trigrams:
        return None
    needed = math.ceil(threshold * (len(trigrams) + IRREGULAR_MAX_TRIGRAMS + 1) / (1 + threshold) - 0.01)
    if needed > len(trigrams):
        return []  # no such wa_id can reach the threshold
    rare = sorted((t for t in trigrams if common_share is None or shares.get(t, 0.0) < common_share),
                  key=lambda t: (shares.get(t, 0.0), t))
    spare = needed - (len(trigrams) - len(rare)) - 2  # rare trigrams shared beyond the two a pair needs
    if spare < 0:
        return None
    kept = rare[:len(rare) - spare]  # the rarest: the others count as shared by every number, like the commons
    return list(combinations(kept, 2)) if len(kept) <= MAX_PAIRED_TRIGRAMS else None


def patterns_of(pairs: Sequence[tuple[str, str]]) -> tuple[list[str], list[str]]:
    """Trigram pairs as the two LIKE pattern arrays phone_search takes ($8, $9)."""
    return [trigram_pattern(a) for a, _ in pairs], [trigram_pattern(b) for _, b in pairs]


def pair_patterns(phone: str, shares: Mapping[str, float], threshold: float,
                  common_share: float) -> tuple[list[str], list[str]] | None:
    """trigram_pairs as LIKE patterns: a digits-only wa_id holds a trigram exactly when it matches its pattern."""
    pairs = trigram_pairs(phone, shares, threshold, common_share)
    return None if pairs is None else patterns_of(pairs)


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
