"""Each test's phase reports, kept on the test item so a fixture's teardown knows whether it failed."""
from __future__ import annotations

import pytest

PHASE_REPORTS = pytest.StashKey[dict]()


def remember(item: pytest.Item, report: pytest.TestReport) -> None:
    item.stash.setdefault(PHASE_REPORTS, {})[report.when] = report


def failed(item: pytest.Item) -> bool:
    return any(report.failed for report in item.stash.get(PHASE_REPORTS, {}).values())
