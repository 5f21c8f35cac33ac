"""Maps the project's errors to HTTP status codes, in one place."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from starlette.exceptions import HTTPException as StarletteHTTPException

from interview.errors import (
    BackendUnavailable,
    Conflict,
    Forbidden,
    InterviewError,
    InvalidInput,
    NotFound,
    Overloaded,
    PayloadTooLarge,
    Unauthorized,
)

log = logging.getLogger(__name__)

STATUS: list[tuple[type[InterviewError], int]] = [
    (PayloadTooLarge, 413),
    (InvalidInput, 422),
    (NotFound, 404),
    (Conflict, 409),
    (Unauthorized, 401),
    (Forbidden, 403),
    (Overloaded, 429),
    (BackendUnavailable, 503),
]


def status_for(exc: InterviewError) -> int:
    for cls, code in STATUS:
        if isinstance(exc, cls):
            return code
    return 400


def _body(code: str, message: str, **extra: object) -> dict[str, object]:
    return {"error": {"code": code, "message": message, **extra}}


def install(app: FastAPI) -> None:
    @app.exception_handler(InterviewError)
    async def _domain(_: Request, exc: InterviewError) -> JSONResponse:
        status = status_for(exc)
        headers = {}
        if isinstance(exc, Overloaded):
            headers["Retry-After"] = str(max(1, round(exc.retry_after)))
        if isinstance(exc, Unauthorized):
            headers["WWW-Authenticate"] = "Bearer"
        return JSONResponse(_body(type(exc).__name__, str(exc)), status, headers=headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        problems = []
        for err in exc.errors():
            where = ".".join(str(p) for p in err.get("loc", ()) if p != "body") or "body"
            problems.append(f"{where}: {err.get('msg', 'invalid')}")
        return JSONResponse(
            _body(
                "InvalidInput",
                "; ".join(problems) or "invalid request",
                fields=[{"loc": list(e.get("loc", ())), "msg": e.get("msg")} for e in exc.errors()],
            ),
            422,
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        return JSONResponse(
            _body("HTTPError", str(exc.detail)),
            exc.status_code,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(DBAPIError)
    async def _database(_: Request, exc: DBAPIError) -> JSONResponse:
        if exc.connection_invalidated or type(exc).__name__ == "OperationalError":
            log.warning("database unavailable: %s", exc.orig)
            return JSONResponse(
                _body("BackendUnavailable", "database unavailable; retry shortly"),
                503,
                headers={"Retry-After": "2"},
            )
        log.exception("database error")
        return JSONResponse(_body("InternalError", "internal error; it has been logged"), 500)

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error on %s %s", request.method, request.url.path)
        return JSONResponse(_body("InternalError", "internal error; it has been logged"), 500)
