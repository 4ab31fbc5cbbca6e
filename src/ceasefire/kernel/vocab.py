"""Controlled vocabularies of the brief (section 4) shared across domains."""

from __future__ import annotations

from enum import StrEnum


class PartyKind(StrEnum):
    """What sort of actor a party is."""

    STATE_FORCES = "state_forces"
    NON_STATE_ARMED_GROUP = "non_state_armed_group"
    MILITIA = "militia"
    COALITION = "coalition"
    CO_CHAIR = "co_chair"
    GOVERNMENT = "government"
    UN_BODY = "un_body"
    HUMANITARIAN_ORGANISATION = "humanitarian_organisation"
    MONITOR = "monitor"
    MEDIA_OUTLET = "media_outlet"
    POLITICAL_PARTY = "political_party"
    OTHER = "other"


class Stance(StrEnum):
    """A party's stance toward an agreement on a date."""

    COMMITTED = "committed"
    EXCLUDED = "excluded"
    REJECTED = "rejected"
    UNKNOWN = "unknown"


class RelationKind(StrEnum):
    """Dated relations between parties."""

    ALLIED_WITH = "allied_with"
    PART_OF = "part_of"
    INTERMINGLED_WITH = "intermingled_with"
    BACKED_BY = "backed_by"
    SPOKESPERSON_OF = "spokesperson_of"


class AliasKind(StrEnum):
    """What an alternate name is."""

    OFFICIAL = "official"
    ALTERNATE_SPELLING = "alternate_spelling"
    TRANSLITERATION = "transliteration"
    TRANSLATION = "translation"
    ABBREVIATION = "abbreviation"
    FORMER_NAME = "former_name"
    INFORMAL = "informal"
    PEJORATIVE = "pejorative"


class PlaceKind(StrEnum):
    """What a named point or line is."""

    COUNTRY = "country"
    GOVERNORATE = "governorate"
    DISTRICT = "district"
    SUBDISTRICT = "subdistrict"
    CITY = "city"
    TOWN = "town"
    VILLAGE = "village"
    NEIGHBOURHOOD = "neighbourhood"
    ROAD = "road"
    CHECKPOINT = "checkpoint"
    BASE = "base"
    HOSPITAL = "hospital"
    BORDER_CROSSING = "border_crossing"
    CAMP = "camp"
    OTHER = "other"


class LocationPrecision(StrEnum):
    """How precisely a location is known (ACLED geo_precision 1-3 plus an exact point)."""

    EXACT_POINT = "exact_point"
    TOWN = "town"
    DISTRICT = "district"
    GOVERNORATE = "governorate"
    UNKNOWN = "unknown"


class AreaKind(StrEnum):
    """What a polygon stands for."""

    AREA_OF_CONTROL = "area_of_control"
    BESIEGED_AREA = "besieged_area"
    DEMILITARISED_ZONE = "demilitarised_zone"
    AGREEMENT_SCOPE = "agreement_scope"
    COUNTRY = "country"
    OTHER = "other"


class AgreementKind(StrEnum):
    """Kinds of agreements in the brief."""

    CESSATION_OF_HOSTILITIES = "cessation_of_hostilities"
    EXTENSION = "extension"
    REGIME_OF_CALM = "regime_of_calm"
    HUMANITARIAN_PAUSE = "humanitarian_pause"
    LOCAL_RECONCILIATION = "local_reconciliation"
    DECONFLICTION_ARRANGEMENT = "deconfliction_arrangement"
    CEASEFIRE_ARRANGEMENT = "ceasefire_arrangement"


class AgreementStatus(StrEnum):
    """Status an agreement passes through."""

    ANNOUNCED = "announced"
    IN_FORCE = "in_force"
    SUSPENDED = "suspended"
    LAPSED = "lapsed"
    COLLAPSED = "collapsed"


class ScopeKind(StrEnum):
    """How an agreement's geographic scope is drawn."""

    NATIONWIDE = "nationwide"
    AREAS = "areas"


class AgreementRole(StrEnum):
    """A party's formal role in an agreement (commitment is a dated stance, not a role)."""

    SIGNATORY = "signatory"
    CO_CHAIR = "co_chair"
    GUARANTOR = "guarantor"
    MONITOR = "monitor"
    SECRETARIAT = "secretariat"


class ObligationKind(StrEnum):
    """An obligation either prohibits an act or requires an action."""

    PROHIBITED_ACT = "prohibited_act"
    REQUIRED_ACTION = "required_action"


class ActCategory(StrEnum):
    """Act categories an agreement can prohibit and a report can allege."""

    ARMED_ATTACK = "armed_attack"
    AIR_STRIKE = "air_strike"
    SHELLING = "shelling"
    ROCKET_FIRE = "rocket_fire"
    SNIPER_FIRE = "sniper_fire"
    GROUND_OFFENSIVE = "ground_offensive"
    TERRITORIAL_SEIZURE = "territorial_seizure"
    ATTACK_ON_MEDICAL_FACILITY = "attack_on_medical_facility"
    ATTACK_ON_HUMANITARIAN_CONVOY = "attack_on_humanitarian_convoy"
    ATTACK_ON_CIVILIANS = "attack_on_civilians"
    SUICIDE_BOMBING = "suicide_bombing"
    IED = "ied"
    CHEMICAL_WEAPON = "chemical_weapon"
    ABDUCTION = "abduction"
    OBSTRUCTION_OF_AID = "obstruction_of_aid"
    SIEGE = "siege"
    OTHER = "other"


class RequiredAction(StrEnum):
    """Actions an agreement can require of the parties."""

    ALLOW_HUMANITARIAN_ACCESS = "allow_humanitarian_access"
    LIFT_SIEGES = "lift_sieges"
    REPORT_VIOLATIONS = "report_violations"
    EXHAUST_NON_FORCIBLE_MEANS = "exhaust_non_forcible_means"
    RELEASE_DETAINEES = "release_detainees"
    WITHDRAW_FORCES = "withdraw_forces"
    OPEN_CORRIDORS = "open_corridors"
    ALLOW_OBSERVATION = "allow_observation"
    SURRENDER_WEAPONS = "surrender_weapons"
