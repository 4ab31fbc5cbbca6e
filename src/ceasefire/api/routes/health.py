"""GET /api/v1/health: liveness, database dialect and schema revision (public)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel
from sqlalchemy import text

from ceasefire import __version__
from ceasefire.api.deps import SessionDep
from ceasefire.migrations.runner import current_revision, head_revision

router = APIRouter(tags=["health"])


class Health(BaseModel):
    """What the service reports about itself."""

    status: str
    version: str
    database: str
    database_url: str
    schema_revision: str | None
    schema_head: str | None
    schema_up_to_date: bool


@router.get("/health", response_model=Health)
def health(request: Request, session: SessionDep) -> Health:
    """Report that the API answers, which database it uses and whether its schema is current."""
    session.execute(text("SELECT 1"))
    engine = request.app.state.engine
    revision = current_revision(engine)
    head = head_revision()
    return Health(
        status="ok",
        version=__version__,
        database=engine.dialect.name,
        database_url=engine.url.render_as_string(hide_password=True),
        schema_revision=revision,
        schema_head=head,
        schema_up_to_date=revision == head,
    )
