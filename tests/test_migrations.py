"""The Alembic migrations build, agree with the models, unwind and rebuild on an empty database."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic import command
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, inspect

from ceasefire.db.engine import create_engine_for
from ceasefire.migrations.runner import (
    MIGRATIONS_DIR,
    alembic_config,
    current_revision,
    drift,
    head_revision,
    upgrade,
)
from ceasefire.models import metadata
from tests.conftest import new_database_url

VERSION_FILE = re.compile(r"^(\d{4}-\d{2}-\d{2})_[a-z0-9]+(?:_[a-z0-9]+)*\.py$")


@pytest.fixture
def empty_engine(tmp_path: Path) -> Iterator[Engine]:
    """A brand-new empty database of the dialect under test (not the shared test database)."""
    url, drop = new_database_url(tmp_path)
    engine = create_engine_for(url)
    yield engine
    engine.dispose()
    drop()


def downgrade(engine: Engine, revision: str) -> None:
    """Unwind the schema to a revision ('base' removes everything)."""
    with engine.begin() as connection:
        config = alembic_config(engine.url.render_as_string(hide_password=False))
        config.attributes["connection"] = connection
        command.downgrade(config, revision)


def model_tables(engine: Engine) -> set[str]:
    """Tables of the models present in the database."""
    return set(inspect(engine).get_table_names()) & set(metadata.tables)


def test_migrations_build_the_schema_of_the_models_on_an_empty_database(empty_engine: Engine) -> None:
    assert current_revision(empty_engine) is None
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert model_tables(empty_engine) == set(metadata.tables)
    assert drift(empty_engine) == [], "models and migrations disagree: regenerate the migration"


def test_migrations_downgrade_to_base_and_upgrade_again(empty_engine: Engine) -> None:
    upgrade(empty_engine)
    downgrade(empty_engine, "base")
    assert current_revision(empty_engine) is None
    assert model_tables(empty_engine) == set()
    upgrade(empty_engine)
    assert current_revision(empty_engine) == head_revision()
    assert drift(empty_engine) == []


def test_there_is_one_head_and_version_files_are_named_by_date_and_slug() -> None:
    script = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert len(script.get_heads()) == 1
    files = sorted(p.name for p in (MIGRATIONS_DIR / "versions").glob("*.py") if p.name != "__init__.py")
    assert files, "no migration versions found"
    for name in files:
        match = VERSION_FILE.match(name)
        assert match, f"{name} is not named YYYY-MM-DD_slug.py"
        dt.date.fromisoformat(match.group(1))
    assert len(files) == len(list(script.walk_revisions()))


REFUSE_AT_IMPORT = """
import pydantic_settings, sqlalchemy, sqlalchemy.engine

def refuse(*args, **kwargs):
    raise RuntimeError("touched at import time")

pydantic_settings.BaseSettings.__init__ = refuse
sqlalchemy.create_engine = refuse
sqlalchemy.engine.create_engine = refuse
import ceasefire.db.engine
ceasefire.db.engine.create_engine_for = refuse
"""

IMPORT_EVERYTHING = """
import importlib, pkgutil, sys
import ceasefire
import ceasefire.app
import ceasefire.cli.main
skipped = ("ceasefire.migrations.env", "ceasefire.migrations.versions")
for module in pkgutil.walk_packages(ceasefire.__path__, "ceasefire."):
    if not module.name.startswith(skipped):
        importlib.import_module(module.name)
print("imported", len([m for m in sys.modules if m.startswith("ceasefire")]), "modules")
"""


def run_python(code: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run code in a fresh interpreter (warnings are errors) and capture its output."""
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", code], capture_output=True, text=True, cwd=cwd, check=False
    )


def test_importing_the_package_reads_no_settings_and_creates_no_engine(tmp_path: Path) -> None:
    result = run_python(REFUSE_AT_IMPORT + IMPORT_EVERYTHING, tmp_path)
    assert result.returncode == 0, result.stderr
    assert "imported" in result.stdout


@pytest.mark.parametrize(
    "eager_code",
    [
        "from ceasefire.db.engine import create_engine_for\nENGINE = create_engine_for('sqlite://')\n",
        "from ceasefire.settings import load_settings\nSETTINGS = load_settings()\n",
    ],
    ids=["engine", "settings"],
)
def test_the_import_check_catches_work_done_at_import_time(tmp_path: Path, eager_code: str) -> None:
    (tmp_path / "eager.py").write_text(eager_code, encoding="utf-8")
    result = run_python(REFUSE_AT_IMPORT + "import eager\n", tmp_path)
    assert result.returncode != 0
    assert "touched at import time" in result.stderr
