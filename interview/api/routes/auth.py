"""HR sign-in."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from interview.api.deps import Ctx, CurrentUser, SessionDep, now
from interview.api.schemas import LoginIn, TokenOut, UserOut
from interview.auth import sign_token
from interview.service import audit, authenticate

router = APIRouter(prefix="/auth", tags=["auth"])
TOKEN_HOURS = 12


def user_out(u: object) -> UserOut:
    return UserOut.model_validate(u, from_attributes=True)


@router.post("/login")
def login(body: LoginIn, ctx: Ctx, s: SessionDep) -> TokenOut:
    user = authenticate(s, body.email, body.password)
    expires = now() + timedelta(hours=TOKEN_HOURS)
    audit(s, user.organization_id, f"user:{user.id}", "auth.login", f"user:{user.id}", now())
    return TokenOut(
        token=sign_token(ctx.settings.secret_key, user.id, expires),
        expires_at=expires,
        user=user_out(user),
    )


@router.get("/me")
def me(user: CurrentUser) -> UserOut:
    return user_out(user)
