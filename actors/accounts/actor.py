"""The account actor: every write to one account (login, sessions, profile, role) in arrival order.

Keyed by the lower-cased email. Correctness across processes comes from
PostgreSQL (unique email, row locks, advisory locks); the actor keeps one
process from racing itself and keeps slow password hashing off the caller.
Every committed change is announced, so each process's account cache (and
every open WebSocket of the account) re-checks it at once (runtime/account_sessions.py).
"""
from __future__ import annotations

from actors.accounts.login import Attempt, confirm_password, log_in
from actors.accounts.messages import (
    DeleteAccount,
    EndAllSessions,
    EndSession,
    LogIn,
    Register,
    RotateSession,
    UpdateAccount,
    UpdateOwnAccount,
)
from actors.accounts.rules import account_key
from actors.accounts.sessions import Session, end_session, rotate
from actors.accounts.store import (
    Account,
    AccountError,
    Changes,
    by_id,
    create_account,
    delete_account,
    end_all_sessions,
    update_account,
)
from runtime.actor_system import Actor


def needs_current_password(account: Account, changes: Changes) -> bool:
    """A new password or a different email turns a stolen access token into a takeover: ask for proof."""
    new_email = changes.email is not None and account_key(changes.email) != account_key(account.email)
    return changes.password is not None or new_email


class AccountActor(Actor):
    idle_timeout = 60.0

    @property
    def _pool(self):
        return self.context.require_pool()

    async def _announce(self, user_id: str) -> None:
        accounts = self.context.accounts
        if accounts is not None:
            await accounts.announce(user_id)

    async def on_log_in(self, msg: LogIn) -> Session:
        attempt = Attempt(self.key, msg.password, msg.address, msg.now)
        return await log_in(self._pool, attempt, refresh_ttl=self.context.config.refresh_token_ttl)

    async def on_register(self, msg: Register) -> Account:
        return await create_account(
            self._pool, msg.email, msg.password, role=msg.role, is_active=msg.is_active, is_verified=msg.is_verified
        )

    async def on_update_account(self, msg: UpdateAccount) -> Account | None:
        try:
            return await update_account(self._pool, msg.user_id, msg.changes, now=msg.now)
        finally:
            await self._announce(msg.user_id)

    async def on_update_own_account(self, msg: UpdateOwnAccount) -> Account | None:
        """Raises AccountError (proof missing), LoginRefused (wrong proof) or LoginThrottled."""
        account = await by_id(self._pool, msg.user_id)
        if account is None:
            return None
        if needs_current_password(account, msg.changes):
            if not msg.current_password:
                raise AccountError("UPDATE_USER_CURRENT_PASSWORD_REQUIRED",
                                   "current_password is required to change the email or password")
            attempt = Attempt(account.email, msg.current_password, msg.address, msg.now)
            await confirm_password(self._pool, attempt, account.hashed_password)
        return await self.on_update_account(UpdateAccount(msg.user_id, msg.changes, msg.now))

    async def on_end_all_sessions(self, msg: EndAllSessions) -> bool:
        try:
            return await end_all_sessions(self._pool, msg.user_id, now=msg.now)
        finally:
            await self._announce(msg.user_id)

    async def on_delete_account(self, msg: DeleteAccount) -> bool:
        try:
            return await delete_account(self._pool, msg.user_id)
        finally:
            await self._announce(msg.user_id)

    async def on_rotate_session(self, msg: RotateSession) -> Session:
        return await rotate(self._pool, msg.refresh_token, self.context.config.refresh_token_ttl, msg.now)

    async def on_end_session(self, msg: EndSession) -> bool:
        return await end_session(self._pool, msg.refresh_token, msg.now)
