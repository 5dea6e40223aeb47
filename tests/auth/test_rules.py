"""Pure account rules: password hashes (new and legacy), throttle windows, role reconciliation."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

import bcrypt
import pytest
from argon2 import PasswordHasher

from actors.accounts.passwords import hash_password, verify_password
from actors.accounts.rules import password_problem, reconcile_role
from actors.accounts.throttle import Limits, RecentFailures, retry_after
from runtime.routes import Role

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)


def test_new_hashes_are_argon2id_and_verify():
    stored = hash_password("s3cret-pass")
    assert stored.startswith("$argon2id$")
    assert verify_password("s3cret-pass", stored).ok
    assert verify_password("s3cret-pass", stored).new_hash is None
    assert not verify_password("wrong", stored).ok


def test_reference_bcrypt_hash_verifies_and_asks_for_argon2():
    legacy = bcrypt.hashpw(b"old-password", bcrypt.gensalt(rounds=4)).decode()
    assert legacy.startswith("$2b$")
    verdict = verify_password("old-password", legacy)
    assert verdict.ok and verdict.new_hash.startswith("$argon2id$")
    assert verify_password("old-password", verdict.new_hash).ok
    assert not verify_password("other", legacy).ok


def test_weak_argon2_parameters_are_upgraded():
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("pw-12345678")
    verdict = verify_password("pw-12345678", weak)
    assert verdict.ok and verdict.new_hash is not None


@pytest.mark.parametrize("stored", ["!unusable", "", "plaintext", "$2b$garbage", "$argon2id$garbage"])
def test_unusable_or_malformed_hashes_never_match(stored):
    assert not verify_password("plaintext", stored).ok


@pytest.mark.parametrize("password, problem", [
    ("short", "at least 8"),
    ("x" * 1025, "at most 1024"),
    ("my-ADMIN@example.com-pw", "e-mail"),
    ("long enough", None),
])
def test_password_policy(password, problem):
    found = password_problem(password, "admin@example.com")
    assert (found is None) if problem is None else (problem in found)


def _failures(pair=0, account=0, address=0, known=False, oldest=NOW - timedelta(minutes=5)):
    return RecentFailures(pair, oldest if pair else None, account, oldest if account else None,
                          address, oldest if address else None, known)


@pytest.mark.parametrize("failures, expected", [
    (_failures(), None),
    (_failures(pair=4, account=4, address=4), None),
    (_failures(pair=5, account=5, address=5), 600),  # oldest 5 min ago, window 15 min
    (_failures(pair=1, account=1, address=19), None),
    (_failures(pair=1, account=1, address=20), 600),
    (_failures(pair=5, account=5, oldest=NOW - timedelta(minutes=14, seconds=59.5)), 1),
    # strangers' failures from other addresses: only an address the account never logged in from waits
    (_failures(account=49), None),
    (_failures(account=50), 600),
    (_failures(account=500, known=True), None),
    (_failures(pair=5, account=500, known=True), 600),  # a known address still cannot guess without limit
])
def test_retry_after(failures, expected):
    assert retry_after(failures, Limits(), NOW) == expected


@pytest.mark.parametrize("current, role, superuser, expected", [
    (Role.STAFF, None, None, (Role.STAFF, False)),
    (Role.STAFF, None, True, (Role.ADMIN, True)),
    (Role.ADMIN, None, False, (Role.STAFF, False)),
    (Role.VIEWER, None, False, (Role.VIEWER, False)),
    (Role.ADMIN, Role.VIEWER, True, (Role.VIEWER, False)),
    (Role.VIEWER, Role.ADMIN, None, (Role.ADMIN, True)),
])
def test_role_and_superuser_flag_stay_in_step(current, role, superuser, expected):
    assert reconcile_role(current, role=role, is_superuser=superuser) == expected
