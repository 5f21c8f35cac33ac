"""HR sign-in, sign-out and changing one's password.

Sign-in is rate-limited per account and per client address (interview.api.ratelimit) and
every attempt lands in the audit log: successes, failures (with the reason, never the
password, and never an e-mail that has no account: people type passwords into that field)
and sign-outs. Tokens live TOKEN_HOURS; signing out ends every session of the account,
because tokens are stateless and revoking one alone would need a server-side list.
Changing one's password checks the current one under the same limits (a stolen token must
not become a way to guess it), ends every other session and hands this page a fresh token.
"""

from __future__ import annotations

import math
from datetime import datetime, timedelta

from fastapi import APIRouter, Request, Response, status
from sqlalchemy import select

from interview.accounts.credentials import (
    TOKEN_HOURS,
    burn_password_check,
    sign_token,
    verify_password,
)
from interview.accounts.users import set_password
from interview.api.deps import AppContext, Ctx, CurrentUser, SessionDep, now
from interview.api.ratelimit import Refusal
from interview.api.schemas import LoginIn, PasswordChange, TokenOut, UserOut
from interview.errors import InvalidInput, RateLimited, Unauthorized
from interview.privacy.audit import audit
from interview.storage.tables import User, new_token_generation

router = APIRouter(prefix="/auth", tags=["auth"])


def user_out(u: object) -> UserOut:
    return UserOut.model_validate(u, from_attributes=True)


def client_address(request: Request) -> str:
    """The peer address (uvicorn puts X-Forwarded-For here only from INTERVIEW_TRUSTED_PROXIES)."""
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


def _too_many(refusal: Refusal) -> RateLimited:
    minutes = max(1, math.ceil(refusal.retry_after / 60))
    return RateLimited(
        f"too many failed sign-ins for this {refusal.scope}; try again in {minutes} "
        f"minute{'s' if minutes > 1 else ''}",
        refusal.retry_after,
    )


def issue_token(ctx: AppContext, user: User, at: datetime) -> TokenOut:
    """A sign-in token for `user` under their current token generation, valid TOKEN_HOURS."""
    expires = at + timedelta(hours=TOKEN_HOURS)
    return TokenOut(
        token=sign_token(ctx.settings.secret_key, user.id, expires, user.token_generation),
        expires_at=expires,
        user=user_out(user),
    )


@router.post("/login")
def login(body: LoginIn, request: Request, ctx: Ctx, s: SessionDep) -> TokenOut:
    address = client_address(request)
    at = now()
    user = s.scalar(select(User).where(User.email == body.email.strip().lower()))
    refusal = ctx.signin.attempt(body.email, address, at.timestamp())
    if refusal is not None:
        _failed(s, user, address, f"rate_limited_{refusal.scope}", at)
        raise _too_many(refusal)
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
    audit(s, user.organization_id, f"user:{user.id}", "auth.login", f"user:{user.id}", at)
    return issue_token(ctx, user, at)


@router.post("/logout", status_code=status.HTTP_204_NO_CONTENT)
def logout(user: CurrentUser, s: SessionDep) -> Response:
    """Sign out everywhere: every token of this account (on every device, and the signed
    media links made with them) stops working; the page forgets its own token."""
    end_sessions(s, user, f"user:{user.id}", "auth.logout")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


def end_sessions(s: SessionDep, user: User, actor: str, action: str, **detail: object) -> None:
    """Bump the user's token generation (revoking all their tokens) and audit it."""
    user.token_generation = new_token_generation()
    audit(s, user.organization_id, actor, action, f"user:{user.id}", now(), **detail)
    s.flush()


@router.post("/password")
def change_password(
    body: PasswordChange, request: Request, user: CurrentUser, ctx: Ctx, s: SessionDep
) -> TokenOut:
    """Change one's own password. The current one is checked like a sign-in (wrong ones count
    towards the account's limit), the new one must pass the policy (accounts/passwords.py);
    every other session of the account ends and this page gets a fresh token."""
    address = client_address(request)
    at = now()
    refusal = ctx.signin.attempt(user.email, address, at.timestamp())
    if refusal is not None:
        _change_failed(s, user, address, f"rate_limited_{refusal.scope}", at)
        raise _too_many(refusal)
    if not verify_password(user.password_hash, body.current_password):
        _change_failed(s, user, address, "wrong_password", at)
        # 422, not 401: the page must not take a typing mistake for an ended sign-in.
        raise InvalidInput(
            "the current password is wrong; type it again (wrong tries count as failed sign-ins)"
        )
    ctx.signin.succeeded(user.email, address, at.timestamp())
    if body.new_password == body.current_password:
        raise InvalidInput("the new password is the same as the current one; choose another")
    set_password(user, body.new_password)
    end_sessions(s, user, f"user:{user.id}", "auth.password_change")
    return issue_token(ctx, user, at)


def _change_failed(s: SessionDep, user: User, address: str, reason: str, at: datetime) -> None:
    """Audit a refused password change and commit it: the request itself rolls back."""
    audit(
        s,
        user.organization_id,
        f"user:{user.id}",
        "auth.password_change_failed",
        f"user:{user.id}",
        at,
        reason=reason,
        client=address[:100],
    )
    s.commit()


@router.get("/me")
def me(user: CurrentUser) -> UserOut:
    return user_out(user)
