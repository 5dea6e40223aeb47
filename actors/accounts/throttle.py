"""Login throttling rules: failures counted per account and per client address in a sliding window.

An account is refused after `per_account` failures in the window; an address
after `per_address` (higher, so one office behind one address can still log in
to its other accounts while somebody mistypes one password).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limits:
    per_account: int = 5
    per_address: int = 20
    window: timedelta = timedelta(minutes=15)


@dataclass(frozen=True)
class RecentFailures:
    account_count: int
    account_oldest: datetime | None
    address_count: int
    address_oldest: datetime | None


def retry_after(failures: RecentFailures, limits: Limits, now: datetime) -> int | None:
    """Seconds until another attempt is allowed, or None when it is allowed now."""
    waits = []
    if failures.account_count >= limits.per_account and failures.account_oldest is not None:
        waits.append(failures.account_oldest + limits.window - now)
    if failures.address_count >= limits.per_address and failures.address_oldest is not None:
        waits.append(failures.address_oldest + limits.window - now)
    if not waits:
        return None
    return max(1, math.ceil(max(waits).total_seconds()))
