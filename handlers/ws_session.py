"""Whether an open `/ws` still speaks for its account; a socket that no longer does is closed with 4401.

The upgrade checked the token once; a socket lives much longer than a token. So:
- every frame re-checks the account (write commands read it from the database,
  reads from the process's short account cache) and the token's expiry;
- an announced account change (disable, role, password, logout everywhere)
  re-checks that account's sockets at once, and every ACCOUNT_CACHE_SECONDS all
  sockets are re-checked in case an announcement was lost;
- a socket whose token expires is closed within a second.
4401 is not 1000, so both the reference dashboard and `/app` reconnect; the
reconnect's upgrade is refused with 401 until the client renews its token, and
`/app` renews it at once on 4401 (handlers/static/js/realtime.js).
"""
from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from runtime.account_sessions import AccountDirectory
from runtime.auth import Claims
from runtime.hub import Connection, Hub
from runtime.routes import User

log = logging.getLogger("mawid.ws")

CLOSE_SESSION_ENDED = 4401  # application range (4000-4999): "401" for a socket
_tasks: set[asyncio.Task[Any]] = set()


async def current_user(conn: Connection, directory: AccountDirectory | None, *, fresh: bool) -> User | None:
    """The socket's user as its account is now, or None when the socket must be closed."""
    claims: Claims | None = getattr(conn, "claims", None)
    user: User = conn.user
    if claims is None:
        return user  # a trusted network: no account behind it
    if time.time() >= claims.expires_at or directory is None:
        return None
    account = await directory.get(claims.user_id, fresh=fresh)
    if account is None or not account.admits(claims.epoch):
        return None
    return User(account.id, account.email, account.role, via=user.via)


def end(hub: Hub, conn: Connection, reason: str) -> None:
    """From outside the socket's own handler (which is waiting for a frame): close in the background."""
    hub.drop(conn, CLOSE_SESSION_ENDED, reason)


async def end_now(hub: Hub, conn: Connection, reason: str) -> None:
    """From the socket's own handler: close before it returns, so its own clean-up cannot close with
    1000 first (1000 tells the reference dashboard never to come back)."""
    if conn.closed:
        return
    log.info("closing websocket: %s", reason, extra={"tab": conn.tab, "code": CLOSE_SESSION_ENDED})
    hub.disconnect(conn)
    try:
        async with asyncio.timeout(2.0):
            await conn.ws.close(code=CLOSE_SESSION_ENDED, message=reason.encode())
    except Exception:  # TimeoutError included
        if conn.transport is not None and not conn.transport.is_closing():
            conn.transport.abort()


async def recheck(hub: Hub, directory: AccountDirectory | None, user_id: str | None = None) -> None:
    """Close the sockets (of one account, or all) whose account no longer admits them or changed role."""
    for conn in list(hub.connections):
        claims: Claims | None = getattr(conn, "claims", None)
        if claims is None or conn.closed or (user_id is not None and claims.user_id != user_id):
            continue
        try:
            user = await current_user(conn, directory, fresh=False)
        except Exception:
            log.warning("could not re-check a websocket's account", exc_info=True)
            continue
        if user is None:
            end(hub, conn, "session ended")
        elif user.role != conn.user.role:
            end(hub, conn, "role changed")


def close_expired(hub: Hub, now: float | None = None) -> None:
    now = time.time() if now is None else now
    for conn in list(hub.connections):
        claims: Claims | None = getattr(conn, "claims", None)
        if claims is not None and now >= claims.expires_at:
            end(hub, conn, "token expired")


def watch_accounts(hub: Hub, directory: AccountDirectory | None):
    """Re-check an account's sockets whenever its change is announced; returns the unsubscribe function."""
    if directory is None:
        return lambda: None

    def changed(user_id: str) -> None:
        if not any(getattr(conn, "claims", None) is not None and conn.claims.user_id == user_id
                   for conn in hub.connections):
            return
        task = asyncio.ensure_future(recheck(hub, directory, user_id))
        _tasks.add(task)
        task.add_done_callback(_tasks.discard)

    return directory.subscribe(changed)
