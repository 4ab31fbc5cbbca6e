"""Vocabularies of claims and the workflow (brief sections 2 and 4)."""

from __future__ import annotations

from enum import StrEnum


class Channel(StrEnum):
    """How a message arrived."""

    WEB_FORM = "web_form"
    API = "api"
    HOTLINE = "hotline"
    OBSERVATION_POST = "observation_post"
    EMAIL = "email"
    SMS = "sms"
    NEWS_ARTICLE = "news_article"


class ClaimStance(StrEnum):
    """What a report does with the event it describes."""

    ASSERTS = "asserts"
    DENIES = "denies"
    COUNTER_ACCUSES = "counter_accuses"
    CONFIRMS = "confirms"


class EventType(StrEnum):
    """ACLED event types."""

    BATTLES = "battles"
    EXPLOSIONS_REMOTE_VIOLENCE = "explosions_remote_violence"
    VIOLENCE_AGAINST_CIVILIANS = "violence_against_civilians"
    STRATEGIC_DEVELOPMENTS = "strategic_developments"
    PROTESTS = "protests"
    RIOTS = "riots"


SUB_EVENT_TYPES: dict[EventType, tuple[str, ...]] = {
    EventType.BATTLES: (
        "armed_clash",
        "government_regains_territory",
        "non_state_actor_overtakes_territory",
    ),
    EventType.EXPLOSIONS_REMOTE_VIOLENCE: (
        "air_drone_strike",
        "shelling_artillery_missile_attack",
        "suicide_bomb",
        "remote_explosive_landmine_ied",
        "grenade",
        "chemical_weapon",
    ),
    EventType.VIOLENCE_AGAINST_CIVILIANS: ("attack", "abduction_forced_disappearance", "sexual_violence"),
    EventType.STRATEGIC_DEVELOPMENTS: (
        "agreement",
        "arrests",
        "change_to_group_activity",
        "headquarters_or_base_established",
        "looting_property_destruction",
        "non_violent_transfer_of_territory",
        "disrupted_weapons_use",
        "other",
    ),
    EventType.PROTESTS: (
        "peaceful_protest",
        "protest_with_intervention",
        "excessive_force_against_protesters",
    ),
    EventType.RIOTS: ("violent_demonstration", "mob_violence"),
}


class ReportState(StrEnum):
    """Where a report version stands (derived: versions and withdrawals are separate rows)."""

    CURRENT = "current"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class Stage(StrEnum):
    """Workflow stage of an incident."""

    NEW = "new"
    TRIAGE = "triage"
    VERIFICATION = "verification"
    DETERMINATION = "determination"
    LIAISON = "liaison"
    CLOSED = "closed"
    MERGED = "merged"
    DISMISSED = "dismissed"


class Publication(StrEnum):
    """Who may see an incident beyond the secretariat."""

    INTERNAL = "internal"
    PARTIES = "parties"
    PUBLIC = "public"


class Grade(StrEnum):
    """Verification grade (after Airwars)."""

    UNVERIFIED = "unverified"
    SINGLE_SOURCE = "single_source"
    CORROBORATED = "corroborated"
    CONFIRMED = "confirmed"
    CONTESTED = "contested"
    DISCOUNTED = "discounted"


class Finding(StrEnum):
    """The finding of a determination."""

    VIOLATION = "violation"
    NO_VIOLATION = "no_violation"
    INCONCLUSIVE = "inconclusive"


class Verdict(StrEnum):
    """Applicability of one agreement to one incident."""

    IN_SCOPE = "in_scope"
    OUT_OF_SCOPE = "out_of_scope"
    UNCERTAIN = "uncertain"
