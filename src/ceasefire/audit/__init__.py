"""The audit trail: an append-only record of every change (who, when, what, why).

Terms: an *entry* names an *actor* (user or system), the channel (*via*: api, cli, web, system),
an *action* (`<entity>.<verb>`), the entity it touched, the *changes* (field: new value, or
[old, new]) and the *reason* given. Rows are never updated or deleted; database triggers refuse it.
"""

from ceasefire.audit.service import list_entries, record

__all__ = ["list_entries", "record"]
