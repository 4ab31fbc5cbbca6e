"""ASGI middleware that refuses request bodies over the configured size, before they are parsed."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send


class BodySizeLimit:
    """Answer 413 in the error envelope when a body exceeds max_bytes (declared or streamed).

    `overrides` maps path prefixes to their own limits (the longest matching prefix wins), so that
    upload routes can take larger bodies than the rest of the API.
    """

    def __init__(self, app: ASGIApp, *, max_bytes: int, overrides: Mapping[str, int] | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        # Longest prefix first, so the most specific limit applies.
        self.overrides = sorted((overrides or {}).items(), key=lambda item: len(item[0]), reverse=True)

    def limit_for(self, path: str) -> int:
        """The body limit of a request path: its longest matching override, else max_bytes."""
        for prefix, limit in self.overrides:
            if path == prefix or path.startswith(prefix.rstrip("/") + "/"):
                return limit
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        max_bytes = self.limit_for(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > max_bytes:
            await self._refuse(send, max_bytes)
            return
        # No trustworthy length: read the body up to the limit first, then replay it to the app.
        chunks: list[bytes] = []
        received = 0
        more = True
        while more:
            message = await receive()
            if message["type"] != "http.request":
                await self.app(scope, _replay([], message, receive), send)
                return
            chunk = message.get("body", b"")
            received += len(chunk)
            if received > max_bytes:
                await self._refuse(send, max_bytes)
                return
            chunks.append(chunk)
            more = message.get("more_body", False)
        await self.app(scope, _replay(chunks, None, receive), send)

    async def _refuse(self, send: Send, max_bytes: int) -> None:
        body: dict[str, Any] = {
            "error": {
                "status": 413,
                "code": "too_large",
                "message": f"request body exceeds {max_bytes} bytes",
                "field": "body",
                "details": None,
            }
        }
        payload = json.dumps(body).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def _replay(chunks: list[bytes], then: Message | None, original: Receive) -> Receive:
    """A receive callable that hands back a buffered body, then the server's own messages.

    After the body, the server's receive is the one to wait on: it tells when the client really
    goes. (Answering "disconnect" at once made streamed and file responses stop before their body.)
    """
    pending: list[Message] = [{"type": "http.request", "body": b"".join(chunks), "more_body": False}]
    if then is not None:
        pending = [then]

    async def receive() -> Message:
        if pending:
            return pending.pop(0)
        return await original()

    return receive
