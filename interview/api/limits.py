"""ASGI middleware that refuses request bodies over the configured size with 413, and URLs
holding control characters with 422."""

from __future__ import annotations

import json
import unicodedata
from typing import Any
from urllib.parse import unquote

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

    @staticmethod
    async def _refuse(send: Any, status: int, message: str) -> None:
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


def control_character(text: str) -> str | None:
    """The first control character (U+0000-U+001F, U+007F-U+009F) in `text`, or None."""
    return next((ch for ch in text if unicodedata.category(ch) == "Cc"), None)


class CleanUrl:
    """Refuses a request whose path or query holds a control character (a percent-encoded
    NUL, say) with 422 naming it, before any route sees it: no id, token or search term has
    one, and PostgreSQL cannot even compare text with a NUL in it."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] == "http":
            raw = scope.get("query_string", b"").decode("utf-8", errors="replace")
            query = unquote(raw, errors="replace")
            for where, text in (("path", scope.get("path", "")), ("query", query)):
                ch = control_character(text)
                if ch is not None:
                    await BodyLimit._refuse(
                        send,
                        422,
                        f"the URL {where} contains a control character (U+{ord(ch):04X}); "
                        "remove it from the link",
                    )
                    return
        await self.app(scope, receive, send)
