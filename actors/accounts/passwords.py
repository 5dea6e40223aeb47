"""Password hashing: argon2id for new hashes; the reference's bcrypt and argon2 hashes still verify.

fastapi-users stored either `$2b$…` (bcrypt, via passlib/pwdlib) or `$argon2id$…`
hashes depending on its version. Both verify here; a login that verifies a
bcrypt hash or argon2 hash with outdated parameters returns a fresh argon2id
hash for the caller to store. CPU-bound: callers run these in a thread.
"""
from __future__ import annotations

import functools
import secrets
from dataclasses import dataclass

import bcrypt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_ARGON2 = PasswordHasher()
_BCRYPT_PREFIXES = ("$2a$", "$2b$", "$2y$")
BCRYPT_MAX_BYTES = 72  # bcrypt only ever looked at the first 72 bytes


@dataclass(frozen=True)
class Verdict:
    ok: bool
    new_hash: str | None = None  # set when the stored hash should be replaced


def hash_password(password: str) -> str:
    return _ARGON2.hash(password)


def verify_password(password: str, stored: str) -> Verdict:
    if stored.startswith("$argon2"):
        try:
            _ARGON2.verify(stored, password)
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return Verdict(False)
        return Verdict(True, hash_password(password) if _ARGON2.check_needs_rehash(stored) else None)
    if stored.startswith(_BCRYPT_PREFIXES):
        try:
            ok = bcrypt.checkpw(password.encode()[:BCRYPT_MAX_BYTES], stored.encode())
        except ValueError:  # a malformed hash never matches
            return Verdict(False)
        return Verdict(True, hash_password(password)) if ok else Verdict(False)
    return Verdict(False)  # unusable or unknown scheme (e.g. "!unusable")


@functools.cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def verify_nobody(password: str) -> Verdict:
    """Spend the time of a real check for an unknown account, so timing does not reveal which emails exist."""
    verify_password(password, _decoy_hash())
    return Verdict(False)


def generate_password() -> str:
    return secrets.token_urlsafe(15)  # 20 characters, ~120 bits
