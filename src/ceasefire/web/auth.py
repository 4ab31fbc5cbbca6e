"""Signing in to the pages: a session cookie holding an API token of the user's, and page guards.

A sign-in issues a token named "web sign-in" that expires after the setting session_hours; the
cookie (HttpOnly, Secure, SameSite=Lax) carries its secret and the database keeps only its digest,
so signing out revokes it and an administrator can see and revoke sessions like any token.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from datetime import timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.responses import Response
from sqlalchemy.orm import Session

from ceasefire.api.deps import SessionDep
from ceasefire.identity import service as identity
from ceasefire.identity.models import User
from ceasefire.identity.rules import Permission, has_permission
from ceasefire.identity.schemas import TokenCreate
from ceasefire.kernel.actor import PUBLIC, Actor
from ceasefire.kernel.clock import utc_now
from ceasefire.kernel.errors import DomainError, ErrorKind, Forbidden, Unauthenticated
from ceasefire.web.security import CSRF_COOKIE, cookie_secure

SESSION_COOKIE = "cf_session"
SESSION_TOKEN_NAME = "web sign-in"  # noqa: S105 - a token's label, not a secret
# The anonymous public on a page (the audit trail says the web form, not the API).
WEB_PUBLIC = replace(PUBLIC, via="web")


class SignInRequired(DomainError):
    """A page that needs a signed-in user was asked for without one: the browser goes to /login."""

    kind = ErrorKind.UNAUTHENTICATED
    code = "sign_in_required"


def start_session(session: Session, request: Request, response: Response, *, user: User) -> None:
    """Issue the sign-in token and set its cookie (and a fresh CSRF cookie) on the response."""
    hours: float = request.app.state.settings.session_hours
    actor = identity.actor_for(user, via="web")
    issued = identity.issue_token(
        session,
        user=user,
        data=TokenCreate(name=SESSION_TOKEN_NAME, expires_at=utc_now() + timedelta(hours=hours)),
        actor=actor,
    )
    secure = cookie_secure(request)
    response.set_cookie(
        SESSION_COOKIE,
        issued.token,
        max_age=int(hours * 3600),
        httponly=True,
        secure=secure,
        samesite="lax",
        path="/",
    )
    response.delete_cookie(CSRF_COOKIE, path="/")  # a new one is made on the next page


def end_session(session: Session, request: Request, response: Response) -> None:
    """Revoke the sign-in token of this browser (if still valid) and clear its cookie."""
    user = _cookie_user(session, request)
    if user is not None:
        token_id = identity.token_id_for(session, secret=request.cookies[SESSION_COOKIE])
        if token_id is not None:
            identity.revoke_token(
                session, user=user, token_id=token_id, actor=identity.actor_for(user, via="web")
            )
    response.delete_cookie(SESSION_COOKIE, path="/")


def _cookie_user(session: Session, request: Request) -> User | None:
    secret = request.cookies.get(SESSION_COOKIE)
    if not secret:
        return None
    try:
        user = identity.authenticate_token(session, secret=secret)
    except Unauthenticated:
        return None
    # The pages' templates show the user even on an error page, rendered after the request's
    # transaction was rolled back and its session closed (which would expire and detach the row):
    # keep the loaded row out of the session so its attributes stay readable.
    session.expunge(user)
    request.state.user = user
    request.state.via = "web"
    return user


def maybe_web_actor(request: Request, session: SessionDep) -> Actor:
    """The signed-in user of a public page, else the anonymous public."""
    user = _cookie_user(session, request)
    return identity.actor_for(user, via="web") if user else WEB_PUBLIC


def web_actor(request: Request, session: SessionDep) -> Actor:
    """The signed-in user of a page that needs one; without one the browser is sent to sign in."""
    user = _cookie_user(session, request)
    if user is None:
        raise SignInRequired("sign in to see this page")
    return identity.actor_for(user, via="web")


MaybeWebActor = Annotated[Actor, Depends(maybe_web_actor)]
WebActor = Annotated[Actor, Depends(web_actor)]


def web_require(permission: Permission) -> Callable[[Actor], Awaitable[Actor]]:
    """A page guard: signed in, and the role grants the permission (else the 403 page)."""

    async def check(actor: WebActor) -> Actor:
        if not has_permission(actor.role, permission):
            raise Forbidden(f"your role may not {permission.value}", code="permission_denied")
        return actor

    return check
