"""`make bench`: run every benchmark script in this folder and print their tables."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    selected = sys.argv[1:]
    failures = 0
    for script in sorted(HERE.glob("bench_*.py")):
        if selected and not any(name in script.stem for name in selected):
            continue
        print(f"\n=== {script.stem} ===", flush=True)
        failures += subprocess.run([sys.executable, str(script)], cwd=HERE.parent).returncode != 0
    return 1 if failures else 0


if __name__ == "__main__":
    raise SystemExit(main())
