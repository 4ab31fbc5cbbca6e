"""`ceasefire evidence add|add-url|show|verify` against a database and store of their own."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasefire.cli import context
from ceasefire.cli.main import app
from ceasefire.evidence.store import EvidenceStore
from ceasefire.settings import Settings
from tests.conftest import migrated_database
from tests.evidence_data import CAPTURED_ISO, TOMORROW_ISO, png, stored_files, tamper

WIDE = {"COLUMNS": "250"}


@pytest.fixture
def cli_store(tmp_path: Path, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[EvidenceStore]:
    """A fresh migrated database and the test settings' evidence store, used by the CLI."""
    with migrated_database(tmp_path) as engine:
        monkeypatch.setattr(context, "engine", lambda: engine)
        monkeypatch.setattr(context, "settings", lambda: settings)
        yield EvidenceStore(settings.resolved_evidence_dir())


def _add(tmp_path: Path, content: bytes, *extra: str) -> tuple[int, str]:
    path = tmp_path / "photo.png"
    path.write_bytes(content)
    result = CliRunner().invoke(
        app,
        ["evidence", "add", str(path), "--collector", "field team", "--captured-at", CAPTURED_ISO, *extra],
        env=WIDE,
    )
    return result.exit_code, result.output


def _id_in(output: str) -> str:
    match = re.search(r"^(\S+) — file", output, re.MULTILINE)
    assert match, output
    return match.group(1)


def test_add_then_show_lists_the_custody_log(tmp_path: Path, cli_store: EvidenceStore) -> None:
    code, output = _add(tmp_path, png(), "--type", "image/jpeg")
    assert code == 0, output
    assert "image/png" in output
    assert "declared as image/jpeg" in output
    evidence_id = _id_in(output)
    shown = CliRunner().invoke(app, ["evidence", "show", evidence_id], env=WIDE)
    assert shown.exit_code == 0, shown.output
    assert "received" in shown.output
    assert "stored" in shown.output
    assert "fixity ok" in shown.output
    assert len(stored_files(cli_store.root)) == 1


def test_verify_passes_then_fails_on_a_tampered_file(tmp_path: Path, cli_store: EvidenceStore) -> None:
    code, output = _add(tmp_path, png())
    assert code == 0, output
    evidence_id = _id_in(output)
    runner = CliRunner()
    clean = runner.invoke(app, ["evidence", "verify"], env=WIDE)
    assert clean.exit_code == 0, clean.output
    assert "1 ok" in clean.output
    tamper(cli_store, next(iter(stored_files(cli_store.root))).name)
    broken = runner.invoke(app, ["evidence", "verify"], env=WIDE)
    assert broken.exit_code == 1
    assert "1 altered" in broken.output
    assert evidence_id in broken.output
    shown = runner.invoke(app, ["evidence", "show", evidence_id], env=WIDE)
    assert "fixity_failed" in shown.output
    assert "FAILED" in shown.output


def test_add_refuses_bad_input(tmp_path: Path, cli_store: EvidenceStore) -> None:
    code, output = _add(tmp_path, b"")
    assert code == 1
    assert "empty" in output
    path = tmp_path / "photo.png"
    path.write_bytes(png())
    future = CliRunner().invoke(
        app, ["evidence", "add", str(path), "--collector", "x", "--captured-at", TOMORROW_ISO], env=WIDE
    )
    assert future.exit_code == 1
    assert "future" in future.output
    garbled = CliRunner().invoke(
        app, ["evidence", "add", str(path), "--collector", "x", "--captured-at", "last tuesday"], env=WIDE
    )
    assert garbled.exit_code == 2
    assert stored_files(cli_store.root) == []


def test_add_url_accepts_only_http(cli_store: EvidenceStore) -> None:
    runner = CliRunner()
    ok = runner.invoke(
        app,
        ["evidence", "add-url", "https://example.org/v", "--collector", "m", "--captured-at", CAPTURED_ISO],
        env=WIDE,
    )
    assert ok.exit_code == 0, ok.output
    assert "https://example.org/v" in ok.output
    bad = runner.invoke(
        app, ["evidence", "add-url", "file:///etc/passwd", "--collector", "m", "--captured-at", CAPTURED_ISO]
    )
    assert bad.exit_code == 1
    assert "http" in bad.output


def test_show_of_an_unknown_id_fails(cli_store: EvidenceStore) -> None:
    result = CliRunner().invoke(app, ["evidence", "show", "nope"])
    assert result.exit_code == 1
    assert "no evidence" in result.output
