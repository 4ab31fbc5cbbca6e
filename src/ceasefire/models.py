"""Imports every table so that the metadata is complete (for Alembic and the drift check)."""

from ceasefire.access.models import (
    AgreementApprover,
    Approval,
    BesiegedArea,
    Checkpoint,
    Corridor,
    CorridorStatus,
    DailyLog,
    Movement,
    MovementEvent,
    ObservationPost,
    Obstruction,
    Site,
    SiteAcknowledgement,
    SiteFlag,
)
from ceasefire.agreements.models import (
    Agreement,
    AgreementArea,
    AgreementParty,
    AgreementStatusChange,
    Obligation,
)
from ceasefire.audit.models import AuditEntry
from ceasefire.correlation.models import CorrelationCell, CorrelationEntry, CorrelationPair
from ceasefire.db.base import Base
from ceasefire.determinations.models import Determination
from ceasefire.evidence.models import CustodyEvent, Evidence, ReportEvidence
from ceasefire.identity.models import ApiToken, User
from ceasefire.incidents.models import Incident, IncidentReport, PairDecision, StageChange
from ceasefire.intake.models import Message, Report, ReportWithdrawal
from ceasefire.parties.models import Party, PartyAlias, PartyRelation, PartyStance
from ceasefire.places.models import Area, Place, PlaceName

metadata = Base.metadata

__all__ = [
    "Agreement",
    "AgreementApprover",
    "AgreementArea",
    "AgreementParty",
    "AgreementStatusChange",
    "ApiToken",
    "Approval",
    "Area",
    "AuditEntry",
    "BesiegedArea",
    "Checkpoint",
    "CorrelationCell",
    "CorrelationEntry",
    "CorrelationPair",
    "Corridor",
    "CorridorStatus",
    "CustodyEvent",
    "DailyLog",
    "Determination",
    "Evidence",
    "Incident",
    "IncidentReport",
    "Message",
    "Movement",
    "MovementEvent",
    "Obligation",
    "ObservationPost",
    "Obstruction",
    "PairDecision",
    "Party",
    "PartyAlias",
    "PartyRelation",
    "PartyStance",
    "Place",
    "PlaceName",
    "Report",
    "ReportEvidence",
    "ReportWithdrawal",
    "Site",
    "SiteAcknowledgement",
    "SiteFlag",
    "StageChange",
    "User",
    "metadata",
]
