"""Rate limits per client address (sign-in, public submissions), counted by the `limits` library.

Counters live where the setting rate_limit_storage says: memory:// for one process (the laptop), or
redis:// so that several workers or hosts share them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from fastapi import Request
from limits import RateLimitItem, parse_many
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter

from ceasefire.kernel.errors import DomainError, ErrorKind


class TooManyRequests(DomainError):
    """A client went over a rate limit; it may try again after `retry_after` seconds."""

    kind = ErrorKind.TOO_MANY
    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message, details={"retry_after": retry_after})
        self.retry_after = retry_after


@dataclass
class RateLimiter:
    """Named limits (e.g. "login": "10/minute") checked per client address."""

    limiter: MovingWindowRateLimiter
    limits: dict[str, list[RateLimitItem]]

    @classmethod
    def build(cls, storage_uri: str, limits: dict[str, str]) -> RateLimiter:
        """A limiter over the storage the URI names, with each limit in the `limits` syntax."""
        storage = storage_from_string(storage_uri)
        return cls(MovingWindowRateLimiter(storage), {k: parse_many(v) for k, v in limits.items()})

    def hit(self, name: str, key: str) -> None:
        """Count one request of `key` against the named limits; TooManyRequests when over any."""
        for item in self.limits.get(name, []):
            if not self.limiter.hit(item, name, key):
                reset_at, _ = self.limiter.get_window_stats(item, name, key)
                retry = max(1, int(reset_at - time.time()))
                raise TooManyRequests(
                    f"too many requests: at most {item} from one address; try again in {retry} s",
                    retry_after=retry,
                )

    def reset(self) -> None:
        """Forget every counter (tests and operators)."""
        self.limiter.storage.reset()


def client_address(request: Request) -> str:
    """The client's address (behind a reverse proxy, run uvicorn with --proxy-headers)."""
    return request.client.host if request.client else "unknown"


def rate_limit(request: Request, name: str) -> None:
    """Count this request against the app's named limit for its client address."""
    limiter: RateLimiter = request.app.state.rate_limiter
    limiter.hit(name, client_address(request))
