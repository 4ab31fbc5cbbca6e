"""`ceasefire users`: create users and issue API tokens from the terminal."""

from __future__ import annotations

import typer
from rich.table import Table

from ceasefire.cli.context import actor_named, console, unit_of_work
from ceasefire.identity import service
from ceasefire.identity.rules import Role
from ceasefire.identity.schemas import TokenCreate, UserCreate

app = typer.Typer(help="Manage users and API tokens.", no_args_is_help=True)


@app.command("create")
def create(
    username: str = typer.Argument(..., help="Login name."),
    role: Role = typer.Option(..., help="Role of the user."),
    display_name: str | None = typer.Option(None, help="Full name (default: the username)."),
    party: str | None = typer.Option(None, help="Party id, for a party representative."),
    password: str | None = typer.Option(
        None, prompt=True, hide_input=True, confirmation_prompt=True, help="Password (prompted)."
    ),
    as_user: str | None = typer.Option(None, "--as", help="Record the change as this user."),
) -> None:
    """Create a user."""
    with unit_of_work() as session:
        user = service.create_user(
            session,
            data=UserCreate(
                username=username,
                display_name=display_name or username,
                role=role,
                party_id=party,
                password=password or None,
            ),
            actor=actor_named(session, as_user),
        )
        console.print(f"created user [bold]{user.username}[/] ({user.role})")


@app.command("list")
def list_() -> None:
    """List users."""
    with unit_of_work() as session:
        table = Table("username", "name", "role", "party", "active")
        for user in service.list_users(session):
            table.add_row(
                user.username, user.display_name, user.role, user.party_id or "", str(user.is_active)
            )
        console.print(table)


@app.command("token")
def token(
    username: str = typer.Argument(..., help="Whose token."),
    name: str = typer.Option("cli", help="A label for the token."),
) -> None:
    """Issue an API token for a user and print it (shown once)."""
    with unit_of_work() as session:
        user = service.get_user(session, username=username)
        issued = service.issue_token(
            session, user=user, data=TokenCreate(name=name), actor=actor_named(session, None)
        )
        typer.echo(issued.token)
