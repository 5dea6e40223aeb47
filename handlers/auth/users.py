"""`/auth/register`, `/users/me` and `/users/{id}`: fastapi-users' routes and shapes, plus `role`."""
from __future__ import annotations

from datetime import UTC, datetime

from aiohttp import web

from actors.accounts.actor import AccountActor
from actors.accounts.login import LoginRefused, LoginThrottled
from actors.accounts.messages import DeleteAccount, Register, UpdateAccount, UpdateOwnAccount
from actors.accounts.rules import account_key
from actors.accounts.store import Account, AccountError, Changes, by_id, list_accounts
from handlers.auth.schemas import UserCreate, UserRead, UserUpdate
from runtime.routes import BODY, USER, Role, Route, error_response, json_response
from runtime.services import SERVICES, Services


def _refusal(exc: AccountError) -> web.Response:
    detail = exc.code if exc.reason is None else {"code": exc.code, "reason": exc.reason}
    return json_response({"detail": detail, "message": exc.reason or exc.code}, status=400)


def _not_found() -> web.Response:
    return error_response(404, "Not Found")


def _ref(services: Services, email: str):
    return services.actors.ref(AccountActor, account_key(email))


async def register(request: web.Request) -> web.Response:
    body: UserCreate = request[BODY]
    services = request.app[SERVICES]
    caller = request.get(USER)
    if caller is not None and caller.role is Role.ADMIN:
        role = Role.parse(body.role) if body.role else (Role.ADMIN if body.is_superuser else Role.STAFF)
        message = Register(body.email, body.password, role, body.is_active is not False, bool(body.is_verified))
    else:  # open self-registration: privilege fields are ignored, as in the reference
        message = Register(body.email, body.password, Role.VIEWER)
    try:
        account = await _ref(services, body.email).ask(message)
    except AccountError as exc:
        return _refusal(exc)
    return json_response(account.public(), status=201)


async def _current_account(request: web.Request) -> Account | None:
    user = request[USER]
    account = await by_id(request.app[SERVICES].require_pool(), user.id)
    return account if account is not None and account.is_active else None


def _inactive() -> web.Response:
    response = error_response(401, "Unauthorized")
    response.headers["WWW-Authenticate"] = "Bearer"
    return response


def _no_record(request: web.Request) -> web.Response | None:
    if request[USER].via == "trusted_network":
        return error_response(404, "Requests from a trusted network act without a user record")
    return None


async def me(request: web.Request) -> web.Response:
    if (refusal := _no_record(request)) is not None:
        return refusal
    account = await _current_account(request)
    return _inactive() if account is None else json_response(account.public())


async def update_me(request: web.Request) -> web.Response:
    body: UserUpdate = request[BODY]
    if (refusal := _no_record(request)) is not None:
        return refusal
    account = await _current_account(request)
    if account is None:
        return _inactive()
    changes = Changes(email=body.email, password=body.password)  # privilege fields ignored for oneself
    message = UpdateOwnAccount(account.id, changes, body.current_password, request.remote or "unknown",
                               datetime.now(UTC))
    try:
        updated = await _ref(request.app[SERVICES], account.email).ask(message)
    except AccountError as exc:
        return _refusal(exc)
    except LoginThrottled as exc:
        return json_response({"detail": "UPDATE_USER_THROTTLED",
                              "message": f"Too many wrong passwords; try again in {exc.retry_after} seconds"},
                             status=429, headers={"Retry-After": str(exc.retry_after)})
    except LoginRefused:
        return json_response({"detail": "UPDATE_USER_BAD_CURRENT_PASSWORD",
                              "message": "current_password is not this user's password"}, status=403)
    return _not_found() if updated is None else json_response(updated.public())


async def _apply(request: web.Request, account: Account, changes: Changes) -> web.Response:
    services = request.app[SERVICES]
    try:
        updated = await _ref(services, account.email).ask(UpdateAccount(account.id, changes, datetime.now(UTC)))
    except AccountError as exc:
        return _refusal(exc)
    return _not_found() if updated is None else json_response(updated.public())


async def list_users(request: web.Request) -> web.Response:
    accounts = await list_accounts(request.app[SERVICES].require_pool())
    return json_response([account.public() for account in accounts])


async def get_user(request: web.Request) -> web.Response:
    account = await by_id(request.app[SERVICES].require_pool(), request.match_info["id"])
    return _not_found() if account is None else json_response(account.public())


async def update_user(request: web.Request) -> web.Response:
    body: UserUpdate = request[BODY]
    account = await by_id(request.app[SERVICES].require_pool(), request.match_info["id"])
    if account is None:
        return _not_found()
    changes = Changes(email=body.email, password=body.password, is_active=body.is_active,
                      is_superuser=body.is_superuser, is_verified=body.is_verified,
                      role=Role.parse(body.role) if body.role else None)
    return await _apply(request, account, changes)


async def delete_user(request: web.Request) -> web.Response:
    services = request.app[SERVICES]
    account = await by_id(services.require_pool(), request.match_info["id"])
    if account is None:
        return _not_found()
    try:
        deleted = await _ref(services, account.email).ask(DeleteAccount(account.id))
    except AccountError as exc:
        return _refusal(exc)
    return web.Response(status=204) if deleted else _not_found()


_USERS = ("users",)
_EXISTS = (400, "REGISTER_USER_ALREADY_EXISTS, or REGISTER_INVALID_PASSWORD with a reason")
_UPDATE = (400, "UPDATE_USER_EMAIL_ALREADY_EXISTS, or UPDATE_USER_INVALID_PASSWORD or LAST_ADMIN with a reason")
_LAST_ADMIN = (400, "LAST_ADMIN: the last active admin cannot be removed")


def register_route(open_registration: bool) -> Route:
    """Admin-only unless ALLOW_USER_REGISTRATION; open registration creates viewers."""
    return Route("POST", "/auth/register", register, None if open_registration else Role.ADMIN, body=UserCreate,
                 response=UserRead, status=201, summary="Create a user", tags=("auth",), errors=(_EXISTS,),
                 auth_note="open: ALLOW_USER_REGISTRATION is set" if open_registration else "")


ROUTES = [
    # /users/me before /users/{id}: the router matches in order.
    Route("GET", "/users/me", me, Role.VIEWER, response=UserRead, summary="The calling user", tags=_USERS,
          errors=((404, "the caller is a trusted network, not a user"),)),
    Route("PATCH", "/users/me", update_me, Role.VIEWER, body=UserUpdate, response=UserRead,
          summary="Change one's own email or password (either needs `current_password`)", tags=_USERS,
          errors=((400, "UPDATE_USER_CURRENT_PASSWORD_REQUIRED, UPDATE_USER_EMAIL_ALREADY_EXISTS, or "
                        "UPDATE_USER_INVALID_PASSWORD with a reason"),
                  (403, "UPDATE_USER_BAD_CURRENT_PASSWORD: current_password is wrong"),
                  (404, "the caller is a trusted network, not a user"),
                  (429, "too many wrong current passwords (see Retry-After)"))),
    Route("GET", "/users", list_users, Role.ADMIN, response=list[UserRead], summary="Every user", tags=_USERS),
    Route("GET", "/users/{id}", get_user, Role.ADMIN, response=UserRead, summary="One user", tags=_USERS,
          errors=((404, "no such user"),)),
    Route("PATCH", "/users/{id}", update_user, Role.ADMIN, body=UserUpdate, response=UserRead,
          summary="Change a user's email, password, role or flags", tags=_USERS,
          errors=((404, "no such user"), _UPDATE)),
    Route("DELETE", "/users/{id}", delete_user, Role.ADMIN, status=204, summary="Delete a user", tags=_USERS,
          errors=((404, "no such user"), _LAST_ADMIN)),
]
