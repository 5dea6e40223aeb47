"""Who is calling: access tokens and the middleware that turns them into a `User`.

Access tokens are short-lived HS256 JWTs (the algorithm is pinned on decode, so
`alg: none` or another algorithm is refused) with `sub`, `email`, `role`, `ver`
(the account's session epoch), `iat` and `exp`. They arrive as a Bearer header
or in the httpOnly cookie (and as `?token=` on `/ws` only, where browsers cannot
set headers). A valid signature is not enough: the subject must be an existing,
active account whose session epoch still equals `ver`, and the user's role is
the account's current role (runtime/account_sessions.py). Requests from the
configured trusted networks act with `TRUSTED_NETWORKS_ROLE` (default `staff`).
The signing key is JWT_SECRET, or a key generated once and kept in the database —
never a secret shared with Meta.
"""
from __future__ import annotations

import ipaddress
import logging
import secrets
import time
from dataclasses import dataclass
from typing import Awaitable, Callable

import asyncpg
import jwt
from aiohttp import web
from jwt.algorithms import HMACAlgorithm

from runtime.config import Config
from runtime.db import QUERIES
from runtime.routes import USER, Role, User

log = logging.getLogger("mawid.auth")

ALGORITHM = "HS256"
ACCESS_COOKIE = "mawid_access"
REFRESH_COOKIE = "mawid_refresh"
GENERATED_KEY_NAME = "jwt_signing_key"
VERIFIED_TOKENS_KEPT = 4096  # tokens whose signature was checked, remembered until they expire (per process)
QUERY_TOKEN_PATHS = frozenset({"/ws"})  # a token in a URL ends up in logs and history: only where unavoidable
CLAIMS_KEY = web.RequestKey("token_claims", object)


def trusted_network_user(config: Config) -> User:
    return User(id="trusted-network", email="trusted-network", role=Role.parse(config.trusted_networks_role),
                via="trusted_network")


class TokenError(Exception):
    """The token is missing, expired, tampered with or signed with another key."""


@dataclass(frozen=True)
class Claims:
    user_id: str
    email: str
    role: Role
    epoch: int
    expires_at: int


class _PreparedKeyHMAC(HMACAlgorithm):
    """HS256 that checks and converts the signing key once, not on every decode: the key never changes
    while the process runs, and PyJWT's check (is it a PEM, SSH, DER or JWK key?) costs more than the HMAC."""

    def __init__(self) -> None:
        super().__init__(HMACAlgorithm.SHA256)
        self._prepared: tuple[str | bytes, bytes] | None = None

    def prepare_key(self, key: str | bytes) -> bytes:
        prepared = self._prepared
        if prepared is not None and prepared[0] == key:
            return prepared[1]
        key_bytes = super().prepare_key(key)  # raises for an unusable key, which is then not remembered
        self._prepared = (key, key_bytes)
        return key_bytes


def _codec_jwt() -> jwt.PyJWT:
    """A PyJWT of our own whose HS256 remembers the prepared key (the module-level one stays untouched)."""
    codec = jwt.PyJWT()
    signer = getattr(codec, "_jws", None)
    if signer is not None:  # PyJWT 2.x keeps its JWS here; without it decoding is only slower
        signer.unregister_algorithm(ALGORITHM)
        signer.register_algorithm(ALGORITHM, _PreparedKeyHMAC())
    return codec


class TokenCodec:
    def __init__(self, secret: str | None, ttl_seconds: int) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds
        self._jwt = _codec_jwt()
        # token -> its claims, for tokens that passed the full check: a dashboard sends the same token with every
        # request, and PyJWT's parsing and checks cost more than the rest of a small read. Only what could turn
        # a verified token invalid later (its expiry, an `iat` in the future) is checked again on a hit; a
        # forged or altered token is another string, which gets the full check. The account checks
        # (existence, active, session epoch) run on every request either way (authenticated_user).
        self._verified: dict[str, tuple[Claims, int]] = {}

    @classmethod
    def from_config(cls, config: Config) -> "TokenCodec":
        """Keyed by JWT_SECRET; without it the key is loaded from the database at start (`load_key`)."""
        return cls(config.jwt_secret or None, config.access_token_ttl)

    async def load_key(self, pool: asyncpg.Pool) -> None:
        """Adopt the generated key every process shares, creating it on the very first start."""
        if self._secret is not None:
            return
        async with pool.acquire() as conn:
            await conn.execute(QUERIES.auth_secret_offer, GENERATED_KEY_NAME, secrets.token_urlsafe(48))
            self._secret = await conn.fetchval(QUERIES.auth_secret_get, GENERATED_KEY_NAME)

    def issue(self, user_id: str, email: str, role: Role, *, epoch: int = 0, now: float | None = None) -> str:
        if self._secret is None:
            raise TokenError("no signing key yet")
        issued = int(now if now is not None else time.time())
        claims = {"sub": user_id, "email": email, "role": role.label, "ver": epoch, "iat": issued,
                  "exp": issued + self.ttl_seconds}
        return self._jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def decode(self, token: str) -> Claims:
        if self._secret is None:
            raise TokenError("no signing key yet")
        known = self._verified.get(token)
        if known is not None:
            claims, issued = known
            now = time.time()
            if claims.expires_at <= now:
                del self._verified[token]
                raise TokenError("Signature has expired")
            if issued > now:
                raise TokenError("The token is not yet valid (iat)")
            return claims
        claims, issued, reusable = self._decode_fully(token)
        if reusable:
            if len(self._verified) >= VERIFIED_TOKENS_KEPT:
                self._verified.clear()  # rare (that many live sessions in one process): start over, never grow
            self._verified[token] = (claims, issued)
        return claims

    def _decode_fully(self, token: str) -> tuple[Claims, int, bool]:
        """The claims of a token whose signature, algorithm and registered claims all check out, its iat, and
        whether a later use needs only the expiry and iat checked again (not with `nbf`, which we never issue)."""
        try:
            claims = self._jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], options={"require": ["exp", "iat", "sub", "role"]}
            )
            epoch = claims.get("ver", 0)  # tokens issued before epochs existed speak for epoch 0
            if not isinstance(epoch, int) or isinstance(epoch, bool):
                raise TokenError("malformed ver claim")
            return (Claims(str(claims["sub"]), str(claims.get("email", "")), Role.parse(claims["role"]), epoch,
                           int(claims["exp"])), int(claims["iat"]), "nbf" not in claims)
        except (jwt.PyJWTError, ValueError, TypeError) as exc:
            raise TokenError(str(exc)) from exc

    def verify(self, token: str) -> User:
        """The user the token claims to be, checked against the key only (the middleware checks the account)."""
        claims = self.decode(token)
        return User(id=claims.user_id, email=claims.email, role=claims.role)


def bearer_token(request: web.Request) -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() == "bearer" and token.strip():
        return token.strip()
    return None


def client_address(request: web.Request) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(request.remote or "")
    except ValueError:
        return None


def presented_token(request: web.Request) -> tuple[str | None, str]:
    """The access token and how it came: Bearer header, then `?token=` (on `/ws` only), then the cookie."""
    token = bearer_token(request)
    if token is not None:
        return token, "token"
    if request.path in QUERY_TOKEN_PATHS and request.query.get("token"):
        return request.query["token"], "token"
    return request.cookies.get(ACCESS_COOKIE), "cookie"


def account_directory(request: web.Request):
    from runtime.services import SERVICES  # services imports this module

    return request.app[SERVICES].accounts


async def authenticated_user(request: web.Request, codec: TokenCodec) -> User | None:
    token, via = presented_token(request)
    if token is None:
        return None
    try:
        claims = codec.decode(token)
    except TokenError:
        return None  # an invalid token is the same as none: routes needing a user answer 401
    directory = account_directory(request)
    if directory is None:
        return None
    account = await directory.get(claims.user_id)
    if account is None or not account.admits(claims.epoch):
        return None  # a ghost, a disabled account, or a token from before a password change or logout
    request[CLAIMS_KEY] = claims
    return User(account.id, account.email, account.role, via=via)


def auth_middleware(codec: TokenCodec, config: Config) -> Callable:
    networks = config.trusted_networks
    trusted_user = trusted_network_user(config)

    @web.middleware
    async def authenticate(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        user = await authenticated_user(request, codec)
        if user is not None:
            request[USER] = user
        if USER not in request and networks:
            address = client_address(request)
            if address is not None and any(address in net for net in networks):
                request[USER] = trusted_user
        return await handler(request)

    return authenticate
