"""Public pages (no account): how to report a violation, in English, Arabic and Russian."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from ceasefire.web.auth import MaybeWebActor
from ceasefire.web.templating import render

router = APIRouter(include_in_schema=False)


@router.get("/")
def home_page(request: Request, actor: MaybeWebActor) -> Response:
    """How to report a violation: every channel, the form, following a report by its reference code."""
    channels = request.app.state.settings.report_channels
    return render(request, "public/home.html", {"channels": channels})
