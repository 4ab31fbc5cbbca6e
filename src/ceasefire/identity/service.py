"""Identity use cases: create users, check passwords, issue, authenticate and revoke tokens."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from ceasefire.audit import record
from ceasefire.identity.models import ApiToken, User
from ceasefire.identity.rules import Role, role_needs_party
from ceasefire.identity.schemas import TokenCreate, TokenIssued, UserCreate
from ceasefire.identity.security import hash_password, new_token, token_digest, verify_password
from ceasefire.kernel.actor import SYSTEM, Actor
from ceasefire.kernel.clock import Clock, utc_now
from ceasefire.kernel.errors import Conflict, Invalid, NotFound, Unauthenticated
from ceasefire.kernel.ids import new_id
from ceasefire.kernel.time import require_aware
from ceasefire.parties.models import Party


def actor_for(user: User, *, via: str) -> Actor:
    """The acting principal for a user on a channel."""
    return Actor(id=user.id, username=user.username, role=user.role, via=via, party_id=user.party_id)


def find_user(session: Session, *, username: str) -> User | None:
    """The user with that username, or None."""
    return session.scalar(select(User).where(User.username == username))


def get_user(session: Session, *, username: str) -> User:
    """The user with that username, or NotFound."""
    user = find_user(session, username=username)
    if user is None:
        raise NotFound.of("user", username, field="username")
    return user


def list_users(session: Session) -> list[User]:
    """All users, by username."""
    return list(session.scalars(select(User).order_by(User.username)))


def create_user(session: Session, *, data: UserCreate, actor: Actor, reason: str | None = None) -> User:
    """Create a user; a party representative must name an existing party, other roles none."""
    if role_needs_party(data.role) and not data.party_id:
        raise Invalid("a party representative must be bound to a party", field="party_id")
    if not role_needs_party(data.role) and data.party_id:
        raise Invalid("only a party representative is bound to a party", field="party_id")
    if data.party_id and session.get(Party, data.party_id) is None:
        raise NotFound.of("party", data.party_id, field="party_id")
    if find_user(session, username=data.username) is not None:
        raise Conflict(f"username {data.username!r} is taken", code="username_taken", field="username")
    user = User(
        id=new_id(),
        username=data.username,
        display_name=data.display_name,
        role=Role(data.role).value,
        party_id=data.party_id,
        password_hash=hash_password(data.password) if data.password else None,
        is_active=True,
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor=actor,
        action="user.create",
        entity_type="user",
        entity_id=user.id,
        changes={"username": user.username, "role": user.role, "party_id": user.party_id},
        reason=reason,
    )
    return user


def authenticate_password(session: Session, *, username: str, password: str) -> User:
    """The active user whose password matches, or Unauthenticated (same error either way)."""
    user = find_user(session, username=username)
    ok = verify_password(user.password_hash if user else None, password)
    if user is None or not ok or not user.is_active:
        raise Unauthenticated("wrong username or password", code="bad_credentials")
    return user


@dataclass(frozen=True)
class LockoutPolicy:
    """How many wrong passwords in a row lock an account, and for how long."""

    max_failures: int = 5
    lockout: timedelta = timedelta(minutes=15)


class SignInRefused(Unauthenticated):
    """A refused sign-in; `changed` says the failure counter moved and must be committed anyway."""

    def __init__(self, message: str, *, code: str, changed: bool) -> None:
        super().__init__(message, code=code)
        self.changed = changed


def sign_in(
    session: Session,
    *,
    username: str,
    password: str,
    policy: LockoutPolicy = LockoutPolicy(),
    clock: Clock = utc_now,
) -> User:
    """Check a password with lockout: too many wrong ones in a row lock the account for a while.

    A refusal raises SignInRefused; when it counted a failure (or locked the account) the caller must
    commit before answering, or the count would be rolled back with the request.
    """
    now = clock()
    user = find_user(session, username=username)
    if user is not None and user.locked_until is not None and user.locked_until > now:
        verify_password(None, password)  # the same work as a real check, so timing tells nothing
        raise SignInRefused(
            "too many wrong passwords: this account is locked for a while; try again later "
            "or ask an administrator",
            code="account_locked",
            changed=False,
        )
    try:
        user = authenticate_password(session, username=username, password=password)
    except Unauthenticated:
        if user is None or not user.is_active:
            raise SignInRefused("wrong username or password", code="bad_credentials", changed=False) from None
        user.failed_logins += 1
        if user.failed_logins >= policy.max_failures:
            user.failed_logins = 0
            user.locked_until = now + policy.lockout
            record(
                session,
                actor=SYSTEM,
                action="user.lock",
                entity_type="user_account",
                entity_id=user.id,
                changes={"locked_until": user.locked_until},
                reason=f"{policy.max_failures} wrong passwords in a row",
            )
        raise SignInRefused("wrong username or password", code="bad_credentials", changed=True) from None
    if user.failed_logins or user.locked_until is not None:
        user.failed_logins = 0
        user.locked_until = None
    return user


def issue_token(
    session: Session, *, user: User, data: TokenCreate, actor: Actor, clock: Clock = utc_now
) -> TokenIssued:
    """Create a token for a user; the secret is returned once and only its digest is kept."""
    expires_at = require_aware(data.expires_at, field="expires_at") if data.expires_at else None
    if expires_at is not None and expires_at <= clock():
        raise Invalid("a token cannot expire in the past", field="expires_at")
    secret = new_token()
    token = ApiToken(
        id=new_id(),
        user_id=user.id,
        name=data.name,
        prefix=secret[:10],
        token_hash=token_digest(secret),
        expires_at=expires_at,
    )
    session.add(token)
    session.flush()
    record(
        session,
        actor=actor,
        action="token.issue",
        entity_type="api_token",
        entity_id=token.id,
        changes={"user": user.username, "name": data.name, "expires_at": expires_at},
    )
    return TokenIssued(id=token.id, name=token.name, token=secret, prefix=token.prefix, expires_at=expires_at)


# Writing the token row on every request would make concurrent requests with one token queue on
# its row lock until each commits; knowing the last use to the minute is enough.
TOKEN_USE_RESOLUTION = timedelta(minutes=1)


def authenticate_token(session: Session, *, secret: str, clock: Clock = utc_now) -> User:
    """The active user owning a valid (unrevoked, unexpired) token, or Unauthenticated.

    One query finds the token and its user; the token's last use is remembered to the minute.
    """
    query = select(ApiToken, User).join(User, User.id == ApiToken.user_id)
    row = session.execute(query.where(ApiToken.token_hash == token_digest(secret))).first()
    now = clock()
    if row is None:
        raise Unauthenticated("invalid or expired token", code="bad_token")
    token, user = row
    expired = token.expires_at is not None and token.expires_at <= now
    if token.revoked_at is not None or expired or not user.is_active:
        raise Unauthenticated("invalid or expired token", code="bad_token")
    if token.last_used_at is None or now - token.last_used_at >= TOKEN_USE_RESOLUTION:
        token.last_used_at = now
    return user


def token_id_for(session: Session, *, secret: str) -> str | None:
    """The id of the token with this secret, if any (to revoke the token a browser holds)."""
    query = select(ApiToken.id).where(ApiToken.token_hash == token_digest(secret))
    return session.scalar(query)


def list_tokens(session: Session, *, user: User) -> list[ApiToken]:
    """A user's tokens, newest first."""
    query = select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.created_at.desc())
    return list(session.scalars(query))


def revoke_token(
    session: Session, *, user: User, token_id: str, actor: Actor, clock: Clock = utc_now
) -> ApiToken:
    """Revoke one of a user's tokens (kept, marked revoked)."""
    token = session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        raise NotFound.of("api_token", token_id)
    if token.revoked_at is None:
        token.revoked_at = clock()
        record(
            session,
            actor=actor,
            action="token.revoke",
            entity_type="api_token",
            entity_id=token.id,
            changes={"revoked_at": token.revoked_at},
        )
    return token
