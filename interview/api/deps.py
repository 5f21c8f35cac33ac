"""Shared dependencies: the app context, the signed-in HR user, the database session."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from interview.auth import read_token
from interview.backend.registry import Backend
from interview.config import Settings
from interview.errors import Forbidden, Unauthorized
from interview.pipeline import AnswerScorer
from interview.storage.blobs import FileBlobStore
from interview.storage.db import Database
from interview.storage.tables import User
from interview.worker import Worker


@dataclass
class AppContext:
    settings: Settings
    db: Database
    backend: Backend
    blobs: FileBlobStore
    scorer: AnswerScorer | None = None
    worker: Worker | None = None


def get_ctx(request: Request) -> AppContext:
    return request.app.state.ctx  # type: ignore[no-any-return]


Ctx = Annotated[AppContext, Depends(get_ctx)]


def get_session(ctx: Ctx) -> Iterator[Session]:
    """A request's unit of work, committed before the response is sent (scope="function"),
    so an acknowledgement never runs ahead of the disk."""
    s = ctx.db.new_session()
    try:
        yield s
        s.commit()
    except BaseException:
        s.rollback()
        raise
    finally:
        s.close()


SessionDep = Annotated[Session, Depends(get_session, scope="function")]
_bearer = HTTPBearer(auto_error=False)
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)]


def now() -> datetime:
    return datetime.now(UTC)


def current_user(
    ctx: Ctx,
    s: SessionDep,
    creds: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if creds is None:
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>' from /auth/login")
    user_id = read_token(ctx.settings.secret_key, creds.credentials, now())
    user = s.get(User, user_id)
    if user is None or not user.active:
        raise Unauthorized("this account no longer exists or is disabled")
    return user


CurrentUser = Annotated[User, Depends(current_user)]


def require_writer(user: CurrentUser) -> User:
    """Admins and recruiters change things; reviewers and hiring managers read."""
    if user.role not in ("admin", "recruiter"):
        raise Forbidden(f"role {user.role!r} is read-only here; ask a recruiter or admin")
    return user


Writer = Annotated[User, Depends(require_writer)]


def require_admin(user: CurrentUser) -> User:
    """User management and organization settings are for admins only."""
    if user.role != "admin":
        raise Forbidden(f"role {user.role!r} cannot manage users or settings; ask an admin")
    return user


Admin = Annotated[User, Depends(require_admin)]
