"""`GET /stats`: the analytics dashboard (spec 30 §5), aggregated in PostgreSQL, queries run concurrently."""
from __future__ import annotations

import asyncio
import logging
from collections import Counter, defaultdict
from datetime import date
from typing import Any

from aiohttp import web
from pydantic import BaseModel, Field, field_validator

from actors.customers import analytics as rules
from actors.customers import message_days, window_cache, window_snapshots
from handlers.customers.common import services_of, today
from handlers.customers.read_pools import ANALYTICS, pool_of
from runtime.db import QUERIES
from runtime.metrics_map import metrics_map
from runtime.routes import QUERY, Role, Route, json_response

log = logging.getLogger("mawid.customers.stats")
TOP_CUSTOMERS = 50


class StatsQuery(BaseModel):
    from_date: str | None = Field(None, description="YYYY-MM-DD (default: 29 days before to_date)")
    to_date: str | None = Field(None, description="YYYY-MM-DD (default and maximum: today)")
    locale: str = Field("en", max_length=20, description="ar* selects Arabic month labels")

    @field_validator("from_date", "to_date")
    @classmethod
    def _date(cls, value: str | None) -> str | None:
        if value is not None and value.strip():
            try:
                date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError("must be a date, YYYY-MM-DD") from None
            return value.strip()
        return None


class Queries:
    """Runs each aggregate on its own pooled connection (all at once), tuned for one big read."""

    def __init__(self, pool: Any, jobs: Any = None, parallel: int = 4) -> None:
        self.pool = pool
        self.jobs = jobs  # an aiojobs scheduler for work that outlives the request (snapshot builds)
        # a few connections per request: enough to overlap the big scans, not enough to drain the pool
        self.slots = asyncio.Semaphore(parallel)

    async def _run(self, method: str, name: str, *args: Any) -> Any:
        # one statement: the pool's sessions carry stats_read_tuning's settings (read_pools.ANALYTICS)
        async with self.slots, self.pool.acquire() as conn:
            return await getattr(conn, method)(getattr(QUERIES, name), *args)

    async def fetch(self, name: str, *args: Any) -> list[Any]:
        return await self._run("fetch", name, *args)

    async def row(self, name: str, *args: Any) -> Any:
        return await self._run("fetchrow", name, *args)

    async def value(self, name: str, *args: Any) -> Any:
        return await self._run("fetchval", name, *args)

    async def customers(self, start: date, end: date, top: int) -> dict[str, Any]:
        """stats_customers: cached when its window is settled (actors/customers/window_cache.py), else folded
        from a snapshot of its settled days when one is valid (window_snapshots.py), else computed."""
        if window_cache.settled(end):
            async with self.slots:
                return await window_cache.window_row(self.pool, "stats_customers", start, end, top)
        async with self.slots:
            result, stale = await window_snapshots.current_window_row(self.pool, start, end, top)
        if stale and self.jobs is not None:
            await self.jobs.spawn(window_snapshots.refresh(self.pool, start, end))
        return result if result is not None else dict(await self.row("stats_customers", start, end, top))


def _reservation_blocks(groups: list[Any], modifications: list[Any], window: rules.Window) -> dict[str, Any]:
    daily: dict[date, dict[str, int]] = defaultdict(lambda: {"reservations": 0, "cancellations": 0, "modifications": 0})
    types = Counter()
    slots: Counter[str] = Counter()
    weekdays: dict[str, list[int]] = {}
    months: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    total = cancelled = 0
    for g in groups:
        n, is_cancelled = g["n"], g["status"] == "cancelled"
        total += n
        cancelled += n if is_cancelled else 0
        day = daily[g["slot_date"]]
        day["reservations"] += n
        day["cancellations"] += n if is_cancelled else 0
        types[1 if g["type"] == 1 else 0] += n
        slots[g["slot_time"].strftime("%H:%M")] += n
        week = weekdays.setdefault(rules.WEEKDAYS[g["slot_date"].weekday()], [0, 0])
        week[0] += n
        week[1] += n if is_cancelled else 0
        month = months[(g["slot_date"].year, g["slot_date"].month)]
        month[0] += n
        month[1] += n if is_cancelled else 0
    for m in modifications:
        if window.start <= m["day"] <= window.end:
            daily[m["day"]]["modifications"] += m["n"]
    return {
        "total": total, "cancelled": cancelled, "months": months,
        "dailyTrends": [{"date": d.isoformat(), **counts} for d, counts in sorted(daily.items())],
        "typeDistribution": [
            {"type": 0, "label": "Checkup", "count": types[0]}, {"type": 1, "label": "Followup", "count": types[1]},
        ],
        "timeSlots": [
            {"slot": s, "time": s, "count": n, "normalized": n, "type": "regular", "availDays": 0}
            for s, n in sorted(slots.items())
        ],
        "dayOfWeekData": [
            {"day": day, "reservations": r, "cancellations": c, "cancelRate": rules.percent(c, r)}
            for day, (r, c) in weekdays.items()
        ],
    }


def _message_blocks(hours: list[tuple[date, int, int]], months: dict[tuple[int, int], list[int]]) -> dict[str, Any]:
    heatmap: dict[tuple[str, int], int] = {}
    total = 0
    for day, hour, n in hours:
        key = (rules.WEEKDAYS[day.weekday()], hour)
        heatmap[key] = heatmap.get(key, 0) + n
        months[(day.year, day.month)][2] += n
        total += n
    return {
        "total": total,
        "messageHeatmap": [{"weekday": w, "hour": hour, "count": n} for (w, hour), n in heatmap.items()],
    }


async def compute(request: web.Request, query: StatsQuery) -> dict[str, Any]:
    services = services_of(request)
    now = today(request)
    window = rules.stats_window(
        date.fromisoformat(query.from_date) if query.from_date else None,
        date.fromisoformat(query.to_date) if query.to_date else None,
        now,
    )
    q = Queries(pool_of(services, ANALYTICS), services.jobs)
    cur, prev = (window.start, window.end), (window.previous_start, window.previous_end)
    (groups, modifications, customers, previous_customers, first, previous_first, active, message_window,
     responses, previous_responses, previous_groups) = await asyncio.gather(
        q.fetch("stats_reservation_groups", *cur),
        q.fetch("stats_modifications", *cur, services.config.timezone),
        q.customers(*cur, TOP_CUSTOMERS),
        q.customers(*prev, 0),
        q.value("stats_first_reservations", *cur),
        q.value("stats_first_reservations", *prev),
        q.value("stats_active_customers", now),
        message_days.message_window(services.require_pool(), *cur),
        q.row("stats_response_times", *cur),
        q.row("stats_response_times", *prev),
        q.fetch("stats_reservation_groups", *prev),
    )
    reservations = _reservation_blocks(groups, modifications, window)
    messages = _message_blocks(message_window.hours, reservations["months"])

    unique = first
    response = {
        "avg": min(60.0, responses["mean"]) if responses["mean"] is not None else 0.0,
        "median": responses["median"] if responses["median"] is not None else 0.0,
        "max": responses["longest"] if responses["longest"] is not None else 0.0,
    }
    previous_response = min(60.0, previous_responses["mean"]) if previous_responses["mean"] is not None else 0.0
    messages_per, bookings_per = (rules.CountHistogram.of(customers["message_histogram"]),
                                  rules.CountHistogram.of(customers["booking_histogram"]))
    previous_messages_per = rules.CountHistogram.of(previous_customers["message_histogram"])
    previous_bookings_per = rules.CountHistogram.of(previous_customers["booking_histogram"])
    conversion = rules.percent(customers["converted"], messages_per.customers)
    previous_conversion = rules.percent(previous_customers["converted"], previous_messages_per.customers)
    returning = bookings_per.customers_with(2)
    followups = bookings_per.mean_of(2, offset=1)
    previous_followups = previous_bookings_per.mean_of(2, offset=1)
    previous_total = sum(g["n"] for g in previous_groups)
    previous_cancelled = sum(g["n"] for g in previous_groups if g["status"] == "cancelled")
    per_customer = messages["total"] / unique if unique else 0

    stats = {
        "totalReservations": reservations["total"],
        "totalCancellations": reservations["cancelled"],
        "uniqueCustomers": unique,
        "conversionRate": conversion,
        "returningCustomers": returning,
        "returningRate": rules.percent(returning, unique),
        "avgFollowups": followups,
        "avgResponseTime": response["avg"],
        "activeCustomers": active,
        "trends": {
            "totalReservations": rules.trend(reservations["total"], previous_total),
            "cancellations": rules.trend(reservations["cancelled"], previous_cancelled, higher_is_better=False),
            "avgResponseTime": rules.trend(response["avg"], previous_response, higher_is_better=False),
            "avgFollowups": rules.trend(followups, previous_followups),
            "uniqueCustomers": rules.trend(unique, previous_first),
            "conversionRate": rules.trend(conversion, previous_conversion),
        },
    }
    try:
        prometheus = metrics_map()
    except Exception:  # the dashboard shows {} rather than failing on a metrics problem
        log.exception("could not read process metrics")
        prometheus = {}
    total_messages = messages["total"]
    return {
        "_isMockData": False,
        "stats": stats,
        "prometheusMetrics": prometheus,
        "dailyTrends": reservations["dailyTrends"],
        "typeDistribution": reservations["typeDistribution"],
        "timeSlots": reservations["timeSlots"],
        "messageHeatmap": messages["messageHeatmap"],
        "topCustomers": [
            {"wa_id": t["wa_id"], "messageCount": t["message_count"], "reservationCount": t["reservation_count"],
             "lastActivity": t["last_activity"] or ""}
            for t in customers["top_customers"]
        ],
        "conversationAnalysis": {
            "avgMessageLength": message_window.chars / total_messages if total_messages else 0,
            "avgWordsPerMessage": message_window.tokens / total_messages if total_messages else 0,
            "avgMessagesPerCustomer": per_customer,
            "totalMessages": total_messages,
            "uniqueCustomers": unique,
            "responseTimeStats": response,
            "messageCountDistribution": {
                "avg": per_customer, "median": messages_per.median(), "max": messages_per.largest,
            },
        },
        "wordFrequency": message_window.top_words["everyone"],
        "wordFrequencyByRole": {role: message_window.top_words[role] for role in ("user", "assistant")},
        "dayOfWeekData": reservations["dayOfWeekData"],
        "monthlyTrends": [
            {"month": rules.month_label(ym, query.locale), "reservations": r, "cancellations": c, "conversations": m}
            for ym, (r, c, m) in sorted(reservations["months"].items())
        ],
        "funnelData": [
            {"stage": "Conversations", "count": messages_per.customers},
            {"stage": "Made reservation", "count": bookings_per.customers},
            {"stage": "Returned for another", "count": returning},
            {"stage": "Cancelled", "count": reservations["cancelled"]},
        ],
        "customerSegments": rules.segments(bookings_per, unique),
    }


async def dashboard(request: web.Request) -> web.Response:
    try:
        data = await compute(request, request[QUERY])
    except Exception:
        log.exception("dashboard statistics failed")
        return json_response({"success": False, "message": "failed_to_compute_dashboard_stats"}, 500)
    return json_response({"success": True, "data": data})


ROUTES = [
    Route("GET", "/stats", dashboard, Role.VIEWER, query=StatsQuery,
          summary="Analytics dashboard for a date window, with trends against the previous window",
          tags=("analytics",), errors=((500, "failed_to_compute_dashboard_stats"),)),
]
