"""The generated token-signing key never leaves the database in a backup (docs/security.md)."""
from __future__ import annotations

import gzip
import os
import subprocess
import sys

from tests.support.servers import ROOT


def _backup(env: dict, directory) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(ROOT / "bin" / "mawid"), "backup", "--no-progress"], cwd=ROOT,
                          env={**os.environ, **env, "BACKUP_DIR": str(directory), "MAWID_NO_REEXEC": "1"},
                          capture_output=True, text=True, timeout=120)


async def test_backups_hold_the_key_table_but_not_the_key(db, env, tmp_path):
    key = "k" * 64
    await db.execute("INSERT INTO auth_secrets (name, value) VALUES ('jwt_signing_key', $1)", key)
    done = _backup(env, tmp_path)
    assert done.returncode == 0, done.stderr
    [dump] = list(tmp_path.glob("pgdump_*.sql.gz"))
    text = gzip.decompress(dump.read_bytes()).decode()
    assert "CREATE TABLE public.auth_secrets" in text
    assert key not in text
