"""Login throttling rules: failures counted per (account, address), per address and per account.

- An account is refused from one address after `per_pair` failures there: a
  guesser is slowed without touching anybody else.
- An address is refused after `per_address` failures whatever the accounts (one
  address spraying many accounts); higher, so an office behind one address can
  still log in while somebody mistypes a password.
- An account is refused after `per_account` failures from anywhere (guessing
  from many addresses) — but never at an address it logged in from successfully
  within `known_for`: strangers' failures cannot lock the real user out of the
  places it uses.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True)
class Limits:
    per_pair: int = 5
    per_address: int = 20
    per_account: int = 50
    window: timedelta = timedelta(minutes=15)
    known_for: timedelta = timedelta(days=90)


@dataclass(frozen=True)
class RecentFailures:
    pair_count: int
    pair_oldest: datetime | None
    account_count: int
    account_oldest: datetime | None
    address_count: int
    address_oldest: datetime | None
    known_address: bool = False


def retry_after(failures: RecentFailures, limits: Limits, now: datetime) -> int | None:
    """Seconds until another attempt is allowed, or None when it is allowed now."""
    waits = []
    if failures.pair_count >= limits.per_pair and failures.pair_oldest is not None:
        waits.append(failures.pair_oldest + limits.window - now)
    if failures.address_count >= limits.per_address and failures.address_oldest is not None:
        waits.append(failures.address_oldest + limits.window - now)
    if (not failures.known_address and failures.account_count >= limits.per_account
            and failures.account_oldest is not None):
        waits.append(failures.account_oldest + limits.window - now)
    if not waits:
        return None
    return max(1, math.ceil(max(waits).total_seconds()))
