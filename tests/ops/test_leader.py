"""Leader election: one leader among processes; a dead leader's lock passes to another within seconds."""
from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import uuid
from pathlib import Path

import pytest

from runtime.config import load_config
from runtime.leader import LeaderElection, lock_key
from tests.ops.support import running_services

ROOT = Path(__file__).resolve().parents[2]


async def eventually(predicate, limit: float = 30.0) -> None:
    """Wait until `predicate()` holds; the limit only keeps a broken build from hanging."""
    deadline = asyncio.get_running_loop().time() + limit
    while not predicate():
        assert asyncio.get_running_loop().time() < deadline, "condition not reached"
        await asyncio.sleep(0.05)


class Recorder:
    def __init__(self, name: str, log: list[str]) -> None:
        self.name, self.log = name, log

    async def elected(self) -> None:
        self.log.append(f"{self.name} elected")

    async def demoted(self) -> None:
        self.log.append(f"{self.name} demoted")


def election(db_url: str, key: int, recorder: Recorder) -> LeaderElection:
    return LeaderElection(db_url, key=key, on_elected=recorder.elected, on_demoted=recorder.demoted,
                          retry_interval=0.1, check_interval=0.1, name=recorder.name)


@contextlib.asynccontextmanager
async def two_candidates(db_url: str):
    """Two elections campaigning for one fresh lock, with one log of their elections and demotions."""
    key = lock_key(f"test-{uuid.uuid4()}")
    log: list[str] = []
    first, second = election(db_url, key, Recorder("first", log)), election(db_url, key, Recorder("second", log))
    first.start()
    second.start()
    try:
        yield first, second, log
    finally:
        await first.stop()
        await second.stop()


async def test_one_leader_and_a_killed_connection_hands_over(db, db_url):
    async with two_candidates(db_url) as (first, second, log):
        await eventually(lambda: first.is_leader or second.is_leader)
        await asyncio.sleep(0.5)  # both have campaigned several times by now
        assert [first.is_leader, second.is_leader].count(True) == 1
        leader, follower = (first, second) if first.is_leader else (second, first)

        # The leader's session dies (as when its host vanishes): PostgreSQL drops the lock with it.
        await db.execute("SELECT pg_terminate_backend($1)", leader.backend_pid)
        await eventually(lambda: follower.is_leader)
        await eventually(lambda: f"{leader._name} demoted" in log)
        assert log[0] == f"{leader._name} elected"
        assert log.index(f"{follower._name} elected") > 0
        await asyncio.sleep(0.5)  # the old leader reconnects and campaigns, but must stay a follower
        assert not leader.is_leader and follower.is_leader


async def test_a_follower_stops_without_unlocking_what_it_never_held(db_url):
    async with two_candidates(db_url) as (first, second, _log):
        await eventually(lambda: first.is_leader or second.is_leader)
        leader, follower = (first, second) if first.is_leader else (second, first)
        await eventually(lambda: follower._conn is not None)
        warnings: list[str] = []
        follower._conn.add_log_listener(lambda _conn, message: warnings.append(message.message))
        await follower.stop()
        assert warnings == []  # not "you don't own a lock of type ExclusiveLock"
        assert leader.is_leader


async def test_a_leader_process_killed_with_sigkill_hands_over(db_url):
    key = lock_key(f"test-{uuid.uuid4()}")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.ops.leader_process", db_url, str(key), cwd=ROOT, env=env,
        stdout=asyncio.subprocess.PIPE)
    log: list[str] = []
    ours = election(db_url, key, Recorder("ours", log))
    try:
        line = await asyncio.wait_for(proc.stdout.readline(), 30)
        assert line.startswith(b"elected"), line
        ours.start()
        await asyncio.sleep(0.5)
        assert not ours.is_leader  # the other process holds the lock

        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        await eventually(lambda: ours.is_leader)
        assert log == ["ours elected"]
    finally:
        if proc.returncode is None:
            proc.kill()
            await proc.wait()
        await ours.stop()


async def test_two_app_instances_run_leader_jobs_on_one_only_and_hand_over_on_stop(env):
    config = load_config({**env, "SCHEDULER_ENABLED": "true"})
    async with running_services(config, with_scheduler=True) as first:
        async with running_services(config, with_scheduler=True) as second:
            one, two = first.extras["jobs"], second.extras["jobs"]
            await eventually(lambda: one.is_leader or two.is_leader)
            await asyncio.sleep(0.5)
            leader, follower = (one, two) if one.is_leader else (two, one)
            assert not follower.is_leader
            assert leader._triggers["send_reminders"].running and leader._triggers["database_backup"].running
            assert not follower._triggers["send_reminders"].running
            # Per-process jobs run everywhere.
            assert follower._triggers["system_metrics"].running and leader._triggers["system_metrics"].running
        # `second` has stopped (unlocking if it led): `first` leads now.
        await eventually(lambda: first.extras["jobs"].is_leader)
        assert first.extras["jobs"]._triggers["send_reminders"].running


def _is_leader(server) -> bool:
    import httpx

    text = httpx.get(server.url + "/metrics", timeout=5).text
    return "\nmawid_scheduler_leader 1" in text


@pytest.mark.slow
async def test_two_servers_one_leader_and_the_survivor_leads_after_sigkill(env):
    """Two real `bin/mawid serve` processes: exactly one leads; SIGKILL it and the other takes over."""
    from tests.support.servers import ServerProcess

    server_env = {**env, "SCHEDULER_ENABLED": "true", "SCHEDULER_POLL_INTERVAL": "0.3"}
    servers = list(await asyncio.gather(*(asyncio.to_thread(ServerProcess(server_env).start) for _ in range(2))))
    try:
        await eventually(lambda: any(_is_leader(s) for s in servers))
        await asyncio.sleep(1.0)
        leaders = [s for s in servers if _is_leader(s)]
        assert len(leaders) == 1
        survivor = next(s for s in servers if s is not leaders[0])
        await asyncio.to_thread(leaders[0].stop, signal.SIGKILL)
        await eventually(lambda: _is_leader(survivor))
    finally:
        await asyncio.gather(*(asyncio.to_thread(server.stop) for server in servers))


async def test_a_process_with_the_scheduler_disabled_never_leads_but_samples_its_metrics(env):
    from runtime.process_metrics import PROCESS_MEMORY_BYTES

    async with running_services(load_config(env), with_scheduler=True) as services:  # SCHEDULER_ENABLED=false
        scheduler = services.extras["jobs"]
        await asyncio.sleep(0.5)
        assert not scheduler.is_leader and scheduler.election.backend_pid is None
        assert scheduler._triggers["system_metrics"].running and not scheduler._triggers["send_reminders"].running
        assert PROCESS_MEMORY_BYTES.get({}) > 0


async def test_a_hung_leader_process_loses_the_lock(db_url):
    """SIGSTOP: the process keeps its socket open but stops its heartbeat; PostgreSQL ends the idle session."""
    key = lock_key(f"test-{uuid.uuid4()}")
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.ops.leader_process", db_url, str(key), cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=asyncio.subprocess.PIPE)
    log: list[str] = []
    ours = election(db_url, key, Recorder("ours", log))
    try:
        assert (await asyncio.wait_for(proc.stdout.readline(), 30)).startswith(b"elected")
        ours.start()
        proc.send_signal(signal.SIGSTOP)
        await eventually(lambda: ours.is_leader)
        proc.send_signal(signal.SIGCONT)
        # Woken up, the old leader finds its session gone and steps down.
        assert (await asyncio.wait_for(proc.stdout.readline(), 30)).startswith(b"demoted")
        assert ours.is_leader
    finally:
        proc.send_signal(signal.SIGCONT)
        proc.kill()
        await proc.wait()
        await ours.stop()
