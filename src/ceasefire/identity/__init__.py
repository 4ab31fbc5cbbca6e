"""Identity: users, roles, permissions and API tokens.

Terms: a *user* has one *role*; a role grants *permissions* (`registry:write`, `audit:read`, ...);
a *party representative* is bound to one party. An *API token* is a random bearer secret shown once;
only its SHA-256 digest is stored. Passwords are hashed with Argon2id.
"""

from ceasefire.identity.rules import Permission, Role, has_permission

__all__ = ["Permission", "Role", "has_permission"]
