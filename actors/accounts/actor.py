"""The account actor: every write to one account (login, sessions, profile, role) in arrival order.

Keyed by the lower-cased email. Correctness across processes comes from
PostgreSQL (unique email, row locks, advisory locks); the actor keeps one
process from racing itself and keeps slow password hashing off the caller.
"""
from __future__ import annotations

from actors.accounts.login import Attempt, log_in
from actors.accounts.messages import DeleteAccount, EndSession, LogIn, Register, RotateSession, UpdateAccount
from actors.accounts.sessions import Session, end_session, rotate
from actors.accounts.store import Account, create_account, delete_account, update_account
from runtime.actor_system import Actor


class AccountActor(Actor):
    idle_timeout = 60.0

    @property
    def _pool(self):
        return self.context.require_pool()

    async def on_log_in(self, msg: LogIn) -> Session:
        attempt = Attempt(self.key, msg.password, msg.address, msg.now)
        return await log_in(self._pool, attempt, refresh_ttl=self.context.config.refresh_token_ttl)

    async def on_register(self, msg: Register) -> Account:
        return await create_account(
            self._pool, msg.email, msg.password, role=msg.role, is_active=msg.is_active, is_verified=msg.is_verified
        )

    async def on_update_account(self, msg: UpdateAccount) -> Account | None:
        return await update_account(self._pool, msg.user_id, msg.changes, now=msg.now)

    async def on_delete_account(self, msg: DeleteAccount) -> bool:
        return await delete_account(self._pool, msg.user_id)

    async def on_rotate_session(self, msg: RotateSession) -> Session:
        return await rotate(self._pool, msg.refresh_token, self.context.config.refresh_token_ttl, msg.now)

    async def on_end_session(self, msg: EndSession) -> bool:
        return await end_session(self._pool, msg.refresh_token, msg.now)
