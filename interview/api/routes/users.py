"""User management and organization settings (admins), and the user list recruiters need to
assign reviewers."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import select

from interview.accounts.passwords import generate_password
from interview.accounts.users import create_user, set_password
from interview.api.deps import Admin, Ctx, CurrentUser, SessionDep, Writer, now
from interview.api.hr_schemas import (
    OrganizationOut,
    PasswordReset,
    PasswordResetOut,
    Persona,
    SelfReportGroupsIn,
    UserCreate,
    UserListOut,
    UserUpdate,
    persona_from,
    self_report_groups,
)
from interview.api.routes.auth import end_sessions
from interview.errors import Conflict, NotFound
from interview.hiring.mail import mail_configured
from interview.privacy.audit import audit
from interview.storage.tables import Organization, User, new_token_generation

router = APIRouter(tags=["users"])


@router.get("/users")
def list_users(user: Writer, s: SessionDep, role: str | None = None) -> list[UserListOut]:
    """The organization's accounts (recruiters pick reviewers from it)."""
    q = select(User).where(User.organization_id == user.organization_id)
    if role:
        q = q.where(User.role == role)
    rows = s.scalars(q.order_by(User.name, User.email)).all()
    return [UserListOut.model_validate(u, from_attributes=True) for u in rows]


@router.post("/users", status_code=status.HTTP_201_CREATED)
def add_user(body: UserCreate, user: Admin, s: SessionDep) -> UserListOut:
    created = create_user(
        s, user.organization_id, body.email, body.name, body.role, body.password, now()
    )
    audit(
        s,
        user.organization_id,
        f"user:{user.id}",
        "user.create",
        f"user:{created.id}",
        now(),
        role=body.role,
    )
    return UserListOut.model_validate(created, from_attributes=True)


@router.patch("/users/{user_id}")
def change_user(user_id: str, body: UserUpdate, user: Admin, s: SessionDep) -> UserListOut:
    target = s.get(User, user_id)
    if target is None or target.organization_id != user.organization_id:
        raise NotFound(f"user {user_id!r} not found")
    if target.id == user.id and (body.active is False or body.role not in (None, "admin")):
        raise Conflict("you cannot disable yourself or drop your own admin role")
    changes = body.model_dump(exclude_none=True)
    for key, value in changes.items():
        setattr(target, key, value)
    if body.active is False:
        target.token_generation = new_token_generation()  # their tokens die now
    audit(
        s,
        user.organization_id,
        f"user:{user.id}",
        "user.update",
        f"user:{target.id}",
        now(),
        **changes,
    )
    s.flush()
    return UserListOut.model_validate(target, from_attributes=True)


@router.post("/users/{user_id}/sign-out", status_code=status.HTTP_204_NO_CONTENT)
def sign_out_user(user_id: str, user: Admin, s: SessionDep) -> Response:
    """End every session of a user of the organization (a lost laptop, a leaver): all their
    tokens and signed media links stop working; their password still signs them in."""
    target = s.get(User, user_id)
    if target is None or target.organization_id != user.organization_id:
        raise NotFound(f"user {user_id!r} not found")
    end_sessions(s, target, f"user:{user.id}", "auth.sign_out_user")
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/users/{user_id}/password")
def reset_password(
    user_id: str, body: PasswordReset, user: Admin, s: SessionDep
) -> PasswordResetOut:
    """Set a new password for a user of the organization who lost theirs: the admin's choice
    (the policy applies) or, with none given, a generated one returned this once. Every
    session of the user ends. The admin hands the password over privately and the user then
    changes it (POST /auth/password); it is not forced at the next sign-in."""
    target = s.get(User, user_id)
    if target is None or target.organization_id != user.organization_id:
        raise NotFound(f"user {user_id!r} not found")
    if target.id == user.id:
        raise Conflict(
            "use Change password for your own password: it asks for your current password"
        )
    password = body.password or generate_password(target.email, target.name)
    set_password(target, password)
    end_sessions(
        s, target, f"user:{user.id}", "user.password_reset", generated=body.password is None
    )
    return PasswordResetOut(
        user=UserListOut.model_validate(target, from_attributes=True),
        password=None if body.password else password,
    )


def _org(s: SessionDep, org_id: str) -> Organization:
    org = s.get(Organization, org_id)
    assert org is not None  # a signed-in user's organization exists (cascade deletes users)
    return org


@router.get("/organization")
def organization(user: CurrentUser, ctx: Ctx, s: SessionDep) -> OrganizationOut:
    org = _org(s, user.organization_id)
    return OrganizationOut(
        id=org.id,
        name=org.name,
        persona=persona_from((org.settings or {}).get("persona")),
        mail_configured=mail_configured(ctx.settings),
        self_report_groups=self_report_groups(org.settings),
    )


@router.put("/organization/persona")
def set_org_persona(body: Persona, user: Admin, ctx: Ctx, s: SessionDep) -> OrganizationOut:
    """The interviewer persona candidates meet unless a role sets its own."""
    org = _org(s, user.organization_id)
    org.settings = {**(org.settings or {}), "persona": body.model_dump(mode="json")}
    audit(s, org.id, f"user:{user.id}", "organization.persona", f"organization:{org.id}", now())
    s.flush()
    return organization(user, ctx, s)


@router.put("/organization/self-report-groups")
def set_self_report_groups(
    body: SelfReportGroupsIn, user: Admin, ctx: Ctx, s: SessionDep
) -> OrganizationOut:
    """The groups offered in the candidates' voluntary self-report (empty: the question is
    not asked). Answers are kept apart from scoring; only the fairness report reads them."""
    org = _org(s, user.organization_id)
    org.settings = {**(org.settings or {}), "self_report_groups": body.groups}
    audit(
        s,
        org.id,
        f"user:{user.id}",
        "organization.self_report_groups",
        f"organization:{org.id}",
        now(),
        groups=len(body.groups),
    )
    s.flush()
    return organization(user, ctx, s)
