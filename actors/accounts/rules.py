"""Account rules without I/O: email identity, password policy, role and superuser flag kept in step."""
from __future__ import annotations

from runtime.routes import Role

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 1024


def account_key(email: str) -> str:
    """The identity an email names: lookups are case-insensitive, as in the reference."""
    return email.strip().lower()


def password_problem(password: str, email: str | None = None) -> str | None:
    """Why a new password is refused, or None; worded like fastapi-users' `reason`."""
    if len(password) < MIN_PASSWORD_LENGTH:
        return f"Password should be at least {MIN_PASSWORD_LENGTH} characters"
    if len(password) > MAX_PASSWORD_LENGTH:
        return f"Password should be at most {MAX_PASSWORD_LENGTH} characters"
    if email and account_key(email) in password.lower():
        return "Password should not contain e-mail"
    return None


def reconcile_role(current: Role, *, role: Role | None = None, is_superuser: bool | None = None) -> tuple[Role, bool]:
    """The role decides what a user may do; `is_superuser` (fastapi-users' flag) mirrors `role == admin`.

    An explicit role wins. Without one, setting `is_superuser` true makes an admin and
    false demotes an admin to staff.
    """
    if role is None:
        if is_superuser is True:
            role = Role.ADMIN
        elif is_superuser is False and current is Role.ADMIN:
            role = Role.STAFF
        else:
            role = current
    return role, role is Role.ADMIN
