"""schemathesis against `/openapi.json` of a real `bin/mawid serve`: no 5xx, no answer outside its schema.

It fuzzes every route in the table (routes other features add are included),
authenticated as an admin, checking that no request makes the server fail,
that every documented answer matches its schema and content type, and that a
route declaring a security requirement refuses a request without credentials.
Bounded: a few examples per operation, a 45 s budget for the whole run (schemathesis
spreads it over its phases) and a hard timeout.
"""
from __future__ import annotations

import asyncio
import sys
from pathlib import Path

import pytest

from runtime.routes import Role
from tests.support.servers import ServerProcess

SCHEMATHESIS = Path(sys.executable).with_name("schemathesis")
CHECKS = "not_a_server_error,response_schema_conformance,content_type_conformance,ignored_auth"
RUN_TIMEOUT = 240  # a hung run fails the test instead of the whole suite

pytestmark = pytest.mark.slow


async def test_fuzzing_the_described_api_finds_no_server_error_or_schema_violation(env, token_for, tmp_path):
    if not SCHEMATHESIS.exists():
        pytest.fail("schemathesis is not installed: pip install -e '.[test]'")
    _, token = await token_for(Role.ADMIN)
    server = await asyncio.to_thread(ServerProcess({**env, "LOG_LEVEL": "ERROR"}).start)
    try:
        process = await asyncio.create_subprocess_exec(
            str(SCHEMATHESIS), "run", f"{server.url}/openapi.json",
            "--header", f"Authorization: Bearer {token}",
            "--checks", CHECKS, "--max-examples", "5", "--max-time", "45", "--seed", "20261126",
            "--request-timeout", "20",
            "--no-color", "--output-truncate", "false",
            cwd=tmp_path, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT,
        )
        try:
            output, _ = await asyncio.wait_for(process.communicate(), RUN_TIMEOUT)
        except TimeoutError:
            process.kill()
            await process.wait()
            pytest.fail(f"schemathesis did not finish within {RUN_TIMEOUT}s")
    finally:
        await asyncio.to_thread(server.stop)
    report = output.decode(errors="replace")
    (tmp_path / "schemathesis.txt").write_text(report)
    failures = report[report.find("FAILURES"):report.find("WARNINGS")] if "FAILURES" in report else report[-8000:]
    assert process.returncode == 0, f"schemathesis found problems (full report: {tmp_path}/schemathesis.txt):\n" \
        f"{failures}\n--- server log (tail) ---\n{server.logs()[-3000:]}"
    assert "Tested:" in report
