"""Job roles: create from a title or description, list, show, invite candidates."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from interview.api.deps import Ctx, CurrentUser, SessionDep, Writer, now
from interview.api.schemas import (
    CompetencyWeights,
    InvitationCreate,
    InvitationOut,
    ModelVersionOut,
    RoleCreate,
    RoleOut,
)
from interview.competency.edit import edit_model
from interview.competency.library import load_library
from interview.competency.schemas import CompetencyModel
from interview.pipeline import EMBEDDER, pick_items, rephrase_plan, setup_role
from interview.questions.plan import build_plan
from interview.questions.schemas import QuestionPlan
from interview.scoring.fusion import ScoringPolicy
from interview.service import (
    audit,
    get_role,
    invite,
    latest_model_and_plan,
    plan_in_language,
    store_model_version,
    store_role,
)
from interview.storage.tables import CompetencyModelRow, JobRole

router = APIRouter(prefix="/roles", tags=["roles"])


def role_out(s: Session, role: JobRole, detail: bool = False) -> RoleOut:
    out = RoleOut.model_validate(role, from_attributes=True)
    if not detail:
        return out
    model_row, plan_row = latest_model_and_plan(s, role.id)
    model = CompetencyModel.model_validate(model_row.spec)
    plan = QuestionPlan.model_validate(plan_row.spec)
    comps: list[dict[str, Any]] = [
        {
            "id": i.competency.id,
            "name": i.competency.name.get(role.language),
            "layer": i.competency.layer.value,
            "weight": round(i.weight, 4),
        }
        for i in model.items
    ]
    return out.model_copy(
        update={
            "template_id": model.template_id,
            "version": model.version,
            "competencies": comps,
            "questions": [q.model_dump() for q in plan.questions],
        }
    )


@router.get("")
def list_roles(user: CurrentUser, s: SessionDep) -> list[RoleOut]:
    rows = s.scalars(
        select(JobRole)
        .where(JobRole.organization_id == user.organization_id)
        .order_by(JobRole.created_at.desc())
    ).all()
    return [role_out(s, r) for r in rows]


@router.post("", status_code=status.HTTP_201_CREATED)
def create_role(body: RoleCreate, user: Writer, ctx: Ctx, s: SessionDep) -> RoleOut:
    embedder = ctx.backend.embedder(EMBEDDER)
    model, plan, _ = setup_role(
        embedder,
        body.title,
        body.description,
        body.language,
        body.max_questions,
        body.choice_items,
        body.work_history,
    )
    if ctx.settings.question_generator:
        name = ctx.settings.question_generator
        languages = tuple(ctx.backend.entry(name).options.get("languages", ("en", "zh")))
        plan = rephrase_plan(ctx.backend.generator(name), plan, body.title, languages)
    role = store_role(
        s,
        user.organization_id,
        body.title,
        body.description,
        body.language,
        model,
        plan,
        f"user:{user.id}",
        now(),
    )
    role.settings = {"scoring": body.scoring.model_dump(mode="json")}
    s.flush()
    return role_out(s, role, detail=True)


@router.get("/{role_id}")
def show_role(role_id: str, user: CurrentUser, s: SessionDep) -> RoleOut:
    return role_out(s, get_role(s, user.organization_id, role_id), detail=True)


@router.put("/{role_id}/competencies")
def edit_competencies(
    role_id: str, body: CompetencyWeights, user: Writer, s: SessionDep
) -> RoleOut:
    """Save a new version of the role's competency model (earlier invites keep theirs)."""
    role = get_role(s, user.organization_id, role_id)
    model_row, _ = latest_model_and_plan(s, role.id)
    model = edit_model(CompetencyModel.model_validate(model_row.spec), load_library(), body.weights)
    plan = build_plan(
        model, role.language, max_questions=body.max_questions, items=pick_items(model, None)
    )
    store_model_version(s, role, model, plan, f"user:{user.id}", now())
    s.flush()
    return role_out(s, role, detail=True)


@router.put("/{role_id}/scoring")
def set_scoring(role_id: str, body: ScoringPolicy, user: Writer, s: SessionDep) -> RoleOut:
    """Modality switches and weights, thresholds and compliance profile for future scoring."""
    role = get_role(s, user.organization_id, role_id)
    role.settings = {**(role.settings or {}), "scoring": body.model_dump(mode="json")}
    audit(
        s,
        role.organization_id,
        f"user:{user.id}",
        "role.scoring",
        f"role:{role.id}",
        now(),
        **body.model_dump(mode="json"),
    )
    s.flush()
    return role_out(s, role, detail=True)


@router.get("/{role_id}/versions")
def list_versions(role_id: str, user: CurrentUser, s: SessionDep) -> list[ModelVersionOut]:
    role = get_role(s, user.organization_id, role_id)
    rows = s.scalars(
        select(CompetencyModelRow)
        .where(CompetencyModelRow.role_id == role.id)
        .order_by(CompetencyModelRow.version)
    ).all()
    return [
        ModelVersionOut(
            version=r.version,
            created_at=r.created_at,
            weights={i["competency"]["id"]: i["weight"] for i in r.spec["items"]},
        )
        for r in rows
    ]


@router.post("/{role_id}/invitations", status_code=status.HTTP_201_CREATED)
def create_invitation(
    role_id: str, body: InvitationCreate, user: Writer, s: SessionDep, request: Request
) -> InvitationOut:
    role = get_role(s, user.organization_id, role_id)
    plan_row = plan_in_language(s, role, body.language, now())
    inv = invite(
        s,
        user.organization_id,
        role.id,
        body.candidate_name,
        body.email,
        body.language,
        f"user:{user.id}",
        now(),
        plan_row=plan_row,
    )
    link = str(request.base_url).rstrip("/") + f"/web/interview.html#{inv.token}"
    return InvitationOut(
        session_id=inv.session_id,
        candidate_id=inv.candidate_id,
        token=inv.token,
        link=link,
        expires_at=inv.expires_at,
    )
