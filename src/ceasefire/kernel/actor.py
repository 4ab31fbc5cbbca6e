"""Who is acting: the principal every service call carries, for permissions and the audit trail."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Actor:
    """An authenticated user (or the system) acting through one channel (api, cli, web, system)."""

    id: str
    username: str
    role: str
    via: str = "api"
    party_id: str | None = None

    @property
    def label(self) -> str:
        """How the actor appears in the audit trail."""
        return self.username


SYSTEM = Actor(id="system", username="system", role="admin", via="system")

# The anonymous public, acting through a public route (no account, no party).
PUBLIC = Actor(id="public", username="public", role="public", via="api")
