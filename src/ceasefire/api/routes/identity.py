"""Users and API tokens: who am I, manage users (admin), issue and revoke my tokens."""

from __future__ import annotations

from fastapi import APIRouter, Request, status

from ceasefire.api.deps import ActorDep, Admin, SessionDep, UserDep, lockout_policy
from ceasefire.identity import service
from ceasefire.identity.schemas import (
    PasswordLogin,
    TokenCreate,
    TokenIssued,
    TokenRead,
    UserCreate,
    UserRead,
)

router = APIRouter(tags=["identity"])


@router.post("/tokens", response_model=TokenIssued, status_code=status.HTTP_201_CREATED)
def log_in(data: PasswordLogin, request: Request, session: SessionDep) -> TokenIssued:
    """Exchange a username and password for a new API token (public; wrong credentials get 401).

    Wrong passwords in a row lock the account for a while (settings login_max_failures and
    login_lockout_minutes); a locked account gets 401 account_locked even with the right password.
    """
    try:
        user = service.sign_in(
            session, username=data.username, password=data.password, policy=lockout_policy(request)
        )
    except service.SignInRefused as refused:
        if refused.changed:
            session.commit()  # the failure count outlives the refused request
        raise
    actor = service.actor_for(user, via="api")
    return service.issue_token(
        session,
        user=user,
        data=TokenCreate(name=data.token_name, expires_at=data.expires_at),
        actor=actor,
    )


@router.get("/me", response_model=UserRead)
def read_me(user: UserDep) -> UserRead:
    """The user behind the token."""
    return UserRead.model_validate(user)


@router.get("/users", response_model=list[UserRead])
def list_users(session: SessionDep, _: Admin) -> list[UserRead]:
    """All users (admin only)."""
    return [UserRead.model_validate(u) for u in service.list_users(session)]


@router.post("/users", response_model=UserRead, status_code=status.HTTP_201_CREATED)
def create_user(data: UserCreate, session: SessionDep, actor: Admin) -> UserRead:
    """Create a user (admin only)."""
    return UserRead.model_validate(service.create_user(session, data=data, actor=actor))


@router.get("/me/tokens", response_model=list[TokenRead])
def list_my_tokens(session: SessionDep, user: UserDep) -> list[TokenRead]:
    """My API tokens (without their secrets)."""
    return [TokenRead.model_validate(t) for t in service.list_tokens(session, user=user)]


@router.post("/me/tokens", response_model=TokenIssued, status_code=status.HTTP_201_CREATED)
def issue_my_token(data: TokenCreate, session: SessionDep, user: UserDep, actor: ActorDep) -> TokenIssued:
    """Issue a new API token for myself; the secret is in this response only."""
    return service.issue_token(session, user=user, data=data, actor=actor)


@router.delete("/me/tokens/{token_id}", response_model=TokenRead)
def revoke_my_token(token_id: str, session: SessionDep, user: UserDep, actor: ActorDep) -> TokenRead:
    """Revoke one of my tokens."""
    return TokenRead.model_validate(service.revoke_token(session, user=user, token_id=token_id, actor=actor))
