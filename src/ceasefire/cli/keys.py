"""`ceasefire keys`: make encryption keys for reporters' contact details."""

from __future__ import annotations

import typer

from ceasefire.identity.crypto import generate_key

app = typer.Typer(help="Encryption keys for reporters' contact details.", no_args_is_help=True)


@app.command()
def generate() -> None:
    """Print a new random Fernet key; put it first in CEASEFIRE_ENCRYPTION_KEYS (keep older keys after it)."""
    typer.echo(generate_key())
