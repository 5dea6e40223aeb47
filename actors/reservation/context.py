"""What every reservation operation needs: the clock, the config, vacations, the envelope, error handling."""
from __future__ import annotations

import functools
import logging
from datetime import date, datetime
from typing import TYPE_CHECKING, Any, Awaitable, Callable
from zoneinfo import ZoneInfo

import asyncpg

from actors.app_config import current_app_config
from actors.reservation.metrics import ASSISTANT_FUNCTION_ERRORS
from actors.reservation.texts import text
from actors.reservation.vacations import Period
from runtime.actor_system import ActorSystemStopped, MailboxFull
from runtime.db import DATABASE_UNAVAILABLE, QUERIES

if TYPE_CHECKING:
    from runtime.services import Services

log = logging.getLogger("mawid.reservations")

# Busy or database unreachable: HTTP 503 + Retry-After from the middleware, not a failed operation.
_OVERLOAD = (MailboxFull, ActorSystemStopped, asyncpg.TooManyConnectionsError, *DATABASE_UNAVAILABLE)
CLOCK_KEY = "reservation_clock"  # services.extras: a zero-argument callable returning an aware datetime (tests)
BOOKING_HORIZON_DAYS = 730  # the reference's only limit was the Hijri converter's range (year 2077)


def now(services: "Services") -> datetime:
    clock = services.extras.get(CLOCK_KEY)
    zone = ZoneInfo(services.config.timezone)
    return clock().astimezone(zone) if clock is not None else datetime.now(zone)


def today(services: "Services") -> date:
    return now(services).date()


def envelope(success: bool, message: str | None = None, data: Any = None) -> dict[str, Any]:
    result: dict[str, Any] = {"success": success}
    if data is not None:
        result["data"] = data
    if message is not None:
        result["message"] = message
    return result


def fail(key: str, ar: bool = False, **args: Any) -> dict[str, Any]:
    return envelope(False, text(key, ar, **args))


async def app_settings(services: "Services", conn=None) -> dict[str, Any]:
    return await current_app_config(services, conn)


async def vacation_periods(services: "Services", conn=None) -> list[Period]:
    if conn is None:
        async with services.require_pool().acquire() as own:
            rows = await own.fetch(QUERIES.vacation_periods_all)
    else:
        rows = await conn.fetch(QUERIES.vacation_periods_all)
    return [Period(r["start_date"], r["end_date"], r["title"]) for r in rows]


def vacation_base(services: "Services") -> str:
    return services.config.vacation_message or ""


def guarded(function: str) -> Callable:
    """An unexpected exception becomes the reference's generic failure and counts in metrics (spec 20 §9.0)."""

    def wrap(operation: Callable[..., Awaitable[dict[str, Any]]]) -> Callable[..., Awaitable[dict[str, Any]]]:
        @functools.wraps(operation)
        async def run(services: "Services", *args: Any, **kwargs: Any) -> dict[str, Any]:
            try:
                return await operation(services, *args, **kwargs)
            except _OVERLOAD:
                raise  # "busy, retry" (HTTP 503 from the middleware), not a failed operation
            except Exception as exc:
                log.exception("reservation operation failed", extra={"operation": function})
                ASSISTANT_FUNCTION_ERRORS.inc({"function": function})
                if services.config.environment.lower() in {"development", "dev", "debug"}:
                    return envelope(False, f"Operation '{function}' failed: {exc or type(exc).__name__}")
                return fail("system_error_try_later", bool(kwargs.get("ar")))

        return run

    return wrap


def reservation_type(value: Any) -> int | None:
    """0 or 1 after integer coercion (`"1"`, `true` accepted), else None."""
    if value is None:
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if number in (0, 1) else None


def reservation_key(value: Any) -> int | None:
    """A reservation id as the table's integer column can hold it, else None (no such reservation)."""
    try:
        number = int(value)
    except (TypeError, ValueError, OverflowError):  # OverflowError: a float infinity
        return None
    return number if -(2**31) <= number < 2**31 else None
