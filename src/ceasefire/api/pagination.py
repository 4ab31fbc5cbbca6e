"""Page parameters and the page envelope of every list."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Generic, TypeVar

from fastapi import Query, Request
from pydantic import BaseModel

from ceasefire.kernel.paging import Page, PageRequest

T = TypeVar("T")


class PageOut(BaseModel, Generic[T]):
    """A page of a list: items, numbering, total and the URL of the next page (or null)."""

    items: list[T]
    page: int
    size: int
    total: int
    next: str | None


def page_params(
    request: Request,
    page: int = Query(1, ge=1, le=1_000_000, description="Page number, from 1."),
    size: int | None = Query(None, ge=1, description="Items per page (default and maximum from settings)."),
) -> PageRequest:
    """Read ?page=&size=, capping size at the configured maximum."""
    settings = request.app.state.settings
    chosen = size or settings.page_size
    if chosen > settings.max_page_size:
        from ceasefire.kernel.errors import Invalid

        raise Invalid(f"size must be at most {settings.max_page_size}", field="size")
    return PageRequest(page=page, size=chosen)


def page_out(request: Request, page: Page[Any], convert: Callable[[Any], T]) -> PageOut[T]:
    """Wrap a domain page for the API, with the next page's URL."""
    items: Sequence[Any] = page.items
    nxt = None
    if page.has_next:
        nxt = str(request.url.include_query_params(page=page.request.page + 1, size=page.request.size))
    return PageOut[T](
        items=[convert(i) for i in items],
        page=page.request.page,
        size=page.request.size,
        total=page.total,
        next=nxt,
    )
