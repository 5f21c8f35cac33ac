"""Roles HR sets up: each with its competency model versions and question plans."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from interview.competency.schemas import CompetencyModel
from interview.errors import NotFound
from interview.privacy.audit import audit
from interview.questions.history import history_questions
from interview.questions.plan import translate_plan
from interview.questions.schemas import QuestionPlan
from interview.storage.tables import (
    CompetencyModelRow,
    JobRole,
    QuestionPlanRow,
)


def store_role(
    s: Session,
    org_id: str,
    title: str,
    description: str,
    language: str,
    model: CompetencyModel,
    plan: QuestionPlan,
    actor: str,
    now: datetime,
) -> JobRole:
    role = JobRole(
        organization_id=org_id,
        title=title,
        description=description,
        language=language,
        created_at=now,
    )
    s.add(role)
    s.flush()
    store_model_version(s, role, model, plan, actor, now)
    audit(s, org_id, actor, "role.create", f"role:{role.id}", now, title=title)
    return role


def store_model_version(
    s: Session,
    role: JobRole,
    model: CompetencyModel,
    plan: QuestionPlan,
    actor: str,
    now: datetime,
    reworded: Sequence[str] = (),
) -> CompetencyModelRow:
    """Keep every version: sessions already invited stay on the version they were given.
    `reworded`: the competencies whose anchors or indicators HR reworded in this version."""
    model_row = CompetencyModelRow(
        role_id=role.id, version=model.version, spec=model.model_dump(mode="json"), created_at=now
    )
    s.add(model_row)
    s.flush()
    s.add(
        QuestionPlanRow(
            role_id=role.id,
            competency_model_id=model_row.id,
            language=plan.language,
            spec=plan.model_dump(mode="json"),
            created_at=now,
        )
    )
    audit(
        s,
        role.organization_id,
        actor,
        "role.model_version",
        f"role:{role.id}",
        now,
        version=model.version,
        weights={i.competency.id: round(i.weight, 4) for i in model.items},
        **({"reworded": list(reworded)} if reworded else {}),
    )
    return model_row


def get_role(s: Session, org_id: str, role_id: str) -> JobRole:
    role = s.get(JobRole, role_id)
    if role is None or role.organization_id != org_id:
        raise NotFound(f"role {role_id!r} not found")
    return role


def latest_model_and_plan(
    s: Session, role_id: str, language: str | None = None
) -> tuple[CompetencyModelRow, QuestionPlanRow]:
    model_row = s.scalar(
        select(CompetencyModelRow)
        .where(CompetencyModelRow.role_id == role_id)
        .order_by(CompetencyModelRow.version.desc())
        .limit(1)
    )
    if model_row is None:
        raise NotFound(f"role {role_id!r} has no competency model")
    q = select(QuestionPlanRow).where(QuestionPlanRow.competency_model_id == model_row.id)
    if language:
        q = q.where(QuestionPlanRow.language == language)
    plan_row = s.scalar(q.order_by(QuestionPlanRow.created_at.desc()).limit(1))
    if plan_row is None:
        raise NotFound(f"role {role_id!r} has no question plan in language {language!r}")
    return model_row, plan_row


def plan_in_language(s: Session, role: JobRole, language: str, now: datetime) -> QuestionPlanRow:
    """The latest model's plan in `language`, built from the same model when missing."""
    model_row, any_plan = latest_model_and_plan(s, role.id)
    try:
        return latest_model_and_plan(s, role.id, language)[1]
    except NotFound:
        pass
    other = QuestionPlan.model_validate(any_plan.spec)
    plan = translate_plan(other, language)
    if any(q.kind == "history" for q in other.questions):
        plan = plan.model_copy(update={"questions": history_questions(language) + plan.questions})
    row = QuestionPlanRow(
        role_id=role.id,
        competency_model_id=model_row.id,
        language=language,
        spec=plan.model_dump(mode="json"),
        created_at=now,
    )
    s.add(row)
    s.flush()
    return row
