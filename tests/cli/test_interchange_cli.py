"""`ceasefire import` and `ceasefire export` against a database of their own (the CLI commits)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session
from typer.testing import CliRunner

from ceasefire.cli import context
from ceasefire.cli.main import app
from ceasefire.parties.models import Party
from tests.conftest import migrated_database

RING = [[37.15, 36.18], [37.20, 36.18], [37.20, 36.23], [37.15, 36.23], [37.15, 36.18]]
DOCUMENT: dict[str, Any] = {
    "format": "ceasefire-registry",
    "version": 1,
    "parties": [
        {"id": "liwa-cli", "name": "Liwa CLI", "kind": "militia", "source": "test"},
        {"id": "army-cli", "name": "Army CLI", "kind": "state_forces", "source": "test"},
    ],
    "relations": [
        {
            "subject_party_id": "liwa-cli",
            "relation": "allied_with",
            "object_party_id": "army-cli",
            "source": "test",
        }
    ],
}
AREAS: dict[str, Any] = {
    "type": "FeatureCollection",
    "features": [
        {
            "type": "Feature",
            "id": "siege-cli",
            "geometry": {"type": "Polygon", "coordinates": [RING]},
            "properties": {
                "name": "Siege",
                "kind": "besieged_area",
                "valid_from": "2016-08-28T00:00 Asia/Damascus",
            },
        }
    ],
}


@pytest.fixture
def cli_engine(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """A fresh migrated database that the CLI's unit of work uses."""
    with migrated_database(tmp_path) as engine:
        monkeypatch.setattr(context, "engine", lambda: engine)
        yield engine


def _write(path: Path, data: Any) -> Path:
    path.write_text(json.dumps(data), encoding="utf-8")
    return path


def _parties(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(Party)) or 0


def test_import_then_export_then_import_again_changes_nothing(cli_engine: Engine, tmp_path: Path) -> None:
    runner = CliRunner()
    registry, areas = _write(tmp_path / "registry.json", DOCUMENT), _write(tmp_path / "areas.geojson", AREAS)
    imported = runner.invoke(app, ["import", str(registry), str(areas)], env={"COLUMNS": "200"})
    assert imported.exit_code == 0, imported.output
    assert "4 items stored" in imported.output
    out, geojson = tmp_path / "export.json", tmp_path / "export-areas.geojson"
    exported = runner.invoke(app, ["export", "--out", str(out), "--areas-geojson", str(geojson)])
    assert exported.exit_code == 0, exported.output
    document = json.loads(out.read_text(encoding="utf-8"))
    assert [p["id"] for p in document["parties"]] == ["army-cli", "liwa-cli"]
    assert document["areas"]["features"][0]["properties"]["valid_from"] == "2016-08-27T21:00:00Z"
    assert json.loads(geojson.read_text(encoding="utf-8")) == document["areas"]
    again = runner.invoke(app, ["import", str(out), "--json"])
    assert again.exit_code == 0, again.output
    report = json.loads(again.stdout)
    assert sum(report["created"].values()) == 0
    assert sum(report["unchanged"].values()) == 4
    stdout = runner.invoke(app, ["export"])
    assert stdout.exit_code == 0
    assert stdout.stdout == out.read_text(encoding="utf-8")


def test_a_file_with_one_bad_item_imports_nothing_and_exits_non_zero(
    cli_engine: Engine, tmp_path: Path
) -> None:
    broken = json.loads(json.dumps(DOCUMENT))
    broken["parties"][1]["aliases"] = [{"value": "Army", "valid_to": "sometime"}]
    path = _write(tmp_path / "broken.json", broken)
    result = CliRunner().invoke(app, ["import", str(path)], env={"COLUMNS": "300"})
    assert result.exit_code == 1
    assert "broken.json: parties[1] (id=army-cli) field aliases.0.valid_to" in result.output
    assert "nothing imported" in result.output
    assert _parties(cli_engine) == 0


def test_a_conflict_with_a_stored_item_exits_3_and_a_dry_run_stores_nothing(
    cli_engine: Engine, tmp_path: Path
) -> None:
    runner = CliRunner()
    path = _write(tmp_path / "registry.json", DOCUMENT)
    dry = runner.invoke(app, ["import", str(path), "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "dry run: nothing stored" in dry.output
    assert _parties(cli_engine) == 0
    assert runner.invoke(app, ["import", str(path)]).exit_code == 0
    changed = json.loads(json.dumps(DOCUMENT))
    changed["parties"][0]["kind"] = "non_state_armed_group"
    conflict = runner.invoke(
        app, ["import", str(_write(tmp_path / "changed.json", changed))], env={"COLUMNS": "300"}
    )
    assert conflict.exit_code == 3
    assert "(id=liwa-cli) field kind" in conflict.output
