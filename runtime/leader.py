"""Leader election among all processes of a deployment, on a PostgreSQL advisory lock.

Every process keeps one dedicated connection (outside the pool) and tries a
session-level `pg_try_advisory_lock` on it. The holder is the leader until its
connection ends: a clean stop unlocks, a crash or a killed connection makes
PostgreSQL drop the lock with the session, and a follower's next try wins. A
leader checks its connection every `check_interval` and steps down as soon as
the check fails, so it never keeps acting on a lock it no longer holds for long;
a leader that hangs stops checking, and PostgreSQL ends its idle session. Work
that must not be done twice still claims its occurrence in the database.
"""
from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
from collections.abc import Awaitable, Callable

import asyncpg

from runtime.db import QUERIES
from runtime.tasks import stop_task

log = logging.getLogger("mawid.leader")

Callback = Callable[[], Awaitable[None]]


def lock_key(name: str) -> int:
    """A stable, positive 62-bit advisory-lock key for a name."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big") >> 2


SCHEDULER_LOCK = lock_key("mawid:scheduler-leader")


class LeaderElection:
    """Run `on_elected` when this process becomes leader and `on_demoted` when it stops being one."""

    def __init__(
        self,
        dsn: str,
        *,
        key: int = SCHEDULER_LOCK,
        on_elected: Callback,
        on_demoted: Callback,
        retry_interval: float = 2.0,
        check_interval: float = 2.0,
        name: str = "scheduler",
    ) -> None:
        self._dsn = dsn
        self._key = key
        self._on_elected = on_elected
        self._on_demoted = on_demoted
        self._retry = retry_interval
        self._check = check_interval
        self._name = name
        self._task: asyncio.Task | None = None
        self._conn: asyncpg.Connection | None = None
        self.is_leader = False
        self.elected = asyncio.Event()

    @property
    def backend_pid(self) -> int | None:
        """The PostgreSQL backend of the election connection (tests terminate it to kill a leader)."""
        return None if self._conn is None or self._conn.is_closed() else self._conn.get_server_pid()

    def start(self) -> None:
        self._task = asyncio.create_task(self._run(), name=f"leader-election-{self._name}")

    async def stop(self) -> None:
        """Step down (unlocking, so a follower takes over at once) and close the connection."""
        if self._task is not None:
            await stop_task(self._task)
            self._task = None

    async def _run(self) -> None:
        while True:
            try:
                await self._campaign()
            except asyncio.CancelledError:
                raise
            except (TimeoutError, OSError, asyncpg.PostgresError, asyncpg.InterfaceError,
                    asyncpg.InternalClientError) as exc:  # a killed session surfaces as any of these
                log.warning("leader election connection failed, retrying: %s: %s", type(exc).__name__, exc,
                            extra={"election": self._name})
            except Exception:  # a failing callback must not end the election for good
                log.exception("leader election failed, retrying", extra={"election": self._name})
            await asyncio.sleep(self._retry)

    async def _campaign(self) -> None:
        conn = await asyncpg.connect(self._dsn, timeout=10, server_settings=self._session_settings())
        self._conn = conn
        holding = False
        try:
            while not await conn.fetchval(QUERIES.leader_try_lock, self._key, timeout=10):
                await asyncio.sleep(self._retry)
            holding = True
            await self._lead(conn)
        finally:
            self._conn = None
            await self._close(conn, holding)

    def _session_settings(self) -> dict[str, str]:
        # A leader that hangs (or whose host vanishes without closing its socket) stops sending its
        # heartbeat: PostgreSQL then ends the idle session, and the lock with it, instead of waiting
        # for TCP keepalives (hours by default). A live candidate queries every retry/check interval.
        idle_ms = int(max(self._check, self._retry) * 5 * 1000)
        return {"application_name": f"mawid-{self._name}", "idle_session_timeout": str(max(idle_ms, 1000)),
                "tcp_keepalives_idle": "10", "tcp_keepalives_interval": "5", "tcp_keepalives_count": "3"}

    async def _lead(self, conn: asyncpg.Connection) -> None:
        self.is_leader = True
        self.elected.set()
        log.info("became leader", extra={"election": self._name, "backend_pid": conn.get_server_pid()})
        try:
            await self._on_elected()
            while True:
                await asyncio.sleep(self._check)
                await conn.fetchval(QUERIES.leader_heartbeat, timeout=max(self._check * 2, 5.0))
        finally:
            self.is_leader = False
            self.elected.clear()
            log.info("stepped down as leader", extra={"election": self._name})
            await self._on_demoted()

    async def _close(self, conn: asyncpg.Connection, holding: bool) -> None:
        if conn.is_closed():
            return
        try:
            # Closing ends the session, which releases the lock; a leader unlocks first to say so explicitly
            # (a follower never held it: unlocking would only make PostgreSQL warn).
            async with asyncio.timeout(5):  # not wait_for, which loses a cancel on Python 3.11
                await (self._unlock_and_close(conn) if holding else conn.close())
        except asyncio.CancelledError:
            conn.terminate()
            raise
        except Exception:
            conn.terminate()

    async def _unlock_and_close(self, conn: asyncpg.Connection) -> None:
        with contextlib.suppress(asyncpg.PostgresError, asyncpg.InterfaceError):
            await conn.fetchval(QUERIES.leader_unlock, self._key)
        await conn.close()
