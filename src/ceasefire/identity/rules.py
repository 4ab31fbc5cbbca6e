"""Roles and the permissions they grant (pure; the workflow issue adds party scoping on top)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    """The roles of the task force's users."""

    ADMIN = "admin"
    ANALYST = "analyst"
    LIAISON_OFFICER = "liaison_officer"
    HUMANITARIAN_COORDINATOR = "humanitarian_coordinator"
    OBSERVER = "observer"
    PARTY_REPRESENTATIVE = "party_representative"


class Permission(StrEnum):
    """What a role may do."""

    REGISTRY_READ = "registry:read"
    REGISTRY_WRITE = "registry:write"
    AUDIT_READ = "audit:read"
    USERS_MANAGE = "users:manage"


_READERS = {Permission.REGISTRY_READ}
ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.ANALYST: frozenset({*_READERS, Permission.REGISTRY_WRITE, Permission.AUDIT_READ}),
    Role.LIAISON_OFFICER: frozenset({*_READERS, Permission.AUDIT_READ}),
    Role.HUMANITARIAN_COORDINATOR: frozenset(_READERS),
    Role.OBSERVER: frozenset(_READERS),
    Role.PARTY_REPRESENTATIVE: frozenset(_READERS),
}


def has_permission(role: str, permission: Permission) -> bool:
    """Tell whether a role (by name) grants a permission; unknown roles grant nothing."""
    try:
        return permission in ROLE_PERMISSIONS[Role(role)]
    except ValueError:
        return False


def role_needs_party(role: str) -> bool:
    """A party representative must be bound to a party; no other role may be."""
    return role == Role.PARTY_REPRESENTATIVE
