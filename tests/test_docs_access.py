"""docs/access.md runs: its shell examples are replayed, in order, against the 2016 replay."""

from __future__ import annotations

from pathlib import Path

from tests.test_docs_workflow import Shell, run_page, shell  # noqa: F401  (the fixture)

PAGE = Path(__file__).resolve().parent.parent / "docs" / "access.md"


def test_the_access_page_runs_against_the_replay(shell: Shell) -> None:  # noqa: F811
    run_page(shell, PAGE.read_text(encoding="utf-8"))
    requests = " ".join(shell.sent)
    for route in (
        "/movements",
        "/approvals",
        "/sites",
        "/corridors",
        "/besieged-areas",
        "/observation-posts",
    ):
        assert route in requests, route
    assert len(shell.sent) >= 25
