"""/stats' message blocks for a date window, from per-day summaries cached in PostgreSQL (migration 0253).

A day's summary (messages per hour, tokens, characters, and per role each word's count and order of first
appearance) is computed from that day's messages with the dashboard's tokenizer. Cached days still valid in
the reader's snapshot are read back; the others are computed in that same snapshot, so one answer reflects
one moment, and stored afterwards for the next reader. Merging days keeps the reference's tie order: a word's
first appearance in the window is its first appearance on the earliest day that has it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any, Iterable

from actors.customers.analytics import TOP_WORDS, tokenize
from runtime.db import QUERIES

TOOL_ROLE = "tool"
EVERYONE = ""  # the scope of stats_days_top_words for every role but tool


@dataclass
class DaySummary:
    day: date
    messages: int = 0
    tokens: int = 0
    chars: int = 0
    hours: list[int] = field(default_factory=lambda: [0] * 24)
    words: dict[tuple[str, str], list[int]] = field(default_factory=dict)  # (role, word) -> [count, first seen]

    def add_text(self, role: str, message: str, times: int, chars: int) -> None:
        """One distinct (role, text) of the day seen `times` times; call in order of first appearance."""
        tokens = tokenize(message)
        self.tokens += len(tokens) * times
        self.chars += chars * times
        if role == TOOL_ROLE:
            return
        for word in tokens:
            entry = self.words.get((role, word))
            if entry is None:
                self.words[(role, word)] = [times, len(self.words)]
            else:
                entry[0] += times

    def word_columns(self) -> tuple[list[date], list[str], list[str], list[int], list[int]]:
        keys = list(self.words)
        return ([self.day] * len(keys), [role for role, _ in keys], [word for _, word in keys],
                [self.words[k][0] for k in keys], [self.words[k][1] for k in keys])


def summarize(days: Iterable[date], texts: Iterable[Any], hours: Iterable[Any]) -> dict[date, DaySummary]:
    """Day summaries from stats_days_texts and stats_days_hours rows (days without messages included)."""
    summaries = {day: DaySummary(day) for day in days}
    for row in texts:
        summaries[row["local_date"]].add_text(row["role"], row["message"], row["n"], row["chars"])
    for row in hours:
        summary = summaries[row["local_date"]]
        summary.hours[row["hour"]] += row["n"]
        summary.messages += row["n"]
    return summaries


@dataclass
class MessageWindow:
    hours: list[tuple[date, int, int]]  # (day, hour, messages), hours with messages only
    tokens: int
    chars: int
    top_words: dict[str, list[dict[str, Any]]]  # "everyone", "user", "assistant"

    @property
    def messages(self) -> int:
        return sum(n for _, _, n in self.hours)


def _columns(summaries: Iterable[DaySummary]) -> list[list[Any]]:
    columns: list[list[Any]] = [[], [], [], [], []]
    for summary in summaries:
        for column, values in zip(columns, summary.word_columns()):
            column.extend(values)
    return columns


async def read_window(pool: Any, start: date, end: date) -> tuple[MessageWindow, list[tuple[DaySummary, Any]]]:
    """The window's message blocks, and the fresh summaries worth caching (with their stamps)."""
    async with pool.acquire() as conn, conn.transaction(isolation="repeatable_read", readonly=True):
        await conn.execute(QUERIES.stats_read_tuning)  # texts are grouped by hashing, not by a collated sort
        state = await conn.fetch(QUERIES.stats_days_state, start, end)
        valid = [s["local_date"] for s in state if s["cacheable"] and s["day_version"] == s["changed"]
                 and s["epoch"] == s["current_epoch"]]
        known = set(valid)
        fresh_days = [s["local_date"] for s in state if s["local_date"] not in known]
        texts = await conn.fetch(QUERIES.stats_days_texts, fresh_days) if fresh_days else []
        hours = await conn.fetch(QUERIES.stats_days_hours, fresh_days) if fresh_days else []
        fresh = summarize(fresh_days, texts, hours)
        cached = await conn.fetch(QUERIES.stats_days_cached, valid) if valid else []
        ranked = await conn.fetch(QUERIES.stats_days_top_words, valid, *_columns(fresh.values()), TOP_WORDS)
    per_day = [(r["local_date"], r["hours"], r["tokens"], r["chars"]) for r in cached]
    per_day += [(s.day, s.hours, s.tokens, s.chars) for s in fresh.values()]
    per_day.sort(key=lambda item: item[0])
    top: dict[str, list[dict[str, Any]]] = {"everyone": [], "user": [], "assistant": []}
    for row in ranked:
        top["everyone" if row["scope"] == EVERYONE else row["scope"]].append({"word": row["word"], "count": row["n"]})
    window = MessageWindow(
        hours=[(day, hour, n) for day, counts, _, _ in per_day for hour, n in enumerate(counts) if n],
        tokens=sum(item[2] for item in per_day), chars=sum(item[3] for item in per_day), top_words=top)
    stamps = {s["local_date"]: s for s in state}
    to_cache = [(fresh[day], stamps[day]) for day in fresh_days if stamps[day]["cacheable"]]
    return window, to_cache


async def store(pool: Any, summaries: list[tuple[DaySummary, Any]]) -> None:
    """Cache day summaries under the stamps they were computed at (a later change makes them stale)."""
    if not summaries:
        return
    summaries = sorted(summaries, key=lambda item: item[0].day)  # row locks in day order: no deadlocks
    days = [summary.day for summary, _ in summaries]
    async with pool.acquire() as conn, conn.transaction():
        await conn.executemany(QUERIES.stats_days_store_day, [
            (s.day, stamp["changed"], stamp["current_epoch"], s.messages, s.tokens, s.chars, s.hours)
            for s, stamp in summaries])
        await conn.execute(QUERIES.stats_days_clear_words, days)
        await conn.execute(QUERIES.stats_days_store_words, *_columns(s for s, _ in summaries))


async def message_window(pool: Any, start: date, end: date) -> MessageWindow:
    window, to_cache = await read_window(pool, start, end)
    await store(pool, to_cache)
    return window


async def warm(pool: Any, start: date, end: date) -> int:
    """Summarise and cache every settled day of start..end that is not validly cached; answers how many."""
    _, to_cache = await read_window(pool, start, end)
    await store(pool, to_cache)
    return len(to_cache)
