"""ASGI middleware that refuses request bodies over the configured size with 413."""

from __future__ import annotations

import json
from typing import Any

Scope = dict[str, Any]


class BodyLimit:
    def __init__(self, app: Any, max_bytes: int) -> None:
        self.app = app
        self.max_bytes = max_bytes

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None:
            try:
                size = int(declared)
            except ValueError:
                await self._refuse(send, 400, "Content-Length header is not a number")
                return
            if size > self.max_bytes:
                await self._refuse(send, 413, self._message(size))
                return
        seen = 0
        refused = False

        async def limited() -> Any:
            nonlocal seen, refused
            message = await receive()
            if message["type"] == "http.request" and not refused:
                seen += len(message.get("body", b""))
                if seen > self.max_bytes:
                    # Answer 413 now and tell the app the client went away, so whatever
                    # it makes of the cut-off body never reaches the client.
                    refused = True
                    await self._refuse(send, 413, self._message(seen))
                    return {"type": "http.disconnect"}
            return message

        async def guarded_send(message: Any) -> None:
            if not refused:
                await send(message)

        await self.app(scope, limited, guarded_send)

    def _message(self, size: int) -> str:
        return f"request body is {size} bytes; the limit is {self.max_bytes} bytes"

    async def _refuse(self, send: Any, status: int, message: str) -> None:
        body = json.dumps(
            {
                "error": {
                    "code": "PayloadTooLarge" if status == 413 else "InvalidInput",
                    "message": message,
                }
            }
        ).encode()
        await send(
            {
                "type": "http.response.start",
                "status": status,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(body)).encode()),
                ],
            }
        )
        await send({"type": "http.response.body", "body": body})
