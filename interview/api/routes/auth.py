"""HR sign-in and sign-out.

Sign-in is rate-limited per account and per client address (interview.api.ratelimit) and
every attempt lands in the audit log: successes, failures (with the reason, never the
password, and never an e-mail that has no account: people type passwords into that field)
and sign-outs. Tokens live TOKEN_HOURS; signing out ends every session of the account,
because tokens are stateless and revoking one alone would need a server-side list.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import select

from interview.accounts.credentials import burn_password_check, sign_token, verify_password
from interview.api.deps import Ctx, CurrentUser, SessionDep, now
from interview.api.schemas import LoginIn, TokenOut, UserOut
from interview.errors import RateLimited, Unauthorized
from interview.privacy.audit import audit
from interview.storage.tables import User

router = APIRouter(prefix="/auth", tags=["auth"])
TOKEN_HOURS = 8  # a working day; then the page asks for the password again


def user_out(u: object) -> UserOut:
    return UserOut.model_validate(u, from_attributes=True)


def client_address(request: Request) -> str:
    """The peer address (uvicorn puts a trusted proxy's X-Forwarded-For here)."""
    return request.client.host if request.client else "unknown"


def _failed(s: SessionDep, user: User | None, address: str, reason: str, at: datetime) -> None:
    """Audit a failed sign-in and commit it: the request itself fails and rolls back."""
    audit(
        s,
        user.organization_id if user else None,
        f"client:{address}"[:100],
        "auth.login_failed",
        f"user:{user.id}" if user else "user:unknown",
        at,
        reason=reason,
    )
    s.commit()


@router.post("/login")
def login(body: LoginIn, request: Request, ctx: Ctx, s: SessionDep) -> TokenOut:
    address = client_address(request)
    at = now()
    user = s.scalar(select(User).where(User.email == body.email.strip().lower()))
    refusal = ctx.signin.attempt(body.email, address, at.timestamp())
    if refusal is not None:
        _failed(s, user, address, f"rate_limited_{refusal.scope}", at)
        minutes = max(1, math.ceil(refusal.retry_after / 60))
        raise RateLimited(
            f"too many failed sign-ins for this {refusal.scope}; try again in {minutes} "
            f"minute{'s' if minutes > 1 else ''}",
            refusal.retry_after,
        )
    if user is None:
        burn_password_check(body.password)  # same time as a real check: no account probing
        reason = "unknown_account"
    elif not verify_password(user.password_hash, body.password):
        reason = "wrong_password"
    elif not user.active:
        reason = "disabled"
    else:
        reason = ""
    if reason or user is None:
        _failed(s, user, address, reason, at)  # (the attempt was counted as a failure)
        raise Unauthorized("e-mail or password is wrong")
    ctx.signin.succeeded(body.email, address, at.timestamp())
    expires = at + timedelta(hours=TOKEN_HOURS)
    audit(s, user.organization_id, f"user:{user.id}", "auth.login", f"user:{user.id}", at)
    return TokenOut(
        token=sign_token(ctx.settings.secret_key, user.id, expires, user.token_generation),
        expires_at=expires,
        user=user_out(user),
    )


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(user: CurrentUser, s: SessionDep) -> Response:
    """Sign out everywhere: every token of this account (on every device, and the signed
    media links made with them) stops working; the page forgets its own token."""
    end_sessions(s, user, f"user:{user.id}", "auth.logout")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def end_sessions(s: SessionDep, user: User, actor: str, action: str) -> None:
    """Bump the user's token generation (revoking all their tokens) and audit it."""
    user.token_generation = (user.token_generation or 0) + 1
    audit(s, user.organization_id, actor, action, f"user:{user.id}", now())
    s.flush()


@router.get("/me")
def me(user: CurrentUser) -> UserOut:
    return user_out(user)
