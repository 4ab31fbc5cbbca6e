"""The runnable example of docs/interchange.md imports as the page says it does."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy.orm import Session

from ceasefire.interchange import export_registry, import_bundle
from ceasefire.interchange.format import Bundle, add_document, parse_text
from ceasefire.kernel.actor import SYSTEM

PAGE = Path(__file__).resolve().parents[1] / "docs" / "interchange.md"


def _example() -> str:
    found = re.search(
        r"Save this as `ghouta.yaml`.*?```yaml\n(.*?)```", PAGE.read_text(encoding="utf-8"), re.S
    )
    assert found is not None, "docs/interchange.md lost its runnable example"
    return found.group(1)


def test_the_documented_example_imports_once_then_is_found_identical(session: Session) -> None:
    def run() -> dict[str, int]:
        bundle = Bundle()
        add_document(bundle, parse_text(_example(), name="ghouta.yaml"), file="ghouta.yaml")
        report = import_bundle(session, bundle, actor=SYSTEM)
        return {"created": report.total_created, "unchanged": report.total_unchanged}

    assert run() == {"created": 4, "unchanged": 0}
    assert run() == {"created": 0, "unchanged": 4}
    [agreement] = [
        a for a in export_registry(session)["agreements"] if a["id"] == "eastern-ghouta-48h-2016-05"
    ]
    assert agreement["starts_at"] == "2016-05-03T21:00:00Z"
