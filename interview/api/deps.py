"""Shared dependencies: the app context, the signed-in HR user, the database session.

How HR requests are authenticated, and why there is no CSRF token: the HR pages keep their
short-lived bearer token (accounts/credentials.py: TOKEN_HOURS) in sessionStorage and send it in the
Authorization header of every request. Nothing here reads credentials from a cookie (and the
app sets none), so a browser has no ambient credential to attach to a forged cross-site
request: CSRF does not apply. The cost is that script running in the page could read the
token, which is why the pages never build HTML from server text and every response carries a
script-restricting Content-Security-Policy (interview.api.security). Candidates authenticate
with the invite token in the URL path, which a cross-site page cannot know either. The one
credential in a query string is a signed media link (routes/sessions.py): read-only, one
answer, short-lived, and revoked with its user's other tokens.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.orm import Session

from interview.accounts.credentials import TOKEN_HOURS, read_token
from interview.api.inference import InferenceThreads
from interview.api.ratelimit import SignInLimiter
from interview.backend.registry import Backend
from interview.competency.library import load_library
from interview.competency.schemas import Library
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
    signin: SignInLimiter = field(default_factory=SignInLimiter)
    inference: InferenceThreads = field(init=False)

    def __post_init__(self) -> None:
        self.inference = InferenceThreads(self.settings.inference_threads)


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


def get_library() -> Library:
    """The competency library (read once per process)."""
    return load_library()


LibraryDep = Annotated[Library, Depends(get_library)]


def now() -> datetime:
    return datetime.now(UTC)


def user_for_token(
    s: Session,
    secret: str,
    token: str,
    at: datetime,
    longest: timedelta = timedelta(hours=TOKEN_HOURS),
) -> User:
    """The active user a token (signed with `secret`) belongs to; Unauthorized when the token
    is forged, expired, meant to live longer than `longest`, or from before the user's last
    sign-out everywhere."""
    claims = read_token(secret, token, at, longest)
    user = s.get(User, claims.user_id)
    if user is None or not user.active:
        raise Unauthorized("this account no longer exists or is disabled")
    if claims.generation != user.token_generation:
        raise Unauthorized("this sign-in was ended (signed out everywhere); sign in again")
    return user


def current_user(ctx: Ctx, s: SessionDep, creds: Credentials) -> User:
    """The HR user of the Authorization header (never a cookie: see the module docstring)."""
    if creds is None:
        raise Unauthorized("sign in first: send 'Authorization: Bearer <token>' from /auth/login")
    return user_for_token(s, ctx.settings.secret_key, creds.credentials, now())


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
