"""Request and response models of the auth routes (fastapi-users' shapes, plus `role`)."""
from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, Field, StringConstraints

# A light check on purpose: operators use addresses such as admin@localhost.
Email = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=320,
                                         pattern=r"^[^@\s]+@[^@\s]+$")]
Password = Annotated[str, Field(min_length=1, max_length=1024)]
RoleName = Literal["admin", "staff", "viewer"]


class LoginForm(BaseModel):
    """OAuth2 password form, as fastapi-users: `username` is the email."""

    username: str = Field(min_length=1, max_length=320)
    password: Password


class RefreshForm(BaseModel):
    """The refresh token, when it is not sent as the `mawid_refresh` cookie."""

    refresh_token: str | None = Field(None, min_length=1, max_length=256)


class TokenPair(BaseModel):
    access_token: str
    token_type: Literal["bearer"]
    expires_in: int = Field(description="access-token lifetime, seconds")
    refresh_token: str
    refresh_expires_in: int = Field(description="refresh-token lifetime, seconds")


class UserRead(BaseModel):
    id: uuid.UUID
    email: str
    is_active: bool
    is_superuser: bool
    is_verified: bool
    role: RoleName


class UserCreate(BaseModel):
    """Privilege fields are honoured only when an admin registers the user."""

    email: Email
    password: Password
    is_active: bool | None = None
    is_superuser: bool | None = None
    is_verified: bool | None = None
    role: RoleName | None = None


class UserUpdate(BaseModel):
    """On `/users/me` only `email` and `password` are applied, and changing either needs
    `current_password`; an admin may change everything on `/users/{id}`."""

    email: Email | None = None
    password: Password | None = None
    current_password: Password | None = Field(
        None, description="The caller's password: required on /users/me to change email or password")
    is_active: bool | None = None
    is_superuser: bool | None = None
    is_verified: bool | None = None
    role: RoleName | None = None


class ErrorCode(BaseModel):
    detail: Any
    message: str
