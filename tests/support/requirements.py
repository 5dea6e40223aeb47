"""What the suite needs from the machine, found the way `make test` provides it, or a failure naming it.

A missing piece fails the tests that need it instead of skipping them: a skip would let a broken setup (no
Redis, fixtures moved, a tool gone) pass as green. The one exception is a program that only root can install
(apt-get) when the suite does not run as root: those tests skip, saying what to install. As root,
`bin/bootstrap test` installs them, so a missing one there is a failure too.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
import redis

ROOT = Path(__file__).resolve().parents[2]
# One variable for the shared fixtures (reference-db/, whatsapp/): by default ../shared/fixtures beside the
# checkout, where every worktree and CI's clone have them.
FIXTURES = Path(os.environ.get("MAWID_FIXTURES") or ROOT.parent / "shared" / "fixtures")
FALLBACK_REDIS_URL = "redis://127.0.0.1:6379/15"


def shared_fixture(*parts: str) -> Path:
    return FIXTURES.joinpath(*parts)


def require_fixture(path: Path) -> Path:
    if not path.exists():
        pytest.fail(f"shared fixture missing: {path} (set MAWID_FIXTURES to the shared fixtures directory; "
                    "by default it is ../shared/fixtures beside the checkout)", pytrace=False)
    return path


def require_program(name: str, package: str, path: str | None = None) -> str:
    """The path of program `name` (Debian package `package`); `path` is where to look besides PATH."""
    found = path if path and Path(path).exists() else shutil.which(name)
    if found:
        return found
    message = f"{name} is not installed (Debian package `{package}`: apt-get install -y {package})"
    if os.geteuid() == 0:
        pytest.fail(f"{message}; as root `make test` installs it, so it is missing on purpose or the install "
                    "failed", pytrace=False)
    pytest.skip(f"{message}; needs root to install")
    raise AssertionError("unreachable")  # pytest.skip raises


def _answers_ping(url: str) -> bool:
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
    try:
        return bool(client.ping())
    except redis.RedisError:
        return False
    finally:
        client.close()


def _own_database(url: str) -> str:
    """`url` with a Redis database of this pytest-xdist worker's own (gw0 -> 1, gw1 -> 2, ...): keys such as
    a webhook's dedupe marker are named after fixture data that parallel workers share."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    if not worker.startswith("gw"):
        return url
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{1 + int(worker[2:]) % 15}"))


def redis_url() -> str:
    """The Redis `make test` started (MAWID_TEST_REDIS_URL), else the machine's on 6379 (database 15); under
    pytest-xdist each worker takes a database of its own on that server."""
    configured = os.environ.get("MAWID_TEST_REDIS_URL")
    url = _own_database(configured or FALLBACK_REDIS_URL)
    if not _answers_ping(url):
        where = f"MAWID_TEST_REDIS_URL={configured}" if configured else f"{url} (MAWID_TEST_REDIS_URL is unset)"
        pytest.fail(f"no Redis answers at {where}: run the suite with `make test` (it starts one), start "
                    "redis-server, or set MAWID_TEST_REDIS_URL", pytrace=False)
    return url
