"""Every `ceasefire get` example of docs/guide.md answers 200 against the 2016 replay."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from ceasefire.interchange import load_replay
from ceasefire.kernel.actor import SYSTEM

GUIDE = Path(__file__).resolve().parent.parent / "docs" / "guide.md"


def guide_examples() -> list[str]:
    """The API paths of the guide's `ceasefire get PATH --as USER` lines."""
    paths = []
    for line in GUIDE.read_text(encoding="utf-8").splitlines():
        if not line.startswith("ceasefire get "):
            continue
        words = shlex.split(re.sub(r"\s+#.*$", "", line))
        paths.append(words[2])
    return paths


def test_the_guide_has_examples_for_each_registry() -> None:
    paths = guide_examples()
    for prefix in ("/parties", "/places", "/areas", "/agreements", "/audit", "/me"):
        assert any(p.startswith(prefix) for p in paths), prefix


def test_every_guide_example_answers(client: TestClient, session: Session, as_role) -> None:
    load_replay(session, actor=SYSTEM)
    headers = as_role("analyst")
    for path in guide_examples():
        response = client.get("/api/v1" + path, headers=headers)
        assert response.status_code == 200, (path, response.text[:300])
        assert response.json(), path
