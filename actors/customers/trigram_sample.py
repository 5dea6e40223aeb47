"""A sample of the directory's wa_ids: which trigrams of a number query are rare, and what each way of looking
numbers up would cost. Only decides how /phone/search finds its candidates, never what it finds.

A large directory's number search finds candidates either with pg_trgm's similarity operator (its GIN index
yields every wa_id holding at least threshold x m of the query's m trigrams, each then scored) or with pairs of
LIKE patterns (actors/customers/search.py pair_patterns: an index lookup per pair, then the wa_ids holding both).
Which is cheaper depends on how many wa_ids each visits: a country code a few percent of the directory shares
is tens of thousands of candidates for the operator at 0.3, and a handful of pairs cost less than that.
"""
from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from actors.customers.search import digit_trigram_set

# Costs in ms of one statement, measured on 1M customers (2 cores, every page cached): each candidate the heap
# visits and scores, each pair's two index lookups, each operator statement's fixed part (the GIN scan of the
# query's trigrams, the statement around it).
CANDIDATE_MS = 0.002
PAIR_MS = 0.5
OPERATOR_MS = 3.0


def bitmask(positions: Iterable[int], length: int) -> int:
    bits = bytearray((length + 7) // 8)
    for i in positions:
        bits[i >> 3] |= 1 << (i & 7)
    return int.from_bytes(bits, "little")


@dataclass(frozen=True)
class TrigramSample:
    rows: int  # wa_ids sampled
    scale: float  # directory rows per sampled row
    holders: dict[str, int]  # trigram -> bit i set when sampled wa_id i holds it (digits-only wa_ids)
    shares: dict[str, float]  # trigram -> the share of sampled wa_ids holding it

    @classmethod
    def of(cls, wa_ids: Sequence[str], scale: float) -> TrigramSample:
        members: dict[str, list[int]] = {}
        for i, wa_id in enumerate(wa_ids):
            if wa_id.isascii() and wa_id.isdigit():
                for trigram in digit_trigram_set(wa_id):
                    members.setdefault(trigram, []).append(i)
        holders = {t: bitmask(rows, len(wa_ids)) for t, rows in members.items()}
        return cls(len(wa_ids), scale, holders, {t: len(rows) / len(wa_ids) for t, rows in members.items()})

    def rows_holding(self, trigrams: Iterable[str], at_least: int) -> float:
        """Estimated directory rows holding at least `at_least` (>= 1) of `trigrams`."""
        reached = [0] * (at_least + 1)  # reached[j]: sampled rows holding j or more of the trigrams seen so far
        reached[0] = (1 << self.rows) - 1
        for trigram in trigrams:
            bits = self.holders.get(trigram, 0)
            for j in range(at_least, 0, -1):
                reached[j] |= reached[j - 1] & bits
        return reached[at_least].bit_count() * self.scale

    def operator_ms(self, trigrams: Sequence[str], threshold: float) -> float:
        """The similarity operator's statement at `threshold`: its index yields every wa_id holding at least
        threshold x m of the m query trigrams (an upper bound of the similarity it cannot know yet)."""
        at_least = max(1, math.ceil(threshold * len(trigrams) - 1e-6))
        return OPERATOR_MS + CANDIDATE_MS * self.rows_holding(trigrams, at_least)

    def pairs_ms(self, pairs: Sequence[tuple[str, str]]) -> float:
        """The pairs' statement: each pair's lookups, and every wa_id holding both of its trigrams."""
        both = sum((self.holders.get(a, 0) & self.holders.get(b, 0)).bit_count() for a, b in pairs)
        return OPERATOR_MS + PAIR_MS * len(pairs) + CANDIDATE_MS * both * self.scale
