"""Domain errors: each carries a kind, a stable code and, where it applies, the field at fault."""

from __future__ import annotations

from enum import StrEnum
from typing import Any


class ErrorKind(StrEnum):
    """The few kinds of failure the edges know how to map (to HTTP statuses or exit codes)."""

    NOT_FOUND = "not_found"
    CONFLICT = "conflict"
    FORBIDDEN = "forbidden"
    INVALID = "invalid"
    UNAUTHENTICATED = "unauthenticated"
    TOO_LARGE = "too_large"
    TOO_MANY = "too_many_requests"


class DomainError(Exception):
    """Base of every error a service raises on purpose."""

    kind: ErrorKind = ErrorKind.INVALID
    code: str = "invalid"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        field: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        if code is not None:
            self.code = code
        self.field = field
        self.details = details or {}


class NotFound(DomainError):
    """The thing asked for does not exist (or the caller may not know it exists)."""

    kind = ErrorKind.NOT_FOUND
    code = "not_found"

    @classmethod
    def of(cls, entity: str, entity_id: object, *, field: str | None = None) -> NotFound:
        """Build the standard 'no such <entity>' error."""
        return cls(f"no {entity} with id {entity_id!r}", code=f"{entity}_not_found", field=field)


class Conflict(DomainError):
    """The request contradicts what is already stored."""

    kind = ErrorKind.CONFLICT
    code = "conflict"


class Invalid(DomainError):
    """The request is malformed or breaks a domain rule."""

    kind = ErrorKind.INVALID
    code = "invalid"


class Forbidden(DomainError):
    """The caller is known but not allowed to do this."""

    kind = ErrorKind.FORBIDDEN
    code = "forbidden"


class Unauthenticated(DomainError):
    """The caller did not prove who they are."""

    kind = ErrorKind.UNAUTHENTICATED
    code = "unauthenticated"


class TooLarge(DomainError):
    """The payload exceeds a configured limit."""

    kind = ErrorKind.TOO_LARGE
    code = "too_large"
