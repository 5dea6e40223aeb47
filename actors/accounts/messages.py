"""Messages of the account actor (one actor per account, keyed by the lower-cased email).

Secrets (passwords, refresh tokens) are left out of `repr`, so no log or trace can print them.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from actors.accounts.store import Changes
from runtime.routes import Role


@dataclass(frozen=True)
class LogIn:
    password: str = field(repr=False)
    address: str
    now: datetime


@dataclass(frozen=True)
class Register:
    email: str
    password: str = field(repr=False)
    role: Role = Role.STAFF
    is_active: bool = True
    is_verified: bool = False


@dataclass(frozen=True)
class UpdateAccount:
    user_id: str
    changes: Changes
    now: datetime


@dataclass(frozen=True)
class UpdateOwnAccount:
    """A user changing its own email or password: proven by the current password."""

    user_id: str
    changes: Changes
    current_password: str | None = field(repr=False)
    address: str
    now: datetime


@dataclass(frozen=True)
class EndAllSessions:
    """Logout everywhere."""

    user_id: str
    now: datetime


@dataclass(frozen=True)
class DeleteAccount:
    user_id: str


@dataclass(frozen=True)
class RotateSession:
    refresh_token: str = field(repr=False)
    now: datetime


@dataclass(frozen=True)
class EndSession:
    refresh_token: str = field(repr=False)
    now: datetime
