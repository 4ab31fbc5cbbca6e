"""Identity request and response models."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from ceasefire.identity.rules import Role


class UserCreate(BaseModel):
    """A new user."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=2, max_length=80, pattern=r"^[a-zA-Z0-9_.@-]+$")
    display_name: str = Field(min_length=1, max_length=200)
    role: Role
    party_id: str | None = None
    password: str | None = Field(default=None, min_length=10, max_length=256)


class UserRead(BaseModel):
    """A user as the API shows it (never the password hash)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    username: str
    display_name: str
    role: str
    party_id: str | None
    is_active: bool
    created_at: datetime


class TokenCreate(BaseModel):
    """A request for a new API token."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(min_length=1, max_length=120)
    expires_at: datetime | None = None


class PasswordLogin(BaseModel):
    """Credentials exchanged for a new API token."""

    model_config = ConfigDict(extra="forbid")

    username: str = Field(min_length=1, max_length=80)
    password: str = Field(min_length=1, max_length=256)
    token_name: str = Field(default="login", min_length=1, max_length=120)
    expires_at: datetime | None = None


class TokenIssued(BaseModel):
    """A freshly issued token: the secret is shown this once."""

    id: str
    name: str
    token: str
    prefix: str
    expires_at: datetime | None


class TokenRead(BaseModel):
    """A token as listed (no secret)."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    prefix: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None
