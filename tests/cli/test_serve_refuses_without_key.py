"""The server will not start outside demo mode without a key protecting reporters' contacts."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from ceasefire.app import ConfigurationError, create_server_app
from ceasefire.cli import serve as serve_module
from ceasefire.cli.main import app
from ceasefire.settings import Settings
from tests.conftest import TEST_KEY


def _never(*_: object, **__: object) -> None:
    raise AssertionError("uvicorn must not be started")


def test_serve_refuses_to_start_without_a_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare = Settings(data_dir=tmp_path, _env_file=None)  # type: ignore[call-arg]
    monkeypatch.setattr(serve_module, "settings", lambda: bare)
    monkeypatch.setattr(serve_module, "require_schema", lambda: None)
    monkeypatch.setattr(serve_module.uvicorn, "run", _never)
    result = CliRunner().invoke(app, ["serve"])
    assert result.exit_code == 1
    assert "CEASEFIRE_ENCRYPTION_KEYS is not set" in result.output


def test_serve_starts_with_a_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    keyed = Settings(data_dir=tmp_path, encryption_keys=[TEST_KEY], _env_file=None)  # type: ignore[call-arg]
    started: list[str] = []
    monkeypatch.setattr(serve_module, "settings", lambda: keyed)
    monkeypatch.setattr(serve_module, "require_schema", lambda: None)
    monkeypatch.setattr(serve_module.uvicorn, "run", lambda target, **_: started.append(target))
    assert CliRunner().invoke(app, ["serve"]).exit_code == 0
    assert started == ["ceasefire.app:create_server_app"]


def test_the_server_factory_refuses_without_a_key_but_not_in_demo_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CEASEFIRE_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("CEASEFIRE_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.delenv("CEASEFIRE_ENCRYPTION_KEYS", raising=False)
    monkeypatch.delenv("CEASEFIRE_DEMO_MODE", raising=False)
    with pytest.raises(ConfigurationError, match="ceasefire keys generate"):
        create_server_app()
    monkeypatch.setenv("CEASEFIRE_DEMO_MODE", "true")
    demo_app = create_server_app()
    assert demo_app.state.cipher is not None
    assert (tmp_path / "demo-encryption.key").stat().st_mode & 0o077 == 0
    demo_app.state.engine.dispose()
