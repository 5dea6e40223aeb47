"""`/auth/jwt/login`, `/auth/jwt/refresh`, `/auth/jwt/logout`: short-lived access JWTs, rotating refresh tokens.

Both tokens are answered in the JSON body (API clients) and set as httpOnly,
SameSite=Lax cookies (browsers); the refresh cookie is only sent to `/auth/jwt`.
"""
from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from actors.accounts.actor import AccountActor
from actors.accounts.login import LoginRefused, LoginThrottled
from actors.accounts.messages import EndAllSessions, EndSession, LogIn, RotateSession
from actors.accounts.rules import account_key
from actors.accounts.sessions import Session, SessionRefused, token_hash
from handlers.auth.schemas import LoginForm, RefreshForm, TokenPair
from runtime.auth import ACCESS_COOKIE, REFRESH_COOKIE
from runtime.db import QUERIES
from runtime.routes import BODY, USER, Role, Route, error_response, json_response
from runtime.services import SERVICES, Services

REFRESH_COOKIE_PATH = "/auth/jwt"
REFRESH_REFUSED = "Refresh token is missing, expired, revoked or already used"


def _now() -> datetime:
    return datetime.now(UTC)


def _set_cookies(response: web.StreamResponse, services: Services, access: str, refresh: str) -> None:
    config = services.config
    common = {"httponly": True, "samesite": "Lax", "secure": config.cookie_secure}
    response.set_cookie(ACCESS_COOKIE, access, max_age=config.access_token_ttl, path="/", **common)
    response.set_cookie(REFRESH_COOKIE, refresh, max_age=config.refresh_token_ttl, path=REFRESH_COOKIE_PATH, **common)


def _clear_cookies(response: web.StreamResponse) -> None:
    response.del_cookie(ACCESS_COOKIE, path="/")
    response.del_cookie(REFRESH_COOKIE, path=REFRESH_COOKIE_PATH)


def _issued(services: Services, session: Session) -> web.Response:
    account = session.account
    access = services.tokens.issue(account.id, account.email, account.role, epoch=account.session_epoch)
    config = services.config
    response = json_response({
        "access_token": access, "token_type": "bearer", "expires_in": config.access_token_ttl,
        "refresh_token": session.refresh_token, "refresh_expires_in": config.refresh_token_ttl,
    })
    _set_cookies(response, services, access, session.refresh_token)
    response.headers["Cache-Control"] = "no-store"
    return response


async def login(request: web.Request) -> web.Response:
    form: LoginForm = request[BODY]
    services = request.app[SERVICES]
    ref = services.actors.ref(AccountActor, account_key(form.username))
    try:
        session = await ref.ask(LogIn(form.password, request.remote or "unknown", _now()))
    except LoginThrottled as exc:
        return _throttled(exc.retry_after)
    except LoginRefused:
        return json_response({"detail": "LOGIN_BAD_CREDENTIALS", "message": "Wrong email or password"}, status=400)
    return _issued(services, session)


def _throttled(retry_after: int) -> web.Response:
    return json_response(
        {"detail": "LOGIN_THROTTLED", "message": f"Too many failed logins; try again in {retry_after} seconds"},
        status=429, headers={"Retry-After": str(retry_after)},
    )


def _presented_refresh_token(request: web.Request) -> str | None:
    form: RefreshForm = request[BODY]
    return form.refresh_token or request.cookies.get(REFRESH_COOKIE) or None


async def _owner_ref(services: Services, token: str):
    row = await services.require_pool().fetchrow(QUERIES.refresh_token_owner, token_hash(token))
    return None if row is None else services.actors.ref(AccountActor, account_key(row["email"]))


async def refresh(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    token = _presented_refresh_token(request)
    ref = await _owner_ref(services, token) if token else None
    try:
        if ref is None:
            raise SessionRefused(REFRESH_REFUSED)
        session = await ref.ask(RotateSession(token, _now()))
    except SessionRefused:
        response = error_response(401, REFRESH_REFUSED)
        response.headers["WWW-Authenticate"] = "Bearer"
        _clear_cookies(response)
        return response
    return _issued(services, session)


async def logout(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    token = _presented_refresh_token(request)
    ref = await _owner_ref(services, token) if token else None
    if ref is not None:
        await ref.ask(EndSession(token, _now()))
    response = web.Response(status=204)
    _clear_cookies(response)
    return response


async def logout_everywhere(request: web.Request) -> web.Response:
    """Every session of the caller ends: refresh tokens revoked, access tokens refused within seconds."""
    user = request[USER]
    if user.via == "trusted_network":
        return error_response(404, "Requests from a trusted network act as staff but have no user record")
    services = request.app[SERVICES]
    await services.actors.ref(AccountActor, account_key(user.email)).ask(EndAllSessions(user.id, _now()))
    response = web.Response(status=204)
    _clear_cookies(response)
    return response


ROUTES = [
    Route("POST", "/auth/jwt/login", login, None, form=LoginForm, response=TokenPair,
          summary="Log in with email and password; answers tokens and sets the auth cookies", tags=("auth",),
          auth_note=("email and password; throttled per (account, address), per address, and per account "
                     "from addresses it never logged in from"),
          errors=((400, "LOGIN_BAD_CREDENTIALS: unknown email, wrong password or disabled user"),
                  (429, "too many failed logins for this account or address (see Retry-After)"))),
    Route("POST", "/auth/jwt/refresh", refresh, None, form=RefreshForm, response=TokenPair,
          summary="Exchange a refresh token (cookie or form field) for new tokens; the old one is spent",
          tags=("auth",), auth_note="the refresh token itself",
          errors=((401, "refresh token missing, expired, revoked or reused (reuse revokes its whole session)"),)),
    Route("POST", "/auth/jwt/logout", logout, None, form=RefreshForm, status=204,
          summary="Revoke the session of the presented refresh token and clear the auth cookies",
          tags=("auth",), auth_note="the refresh token it revokes"),
    Route("POST", "/auth/jwt/logout-everywhere", logout_everywhere, Role.VIEWER, status=204,
          summary="End every session of the caller on every device (Mawid addition)", tags=("auth",),
          errors=((404, "the caller is a trusted network, not a user"),)),
]
