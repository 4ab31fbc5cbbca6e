"""Request dependencies: the unit of work, the current actor, and permission checks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterator
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from ceasefire.evidence.store import EvidenceStore
from ceasefire.identity import service as identity
from ceasefire.identity.models import User
from ceasefire.identity.rules import Permission, has_permission
from ceasefire.kernel.actor import PUBLIC, Actor
from ceasefire.kernel.crypto import Cipher
from ceasefire.kernel.errors import Conflict, Forbidden, Unauthenticated

_bearer = HTTPBearer(auto_error=False, description="An API token: `Authorization: Bearer cf_...`")


def get_session(request: Request) -> Iterator[Session]:
    """One transaction per request: committed when the route returns, rolled back on error."""
    session: Session = request.app.state.sessions()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


# scope="function": the transaction is committed (or rolled back) before the response leaves, so a
# client never reads a 201 for a change that then fails to commit, nor races its own next request.
SessionDep = Annotated[Session, Depends(get_session, scope="function")]


def current_user(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    """The user behind the bearer token; 401 in the envelope without one."""
    if credentials is None:
        raise Unauthenticated("this route needs an API token", code="missing_token")
    user = identity.authenticate_token(session, secret=credentials.credentials)
    request.state.user = user
    return user


UserDep = Annotated[User, Depends(current_user)]


def optional_actor(
    request: Request,
    session: SessionDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Actor:
    """For public routes: the token's user when one is sent, else the anonymous public."""
    if credentials is None:
        return PUBLIC
    user = current_user(request, session, credentials)
    return identity.actor_for(user, via="api")


MaybeActor = Annotated[Actor, Depends(optional_actor)]


# Dependencies that do no I/O are `async def`: FastAPI runs them on the event loop instead of
# handing each one to the thread pool (a hop per dependency per request, measured by the intake
# benchmark); the ones that touch the database stay plain functions.


async def current_actor(request: Request, user: UserDep) -> Actor:
    """The acting principal of this request (channel: api)."""
    via = getattr(request.state, "via", None) or "api"
    return identity.actor_for(user, via=via)


ActorDep = Annotated[Actor, Depends(current_actor)]


def require(permission: Permission) -> Callable[[Actor], Awaitable[Actor]]:
    """A dependency that lets the request through only when the actor's role grants the permission."""

    async def check(actor: ActorDep) -> Actor:
        if not has_permission(actor.role, permission):
            raise Forbidden(f"your role may not {permission.value}", code="permission_denied")
        return actor

    return check


Reader = Annotated[Actor, Depends(require(Permission.REGISTRY_READ))]
Writer = Annotated[Actor, Depends(require(Permission.REGISTRY_WRITE))]
AuditReader = Annotated[Actor, Depends(require(Permission.AUDIT_READ))]
Admin = Annotated[Actor, Depends(require(Permission.USERS_MANAGE))]


def lockout_policy(request: Request) -> identity.LockoutPolicy:
    """The sign-in lockout policy of the settings."""
    settings = request.app.state.settings
    return identity.LockoutPolicy(
        max_failures=settings.login_max_failures,
        lockout=timedelta(minutes=settings.login_lockout_minutes),
    )


async def get_cipher(request: Request) -> Cipher:
    """The cipher for reporters' contact details; 503-like conflict when no key is configured."""
    cipher: Cipher | None = request.app.state.cipher
    if cipher is None:
        raise Conflict(
            "no encryption key is configured; contact details cannot be stored or read",
            code="encryption_unavailable",
        )
    return cipher


CipherDep = Annotated[Cipher, Depends(get_cipher)]


def get_evidence_store(request: Request) -> EvidenceStore:
    """The content-addressed evidence store built by the app from the settings."""
    store: EvidenceStore = request.app.state.evidence_store
    return store


EvidenceStoreDep = Annotated[EvidenceStore, Depends(get_evidence_store)]
