"""Helpers shared by benchmarks: a private database per run, built from DATABASE_URL's server."""
from __future__ import annotations

import asyncio
import os
import sys
from contextlib import contextmanager
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


@contextmanager
def bench_database():
    """Yield the URL of a fresh migrated database on DATABASE_URL's server; drop it afterwards."""
    admin = os.environ.get("DATABASE_URL")
    if not admin:
        raise SystemExit("DATABASE_URL is not set: run through `make bench`")
    os.environ["MAWID_TEST_ADMIN_URL"] = admin
    from tests.support import database

    database.ADMIN_URL = admin
    url = asyncio.run(database.create_test_database("mawid_bench"))
    try:
        yield url
    finally:
        asyncio.run(database.drop_test_database(url))
