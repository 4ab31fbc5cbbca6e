"""`ceasefire access` and `ceasefire observation` against a database of their own."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ceasefire.access.models import Approval, Movement
from ceasefire.audit.models import AuditEntry
from ceasefire.cli import context
from ceasefire.cli.main import app
from tests.access_data import control_world, movement_data
from tests.conftest import migrated_database

WIDE = {"COLUMNS": "240"}


@pytest.fixture
def cli_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A fresh migrated database for the CLI's unit of work."""
    with migrated_database(tmp_path) as engine:
        monkeypatch.setattr(context, "engine", lambda: engine)
        yield engine


def invoke(*args: str, code: int = 0) -> str:
    result = CliRunner().invoke(app, list(args), env=WIDE)
    assert result.exit_code == code, result.output
    return result.output


def test_a_movement_from_a_file_to_clearance_on_the_board(cli_engine: Engine, tmp_path: Path) -> None:
    with Session(cli_engine) as session:
        world = control_world(session)
        session.commit()
    request = tmp_path / "convoy.json"
    request.write_text(json.dumps(movement_data(submit=True).model_dump(mode="json")), encoding="utf-8")
    out = invoke("access", "add", str(request))
    movement_id = out.split()[0]
    assert "submitted" in out
    board = invoke("access", "board", "--status", "submitted")
    assert movement_id in board
    assert f"{world.west}: pending" in board
    with Session(cli_engine) as session:
        ids = list(session.scalars(select(Approval.id).where(Approval.movement_id == movement_id)))
    for approval_id in ids:
        invoke("access", "decide", approval_id, "granted")
    invoke("access", "decide", ids[0], "denied", code=1)  # a denial states its reason
    with Session(cli_engine) as session:
        movement = session.get(Movement, movement_id)
        assert movement is not None
        assert movement.status == "cleared"
        audited = select(func.count()).select_from(AuditEntry).where(AuditEntry.entity_id == movement_id)
        assert (session.scalar(audited) or 0) >= 4
    assert "0 movement(s) changed" in invoke("access", "recompute")
    invoke("access", "status", movement_id, "en_route")
    invoke("access", "status", movement_id, "cleared", code=1)


def test_a_bad_file_is_refused_and_nothing_is_stored(cli_engine: Engine, tmp_path: Path) -> None:
    request = tmp_path / "convoy.json"
    request.write_text(json.dumps({"kind": "convoy", "title": "x"}), encoding="utf-8")
    out = invoke("access", "add", str(request), code=1)
    assert "requester" in out
    with Session(cli_engine) as session:
        assert session.scalar(select(func.count()).select_from(Movement)) == 0


def test_observation_overdue_lists_the_missing_days(cli_engine: Engine, tmp_path: Path) -> None:
    from ceasefire.access import service
    from ceasefire.access.schemas import PostCreate
    from ceasefire.kernel.actor import SYSTEM

    with Session(cli_engine) as session:
        data = PostCreate(
            id="post-1",
            name="Post",
            operator="Monitors",
            latitude=36.2,
            longitude=37.1,
            active_from="2016-09-12",
        )
        service.create_post(session, data=data, actor=SYSTEM)
        session.commit()
    out = invoke("observation", "overdue", "--at", "2016-09-14T08:00:00+03:00")
    assert "post-1 2016-09-12 missing" in out
    assert "post-1 2016-09-13 missing" in out
    log = tmp_path / "log.yaml"
    log.write_text("day: 2016-09-13\ncrossings: {civilians: 12}\n", encoding="utf-8")
    assert "version 1" in invoke("observation", "log", "post-1", str(log))
    assert "version 2" in invoke("observation", "log", "post-1", str(log))
    out = invoke("observation", "overdue", "--at", "2016-09-14T08:00:00+03:00", "--json")
    assert [row["day"] for row in json.loads(out)] == ["2016-09-12"]
    assert "civilians 12" in invoke("observation", "logs", "post-1")
