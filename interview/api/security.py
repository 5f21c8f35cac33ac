"""Security headers on every response: a Content-Security-Policy and friends.

The pages (web/) load only their own scripts and stylesheets (ES modules, no inline script,
no style attributes in markup; the few style changes happen through element.style, which CSP
allows). What they need beyond 'self':
- img-src data: blob: -- a persona's avatar is a data: URL; photos are previewed as blobs;
- media-src blob: -- the device check plays the test clip back from a blob: URL (camera
  previews use srcObject, which CSP does not govern).
Everything else is 'self' or 'none', and no page may be framed (clickjacking).

FastAPI's /docs and /redoc pages are the exception: they load Swagger UI / ReDoc from a CDN
and start it with an inline script, so they get a looser policy of their own (they hold no
data; a browser without network shows nothing there anyway).
"""

from __future__ import annotations

from typing import Any

Scope = dict[str, Any]

PAGE_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data: blob:",
        "media-src 'self' blob:",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    )
)
DOCS_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net",
        "style-src 'self' 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com",
        "font-src 'self' https://fonts.gstatic.com",
        "img-src 'self' data: https://fastapi.tiangolo.com https://cdn.redoc.ly",
        "worker-src 'self' blob:",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
    )
)
DOCS_PATHS = ("/docs", "/redoc")
HSTS = b"max-age=31536000; includeSubDomains"  # a year; never on plain HTTP (RFC 6797 7.2)
API_PATHS = ("/api/",)
COMMON = (
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),  # signed media links never leak through Referer
    (b"x-frame-options", b"DENY"),  # frame-ancestors for browsers without CSP 2
    (b"cross-origin-opener-policy", b"same-origin"),
    # The candidate page needs the camera and microphone on this origin, nothing else does.
    (b"permissions-policy", b"camera=(self), microphone=(self), geolocation=(), payment=()"),
)


def policy_for(path: str) -> str:
    """The Content-Security-Policy for a request path."""
    return DOCS_POLICY if path.startswith(DOCS_PATHS) else PAGE_POLICY


class SecurityHeaders:
    """ASGI middleware adding the headers above to every HTTP response that lacks them.
    Install it outermost, so error responses of the other middleware get them too."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        extra: tuple[tuple[bytes, bytes], ...] = (
            *COMMON,
            (b"content-security-policy", policy_for(scope["path"]).encode()),
        )
        if scope.get("scheme") == "https":
            # HTTPS as the client saw it: TLS in uvicorn, or a trusted proxy's
            # X-Forwarded-Proto (uvicorn rewrites the scheme only for INTERVIEW_TRUSTED_PROXIES).
            extra = (*extra, (b"strict-transport-security", HSTS))
        if scope["path"].startswith(API_PATHS):
            # Sign-in tokens, reports, exports, answers: nothing of the API is kept by a
            # browser or a shared cache (OWASP ASVS 8.2.1); the pages and scripts may be.
            extra = (*extra, (b"cache-control", b"no-store"))

        async def send_with_headers(message: Any) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers") or [])
                present = {name.lower() for name, _ in headers}
                headers += [(k, v) for k, v in extra if k not in present]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)
