"""`ceasefire get PATH`: answer one API request in-process and print the JSON."""

from __future__ import annotations

import json
import sys

import typer
from fastapi.testclient import TestClient

from ceasefire.api.deps import current_user
from ceasefire.app import create_app
from ceasefire.cli.context import engine, fail, settings, unit_of_work
from ceasefire.identity import service as identity
from ceasefire.identity.models import User


def get(
    path: str = typer.Argument(
        ..., help="API path, e.g. /api/v1/parties?page=2 (the /api/v1 prefix is optional)."
    ),
    as_user: str | None = typer.Option(None, "--as", help="Act as this user (no token needed in-process)."),
) -> None:
    """GET one API path without a server; JSON on stdout, non-zero exit on 4xx/5xx."""
    if not path.startswith("/api/"):
        path = "/api/v1/" + path.lstrip("/")
    user: User | None = None
    if as_user is not None:
        with unit_of_work() as session:
            user = identity.get_user(session, username=as_user)
    app = create_app(settings(), engine=engine())
    if user is not None:
        bound = user

        def as_given_user() -> User:
            return bound

        app.dependency_overrides[current_user] = as_given_user
    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.get(path)
    try:
        body = response.json()
    except ValueError:
        raise fail(f"HTTP {response.status_code}: response is not JSON") from None
    sys.stdout.write(json.dumps(body, indent=2, ensure_ascii=False) + "\n")
    if response.status_code >= 400:
        raise typer.Exit(1 if response.status_code < 500 else 2)
