"""Liveness and readiness."""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response

from interview.api.deps import Ctx
from interview.backend.catalogue import get_entry
from interview.config import is_loopback_address
from interview.errors import InterviewError, NotFound, Unauthorized

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """Alive: the process answers."""
    return {"status": "ok"}


@router.get("/ready")
def ready(ctx: Ctx) -> JSONResponse:
    """Ready: the database takes a write within a short bound, the blob store takes a file,
    and the configured models are in the catalogue and load."""
    checks: dict[str, str] = {
        "database": ctx.db.check_writes() or "ok",
        "blobs": ctx.blobs.check_writable() or "ok",
    }
    for name in ctx.settings.ready_models:
        try:
            get_entry(name)
            ctx.backend.load(name)
            checks[f"model:{name}"] = "ok"
        except InterviewError as exc:
            checks[f"model:{name}"] = str(exc)
    ok = all(v == "ok" for v in checks.values())
    return JSONResponse(
        {"status": "ready" if ok else "not_ready", "checks": checks}, 200 if ok else 503
    )


# A request relayed by a proxy on this machine arrives from loopback on behalf of someone
# else (uvicorn rewrites the client only when the proxy sends X-Forwarded-For).
PROXY_HEADERS = ("forwarded", "x-forwarded-for", "x-real-ip")


def _from_loopback(request: Request) -> bool:
    if request.client is None or any(h in request.headers for h in PROXY_HEADERS):
        return False
    return is_loopback_address(request.client.host)  # a test client's name is not one


def metrics_access(request: Request, ctx: Ctx) -> None:
    """Let a /metrics request through as INTERVIEW_METRICS_ACCESS says, or refuse it."""
    mode = ctx.settings.metrics_access
    if mode == "off":
        raise NotFound("metrics are off on this server (INTERVIEW_METRICS_ACCESS=off)")
    if mode == "loopback":
        if not _from_loopback(request):  # 404, as when off: anonymous callers never get 403
            raise NotFound(
                "metrics are served to this machine only (INTERVIEW_METRICS_ACCESS=loopback); "
                "scrape from 127.0.0.1, or set INTERVIEW_METRICS_ACCESS=token"
            )
        return
    given = request.headers.get("authorization", "")
    scheme, _, token = given.partition(" ")
    expected = ctx.settings.metrics_token
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        token.strip().encode(), expected.encode()
    ):
        raise Unauthorized("metrics need 'Authorization: Bearer <INTERVIEW_METRICS_TOKEN>'")


@router.get("/metrics", dependencies=[Depends(metrics_access)])
def metrics(ctx: Ctx) -> Response:
    """Prometheus metrics: per model and device latency, queue depth, batch sizes, cache hits."""
    return Response(ctx.backend.metrics.render(), media_type="text/plain; version=0.0.4")
