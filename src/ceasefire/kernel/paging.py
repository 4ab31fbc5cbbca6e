"""Page requests and pages of results, shared by repositories and the API."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class PageRequest:
    """Which page of a list, numbered from 1."""

    page: int = 1
    size: int = 50

    @property
    def offset(self) -> int:
        """Rows to skip."""
        return (self.page - 1) * self.size


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of items with the total count."""

    items: Sequence[T]
    total: int
    request: PageRequest

    @property
    def has_next(self) -> bool:
        """Whether another page follows."""
        return self.request.offset + len(self.items) < self.total
