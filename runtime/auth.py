"""Who is calling: access tokens and the middleware that turns them into a `User`.

Access tokens are short-lived HS256 JWTs (the algorithm is pinned on decode, so
`alg: none` or another algorithm is refused) with `sub`, `email`, `role`,
`iat` and `exp`. They arrive as a Bearer header or in the httpOnly cookie.
Requests from the configured trusted networks act with `TRUSTED_NETWORKS_ROLE` (default `staff`).
"""
from __future__ import annotations

import ipaddress
import logging
import secrets
import time
from typing import Awaitable, Callable

import jwt
from aiohttp import web

from runtime.config import Config
from runtime.routes import USER, Role, User

log = logging.getLogger("mawid.auth")

ALGORITHM = "HS256"
ACCESS_COOKIE = "mawid_access"
REFRESH_COOKIE = "mawid_refresh"
def trusted_network_user(config: Config) -> User:
    return User(id="trusted-network", email="trusted-network", role=Role.parse(config.trusted_networks_role),
                via="trusted_network")


class TokenError(Exception):
    """The token is missing, expired, tampered with or signed with another key."""


class TokenCodec:
    def __init__(self, secret: str, ttl_seconds: int) -> None:
        self._secret = secret
        self.ttl_seconds = ttl_seconds

    @classmethod
    def from_config(cls, config: Config) -> "TokenCodec":
        # Without a configured secret tokens die with the process: safe, never guessable.
        secret = config.jwt_secret or config.app_secret
        if not secret:
            log.warning("JWT_SECRET is not set: access tokens use a random per-process key (every restart "
                        "logs everybody out, and processes do not accept each other's tokens)")
            secret = secrets.token_urlsafe(48)
        return cls(secret, config.access_token_ttl)

    def issue(self, user_id: str, email: str, role: Role, *, now: float | None = None) -> str:
        issued = int(now if now is not None else time.time())
        claims = {"sub": user_id, "email": email, "role": role.label, "iat": issued, "exp": issued + self.ttl_seconds}
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> User:
        try:
            claims = jwt.decode(
                token, self._secret, algorithms=[ALGORITHM], options={"require": ["exp", "iat", "sub", "role"]}
            )
            return User(id=str(claims["sub"]), email=str(claims.get("email", "")), role=Role.parse(claims["role"]))
        except (jwt.PyJWTError, ValueError) as exc:
            raise TokenError(str(exc)) from exc


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


def auth_middleware(codec: TokenCodec, config: Config) -> Callable:
    networks = config.trusted_networks
    trusted_user = trusted_network_user(config)

    @web.middleware
    async def authenticate(
        request: web.Request, handler: Callable[[web.Request], Awaitable[web.StreamResponse]]
    ) -> web.StreamResponse:
        token = bearer_token(request) or request.query.get("token")
        via = "token"
        if token is None and ACCESS_COOKIE in request.cookies:
            token, via = request.cookies[ACCESS_COOKIE], "cookie"
        if token is not None:
            try:
                user = codec.verify(token)
                request[USER] = User(user.id, user.email, user.role, via=via)
            except TokenError:
                pass  # an invalid token is the same as none: routes needing a user answer 401
        if USER not in request and networks:
            address = client_address(request)
            if address is not None and any(address in net for net in networks):
                request[USER] = trusted_user
        return await handler(request)

    return authenticate
