"""Signing in and out of the pages (rate limited per address, accounts locked after wrong passwords)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from ceasefire.api.deps import SessionDep, lockout_policy
from ceasefire.api.ratelimit import rate_limit
from ceasefire.identity import service as identity
from ceasefire.kernel.actor import PUBLIC
from ceasefire.web.auth import MaybeWebActor, end_session, start_session
from ceasefire.web.security import CsrfChecked
from ceasefire.web.templating import render

router = APIRouter(include_in_schema=False)
HOME_AFTER_SIGN_IN = "/desk"


def safe_next(target: str | None) -> str:
    """Where to go after signing in: a path of this site only (never another host)."""
    if not target or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return HOME_AFTER_SIGN_IN
    return target


@router.get("/login")
def login_page(request: Request, actor: MaybeWebActor, next: str | None = None) -> Response:
    """The sign-in form (a signed-in user goes straight on)."""
    if actor.role != PUBLIC.role:
        return RedirectResponse(safe_next(next), status_code=303)
    return render(request, "login.html", {"next": safe_next(next), "error": None, "username": ""})


@router.post("/login")
def log_in_page(
    request: Request,
    session: SessionDep,
    _: CsrfChecked,
    username: Annotated[str, Form(max_length=80)] = "",
    password: Annotated[str, Form(max_length=1000)] = "",
    next: Annotated[str | None, Form(max_length=2000)] = None,
) -> Response:
    """Check the password; on success start a session and go on, else show the form again (401)."""
    rate_limit(request, "login")
    try:
        user = identity.sign_in(session, username=username, password=password, policy=lockout_policy(request))
    except identity.SignInRefused as refused:
        # Returned, not raised: the request commits, and with it the count of wrong passwords.
        context = {"next": safe_next(next), "error": refused.message, "username": username}
        return render(request, "login.html", context, status_code=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    start_session(session, request, response, user=user)
    # The session dependency commits only after the response is sent: commit the new sign-in
    # token first, or the browser's next page can arrive before it is stored (and find no session).
    session.commit()
    return response


@router.post("/logout")
def log_out_page(request: Request, session: SessionDep, _: CsrfChecked) -> Response:
    """Sign out: the session's token is revoked, the cookie cleared."""
    response = RedirectResponse("/", status_code=303)
    end_session(session, request, response)
    session.commit()  # the revocation is stored before the browser's next page (see log_in_page)
    return response
