"""Import failures: each issue names the file, the item (section, index, id) and the field at fault."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from ceasefire.kernel.errors import Conflict, Invalid


@dataclass(frozen=True, slots=True)
class Issue:
    """One thing wrong with the input, located as precisely as the reader knows."""

    file: str
    message: str
    section: str | None = None
    index: int | None = None
    item_id: str | None = None
    field: str | None = None
    code: str = "invalid"

    @property
    def where(self) -> str:
        """`file: section[index] (id=...) field` — the location a user reads first."""
        place = self.file
        if self.section is not None:
            place += f": {self.section}"
            if self.index is not None:
                place += f"[{self.index}]"
        if self.item_id is not None:
            place += f" (id={self.item_id})"
        if self.field:
            place += f" field {self.field}"
        return place

    def __str__(self) -> str:
        return f"{self.where}: {self.message}"

    def as_dict(self) -> dict[str, Any]:
        """The issue as plain data (for JSON output)."""
        return asdict(self)


def _summary(issues: list[Issue], what: str) -> str:
    first = str(issues[0]) if issues else what
    more = f" (and {len(issues) - 1} more)" if len(issues) > 1 else ""
    return f"{first}{more}"


class Rejected(Invalid):
    """The input is invalid; nothing was stored."""

    code = "import_rejected"

    def __init__(self, issues: list[Issue]) -> None:
        first = issues[0] if issues else None
        super().__init__(
            _summary(issues, "input rejected"),
            field=first.field if first else None,
            details={"issues": [i.as_dict() for i in issues]},
        )
        self.issues = issues


class Conflicting(Conflict):
    """Items exist under the same id (or key) with different content; nothing was stored."""

    code = "import_conflict"

    def __init__(self, issues: list[Issue]) -> None:
        first = issues[0] if issues else None
        super().__init__(
            _summary(issues, "conflicting items"),
            field=first.field if first else None,
            details={"issues": [i.as_dict() for i in issues]},
        )
        self.issues = issues
