"""A scheduled job's run is a trace of its own: `job.run` with the job's id and outcome, its SQL beneath."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.support.fake_otlp import FakeCollector

ROOT = Path(__file__).resolve().parents[2]


def test_a_job_run_exports_a_job_span_with_its_sql(collector: FakeCollector, env):
    run_env = {**os.environ, **env, "OTEL_EXPORTER_OTLP_ENDPOINT": collector.endpoint,
               "OTEL_BSP_SCHEDULE_DELAY": "100", "MAWID_NO_REEXEC": "1"}
    done = subprocess.run([sys.executable, str(ROOT / "bin" / "mawid"), "jobs", "run", "prune_notifications"],
                          env=run_env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    deadline = time.monotonic() + 10  # the exporter flushes at exit; the collector may still be parsing
    while not any(s["name"] == "job.run" for s in collector.spans) and time.monotonic() < deadline:
        time.sleep(0.05)
    job = next(s for s in collector.spans if s["name"] == "job.run")
    assert job["attributes"]["mawid.job.id"] == "prune_notifications"
    assert job["attributes"]["mawid.job.outcome"] == "ok"
    assert job["attributes"]["mawid.job.manual"] is True
    assert job["parent_id"] is None
    children = [s for s in collector.spans if s["parent_id"] == job["span_id"]]
    assert any("db.system" in s["attributes"] for s in children), [s["name"] for s in children]
