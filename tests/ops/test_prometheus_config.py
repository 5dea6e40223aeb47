"""The prometheus/ folder: valid for promtool, rules fire as intended, names match what /metrics exports."""
from __future__ import annotations

import re
import subprocess
from pathlib import Path

import yaml

from tests.ops.test_metrics_catalog import CATALOG, MAWID
from tests.support.requirements import require_program

FOLDER = Path(__file__).resolve().parents[2] / "prometheus"
FUNCTIONS = {"sum", "rate", "increase", "avg_over_time", "max", "vector", "time"}
EXTRA_NAMES = {"mawid_backup_last_success_timestamp_seconds"}


def _tool(name: str, package: str) -> str:
    return require_program(name, package)


def _run(*command: str) -> str:
    done = subprocess.run(command, cwd=FOLDER, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout


def test_promtool_accepts_the_config_and_the_rules():
    promtool = _tool("promtool", "prometheus")
    assert "SUCCESS" in _run(promtool, "check", "config", "prometheus.yml")
    assert "SUCCESS" in _run(promtool, "check", "rules", "alert_rules.yml")


def test_alert_rules_fire_on_the_series_mawid_exports():
    promtool = _tool("promtool", "prometheus")
    assert "SUCCESS" in _run(promtool, "test", "rules", "tests/alert_rules_test.yml")


def test_alertmanager_config_is_valid():
    amtool = _tool("amtool", "prometheus-alertmanager")
    _run(amtool, "check-config", "alertmanager.yml")


def test_every_metric_an_alert_uses_is_one_mawid_exports():
    rules = yaml.safe_load((FOLDER / "alert_rules.yml").read_text())
    known = set(CATALOG) | set(MAWID) | EXTRA_NAMES
    used = set()
    for group in rules["groups"]:
        for rule in group["rules"]:
            used |= set(re.findall(r"\b([a-z_][a-z0-9_]*)\s*[\[{)]", rule["expr"])) - FUNCTIONS
    assert used and used <= known, sorted(used - known)
    assert {r["alert"] for g in rules["groups"] for r in g["rules"]} >= {
        "AssistantFunctionException", "BackupScriptFailure", "SchedulerJobMissed", "InboundQueueOldestTooOld",
        "WhatsAppMessageFailure", "LLMApiError", "ReservationFailure", "SchedulerNotRunning"}
