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
    REPORT_SUBMIT = "report:submit"
    INTAKE_READ_ALL = "intake:read_all"
    INTAKE_STRUCTURE = "intake:structure"
    EVIDENCE_UPLOAD = "evidence:upload"
    EVIDENCE_VERIFY = "evidence:verify"
    INCIDENT_READ_ALL = "incident:read_all"
    INCIDENT_MANAGE = "incident:manage"
    DETERMINE = "determination:issue"
    SENSITIVE_READ = "sensitive:read"
    ACCESS_WRITE = "access:write"
    ACCESS_DECIDE = "access:decide"


# The anonymous public: no account; may submit through the public routes and read what is published.
PUBLIC_ROLE = "public"

_READERS = {Permission.REGISTRY_READ}
_SUBMITTERS = {Permission.REPORT_SUBMIT, Permission.EVIDENCE_UPLOAD}
_SECRETARIAT = {
    Permission.INTAKE_READ_ALL,
    Permission.INCIDENT_READ_ALL,
    Permission.AUDIT_READ,
    Permission.EVIDENCE_VERIFY,
}
ROLE_PERMISSIONS: dict[str, frozenset[Permission]] = {
    Role.ADMIN: frozenset(Permission),
    Role.ANALYST: frozenset(
        {
            *_READERS,
            *_SUBMITTERS,
            *_SECRETARIAT,
            Permission.REGISTRY_WRITE,
            Permission.INTAKE_STRUCTURE,
            Permission.INCIDENT_MANAGE,
            Permission.DETERMINE,
            Permission.SENSITIVE_READ,
        }
    ),
    Role.LIAISON_OFFICER: frozenset({*_READERS, *_SUBMITTERS, *_SECRETARIAT}),
    Role.HUMANITARIAN_COORDINATOR: frozenset(
        {*_READERS, *_SUBMITTERS, Permission.ACCESS_WRITE, Permission.ACCESS_DECIDE}
    ),
    Role.OBSERVER: frozenset({*_READERS, *_SUBMITTERS, Permission.ACCESS_WRITE}),
    Role.PARTY_REPRESENTATIVE: frozenset({*_READERS, *_SUBMITTERS, Permission.ACCESS_DECIDE}),
    PUBLIC_ROLE: frozenset(_SUBMITTERS),
}


def has_permission(role: str, permission: Permission) -> bool:
    """Tell whether a role (by name) grants a permission; unknown roles grant nothing."""
    return permission in ROLE_PERMISSIONS.get(role, frozenset())


def is_party_scoped(role: str) -> bool:
    """A party representative sees only what concerns its own party (or is published)."""
    return role == Role.PARTY_REPRESENTATIVE


def may_see_incident(
    *,
    role: str,
    party_id: str | None,
    publication: str,
    reporting_party_ids: set[str],
    accused_party_ids: set[str],
) -> bool:
    """Whether a role may see an incident at its publication level.

    The secretariat sees everything; a party representative sees the incidents its party reported
    or is accused in, and those published to the parties or the public; everyone else (and the
    anonymous public) sees the published ones, and the coordinators and observers also those
    released to the parties.
    """
    if has_permission(role, Permission.INCIDENT_READ_ALL):
        return True
    if publication == "public":
        return True
    if role == PUBLIC_ROLE:
        return False
    if is_party_scoped(role):
        involved = party_id is not None and party_id in reporting_party_ids | accused_party_ids
        return involved or publication == "parties"
    return publication == "parties"


def role_needs_party(role: str) -> bool:
    """A party representative must be bound to a party; no other role may be."""
    return role == Role.PARTY_REPRESENTATIVE
