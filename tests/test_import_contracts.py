"""The import-linter contracts hold, among them the one that keeps the assistant below the conversation actor."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept():
    linter = Path(sys.executable).with_name("lint-imports")
    run = subprocess.run([str(linter), "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    # the contract exists and was checked: an assistant module importing actors.conversation breaks it
    assert "imports actors.conversation KEPT" in " ".join(run.stdout.split())
