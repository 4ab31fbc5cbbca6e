"""The generated references in docs/ match the code, and everything they document is described."""

from __future__ import annotations

import difflib
import re
import tomllib
from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasefire.cli.docs import references, render_settings_reference, walk_commands
from ceasefire.cli.main import app
from ceasefire.settings import Settings

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"


@pytest.mark.parametrize("name", sorted(references()))
def test_committed_reference_docs_are_current(name: str) -> None:
    generated = references()[name]
    path = DOCS / name
    committed = path.read_text(encoding="utf-8") if path.is_file() else ""
    diff = "".join(
        list(
            difflib.unified_diff(
                committed.splitlines(True), generated.splitlines(True), "committed", "generated", n=1
            )
        )[:40]
    )
    assert committed == generated, f"docs/{name} is out of date: run `ceasefire docs generate`\n{diff}"


def test_every_setting_has_a_description() -> None:
    undescribed = [
        name for name, field in Settings.model_fields.items() if not (field.description or "").strip()
    ]
    assert undescribed == []


def test_every_setting_appears_in_the_reference_with_its_variable() -> None:
    reference = render_settings_reference()
    for name in Settings.model_fields:
        assert f"`CEASEFIRE_{name.upper()}`" in reference


def test_every_command_argument_and_option_has_help_text() -> None:
    missing = []
    for doc in walk_commands():
        if not (doc.command.help or "").strip():
            missing.append(doc.path)
        for param in doc.command.get_params(doc.context):
            if not getattr(param, "hidden", False) and not (getattr(param, "help", None) or "").strip():
                missing.append(f"{doc.path} {param.name}")
    assert missing == [], f"commands or parameters without help text: {missing}"


def test_the_cli_reference_lists_every_command_with_its_usage() -> None:
    reference = references()["cli.md"]
    paths = [doc.path for doc in walk_commands()]
    assert {"ceasefire db upgrade", "ceasefire users token", "ceasefire docs generate"} <= set(paths)
    for path in paths:
        assert f"## `{path}`" in reference
    assert "ceasefire db upgrade [OPTIONS]" in reference


def test_docs_generate_writes_the_files_and_check_detects_staleness(tmp_path: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(app, ["docs", "generate", "--check", "--docs-dir", str(tmp_path)])
    assert missing.exit_code == 1
    assert not (tmp_path / "cli.md").exists()

    written = runner.invoke(app, ["docs", "generate", "--docs-dir", str(tmp_path)])
    assert written.exit_code == 0, written.output
    assert (tmp_path / "settings.md").read_text(encoding="utf-8") == render_settings_reference()
    assert runner.invoke(app, ["docs", "generate", "--check", "--docs-dir", str(tmp_path)]).exit_code == 0

    (tmp_path / "cli.md").write_text("# edited by hand\n", encoding="utf-8")
    stale = runner.invoke(app, ["docs", "generate", "--check", "--docs-dir", str(tmp_path)])
    assert stale.exit_code == 1
    assert "cli.md" in stale.output
    assert (tmp_path / "cli.md").read_text(encoding="utf-8") == "# edited by hand\n"


def test_docs_generate_refuses_a_missing_folder(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["docs", "generate", "--docs-dir", str(tmp_path / "nowhere")])
    assert result.exit_code == 1
    assert not (tmp_path / "nowhere").exists()


def test_every_declared_dependency_is_explained_in_docs_dependencies() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    declared = [*project["dependencies"], *project["optional-dependencies"]["dev"]]
    names = {re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0].lower() for requirement in declared}
    text = (DOCS / "dependencies.md").read_text(encoding="utf-8")
    explained = {entry.split()[0].lower() for entry in re.findall(r"^- \*\*(.+?)\*\*", text, re.MULTILINE)}
    assert names - explained == set(), "add a line to docs/dependencies.md for each new dependency"
