"""Agreements: cessations of hostilities and the arrangements that extend or refine them.

Terms: an *agreement* has a kind (cessation of hostilities, extension, regime of calm, humanitarian
pause, local reconciliation, deconfliction or ceasefire arrangement), may have a *parent* (the
agreement it extends or refines; a child never starts before its parent), and a *time scope*:
tz-aware `[starts_at, ends_at)` in UTC, set and shown in the agreement's IANA *zone* (the CoH
starts 2016-02-27 00:00 Asia/Damascus = 2016-02-26T22:00Z). Its *geographic scope* is nationwide
(minus excluded areas) or a list of included areas (minus excluded ones). *Roles* (signatory,
co-chair, guarantor, monitor, secretariat) are formal and undated; whether a party is bound is its
dated *stance* (committed, excluded, rejected, unknown), a sourced claim valid from a day to a day
(inclusive). A party's stance periods for one agreement never overlap; a new stance closes the
party's open-ended stance that began earlier. A child agreement inherits a party's stance from the
nearest ancestor on days it holds no own record of that party. *Obligations* prohibit an act
category or require an action. The *status history* (announced, in force, suspended, lapsed,
collapsed) is append-only and ordered; an agreement is *in force* at an instant when the instant
is in its time scope and its latest status then is not suspended, lapsed or collapsed.
"""

from ceasefire.agreements.rules import format_local, in_time_scope, local_date, local_time, stance_on
from ceasefire.agreements.service import (
    add_obligation,
    agreements_in_force,
    change_status,
    create_agreement,
    find_agreement,
    get_agreement,
    list_agreements,
    read_agreement,
)
from ceasefire.agreements.stances import (
    effective_stances,
    list_stances,
    parties_with_stance,
    record_stance,
    stance_of,
)

__all__ = [
    "add_obligation",
    "agreements_in_force",
    "change_status",
    "create_agreement",
    "effective_stances",
    "find_agreement",
    "format_local",
    "get_agreement",
    "in_time_scope",
    "list_agreements",
    "list_stances",
    "local_date",
    "local_time",
    "parties_with_stance",
    "read_agreement",
    "record_stance",
    "stance_of",
    "stance_on",
]
