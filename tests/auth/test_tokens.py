"""Access tokens: only well-formed, unexpired HS256 tokens signed with our key are accepted."""
from __future__ import annotations

import asyncio
import base64
import json
import time

import jwt
import pytest

from runtime.auth import ACCESS_COOKIE, TokenCodec, TokenError
from runtime.routes import Role
from tests.conftest import TEST_JWT_SECRET

# Forging an HS512 token with the (short) test key is the point, not a mistake.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


def _b64(data: dict | bytes) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _claims(user_id: str, role: str = "admin", **extra) -> dict:
    now = int(time.time())
    return {"sub": user_id, "email": "x@example.com", "role": role, "iat": now, "exp": now + 600, **extra}


@pytest.fixture
async def admin(make_user):
    return await make_user(Role.ADMIN)


def forged_tokens(user_id: str) -> dict[str, str]:
    good = jwt.encode(_claims(user_id), TEST_JWT_SECRET, algorithm="HS256")
    header, payload, signature = good.split(".")
    promoted = _b64(_claims(user_id, role="admin", email="evil@example.com"))
    return {
        "expired": TokenCodec(TEST_JWT_SECRET, 60).issue(user_id, "x@example.com", Role.ADMIN, now=time.time() - 3600),
        "tampered payload": f"{header}.{promoted}.{signature}",
        "tampered signature": f"{header}.{payload}.{signature[:-4]}AAAA",
        "alg none": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.",
        "alg none, signature kept": f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{payload}.{signature}",
        "other key": jwt.encode(_claims(user_id), "another-secret-of-sufficient-length!!", algorithm="HS256"),
        "HS512 with our key": jwt.encode(_claims(user_id), TEST_JWT_SECRET, algorithm="HS512"),
        "RS256 header": f"{_b64({'alg': 'RS256', 'typ': 'JWT'})}.{payload}.{signature}",
        "missing role": jwt.encode({k: v for k, v in _claims(user_id).items() if k != "role"}, TEST_JWT_SECRET,
                                   algorithm="HS256"),
        "unknown role": jwt.encode(_claims(user_id, role="root"), TEST_JWT_SECRET, algorithm="HS256"),
        "missing exp": jwt.encode({k: v for k, v in _claims(user_id).items() if k != "exp"}, TEST_JWT_SECRET,
                                  algorithm="HS256"),
        "garbage": "not-a-jwt",
    }


def test_codec_refuses_every_forgery():
    codec = TokenCodec(TEST_JWT_SECRET, 600)
    for name, token in forged_tokens("00000000-0000-0000-0000-000000000001").items():
        with pytest.raises(TokenError):
            codec.verify(token)
            pytest.fail(f"{name} token was accepted")


def test_issued_token_pins_hs256_and_carries_claims():
    codec = TokenCodec(TEST_JWT_SECRET, 600)
    token = codec.issue("u1", "a@example.com", Role.STAFF, now=1_000_000)
    assert jwt.get_unverified_header(token)["alg"] == "HS256"
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims == {"sub": "u1", "email": "a@example.com", "role": "staff", "ver": 0, "iat": 1_000_000,
                      "exp": 1_000_600}


async def test_forged_tokens_get_401_over_http(client, admin):
    for name, token in forged_tokens(admin["id"]).items():
        for how in ("header", "cookie", "query"):
            if how == "header":
                resp = await client.get("/users", headers={"Authorization": f"Bearer {token}"})
            elif how == "cookie":
                resp = await client.get("/users", headers={"Cookie": f"{ACCESS_COOKIE}={token}"})
            else:
                resp = await client.get("/users", params={"token": token})
            assert resp.status == 401, f"{name} via {how} answered {resp.status}"
            assert resp.headers["WWW-Authenticate"] == "Bearer"


async def test_valid_token_works_as_header_and_cookie_but_not_in_a_rest_query(client, admin):
    token = jwt.encode(_claims(admin["id"]), TEST_JWT_SECRET, algorithm="HS256")
    for kwargs in ({"headers": {"Authorization": f"Bearer {token}"}},
                   {"headers": {"Cookie": f"{ACCESS_COOKIE}={token}"}}):
        resp = await client.get("/users", **kwargs)
        assert resp.status == 200, kwargs
    # A URL ends up in logs and browser history: `?token=` is for /ws only (tests/security).
    assert (await client.get("/users", params={"token": token})).status == 401


def test_codec_refuses_every_forgery_after_accepting_the_genuine_token():
    # A verified token is remembered (runtime/auth.py): a forgery of it must still get the full check.
    user_id = "00000000-0000-0000-0000-000000000001"
    codec = TokenCodec(TEST_JWT_SECRET, 600)
    genuine = jwt.encode(_claims(user_id), TEST_JWT_SECRET, algorithm="HS256")
    for _ in range(2):
        assert codec.verify(genuine).id == user_id
    for token in forged_tokens(user_id).values():
        with pytest.raises(TokenError):
            codec.verify(token)
        with pytest.raises(TokenError):
            codec.verify(token)  # a refusal is not remembered as an acceptance either
    assert codec.verify(genuine).id == user_id


async def test_a_remembered_token_is_refused_once_it_expires():
    codec = TokenCodec(TEST_JWT_SECRET, 1)
    token = codec.issue("00000000-0000-0000-0000-000000000001", "x@example.com", Role.STAFF)
    expires_at = codec.decode(token).expires_at  # accepted, hence remembered
    while time.time() < expires_at:  # waits for the clock, asserts nothing about time
        await asyncio.sleep(0.05)
    with pytest.raises(TokenError, match="expired"):
        codec.decode(token)


def test_a_remembered_token_issued_in_the_future_is_refused_until_then():
    # iat is checked again on reuse, as PyJWT checks it: a token is never valid before it was issued
    codec = TokenCodec(TEST_JWT_SECRET, 600)
    future = codec.issue("00000000-0000-0000-0000-000000000001", "x@example.com", Role.STAFF, now=time.time() + 3600)
    for _ in range(2):
        with pytest.raises(TokenError):
            codec.decode(future)


def test_the_prepared_signing_key_is_still_checked_once():
    # HS256 remembers the prepared key, but an asymmetric key is still refused as an HMAC secret
    pem = "-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n"
    codec = TokenCodec(pem, 600)
    with pytest.raises(jwt.InvalidKeyError):
        codec.issue("00000000-0000-0000-0000-000000000001", "x@example.com", Role.STAFF)
    with pytest.raises(TokenError):
        codec.decode(jwt.encode(_claims("1"), TEST_JWT_SECRET, algorithm="HS256"))
