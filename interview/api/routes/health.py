"""Liveness and readiness."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from interview.api.deps import Ctx
from interview.backend.catalogue import get_entry
from interview.errors import InterviewError

router = APIRouter(tags=["health"])


@router.get("/health")
def health() -> dict[str, str]:
    """Alive: the process answers."""
    return {"status": "ok"}


@router.get("/ready")
def ready(ctx: Ctx) -> JSONResponse:
    """Ready: the database answers and the configured models are in the catalogue and load."""
    checks: dict[str, str] = {"database": "ok" if ctx.db.ping() else "unreachable"}
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


@router.get("/metrics")
def metrics(ctx: Ctx) -> Response:
    """Prometheus metrics: per model and device latency, queue depth, batch sizes, cache hits."""
    return Response(ctx.backend.metrics.render(), media_type="text/plain; version=0.0.4")
