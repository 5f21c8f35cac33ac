"""Maps the project's errors to HTTP status codes, in one place."""

from __future__ import annotations

import logging
import math

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DBAPIError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException as StarletteHTTPException

from interview.api.redact import redact_path
from interview.errors import (
    BackendUnavailable,
    Conflict,
    Forbidden,
    InterviewError,
    InvalidInput,
    NotFound,
    Overloaded,
    PayloadTooLarge,
    RateLimited,
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
    (RateLimited, 429),
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
        if isinstance(exc, Overloaded | RateLimited):
            headers["Retry-After"] = str(max(1, math.ceil(exc.retry_after)))
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
        message = str(exc.detail)
        if exc.status_code == 400 and message == "There was an error parsing the body":
            # FastAPI's words for a body that is not UTF-8 or not the declared form encoding.
            message = (
                "the request body could not be parsed: send JSON in UTF-8, or the form "
                "fields the endpoint documents"
            )
        return JSONResponse(
            _body("HTTPError", message),
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

    @app.exception_handler(PoolTimeout)
    async def _pool_exhausted(_: Request, exc: PoolTimeout) -> JSONResponse:
        # Every pooled database connection stayed busy for the pool's timeout: overload.
        log.warning("no database connection free: %s", exc)
        message = "the server is busy (no database connection free); retry shortly"
        return JSONResponse(_body("BackendUnavailable", message), 503, headers={"Retry-After": "2"})

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        # The path may hold a candidate's invite token: log it redacted.
        log.exception("unhandled error on %s %s", request.method, redact_path(request.url.path))
        return JSONResponse(_body("InternalError", "internal error; it has been logged"), 500)
