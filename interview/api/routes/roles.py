"""Job roles: create from a title or description, list, show, edit (competencies, scoring,
persona), preview the question plan, invite candidates one at a time or from a CSV."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request, status
from sqlalchemy import select
from sqlalchemy.orm import Session

from interview.api.deps import Ctx, CurrentUser, LibraryDep, SessionDep, Writer, now
from interview.api.hr_schemas import Persona, PlanPreviewOut
from interview.api.schemas import (
    CompetencyWeights,
    InvitationCreate,
    InvitationOut,
    ModelVersionOut,
    RoleCreate,
    RoleOut,
)
from interview.competency.edit import edit_model
from interview.competency.schemas import CompetencyModel, Library, Rubric
from interview.config import Settings
from interview.errors import BackendUnavailable, InvalidInput
from interview.hiring.invitation_mail import decode_csv, invitation_message, parse_candidates
from interview.hiring.invitations import invite
from interview.hiring.mail import mail_configured, send, sender
from interview.hiring.roles import (
    get_role,
    latest_model_and_plan,
    plan_in_language,
    store_model_version,
    store_role,
)
from interview.pipeline import EMBEDDER, rephrase_plan, setup_role
from interview.privacy.audit import audit
from interview.questions.plan import build_plan
from interview.questions.schemas import QuestionPlan
from interview.scoring.fusion import ScoringPolicy
from interview.storage.tables import CompetencyModelRow, JobRole, Organization

router = APIRouter(prefix="/roles", tags=["roles"])


def role_out(s: Session, role: JobRole, detail: bool = False) -> RoleOut:
    out = RoleOut.model_validate(role, from_attributes=True)
    if not detail:
        return out
    model_row, plan_row = latest_model_and_plan(s, role.id)
    model = CompetencyModel.model_validate(model_row.spec)
    plan = QuestionPlan.model_validate(plan_row.spec)
    return out.model_copy(
        update={
            "template_id": model.template_id,
            "version": model.version,
            "competencies": _competencies_out(model, role.language),
            "questions": [q.model_dump() for q in plan.questions],
            **_coverage_out(model, plan, role.language),
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
    role_id: str, body: CompetencyWeights, user: Writer, s: SessionDep, library: LibraryDep
) -> RoleOut:
    """Save a new version of the role's competency model (earlier invites keep theirs)."""
    role = get_role(s, user.organization_id, role_id)
    model = _edited(s, role, body, library)
    plan = _next_plan(s, role, model, body.max_questions)
    store_model_version(
        s, role, model, plan, f"user:{user.id}", now(), reworded=sorted(body.rubrics or {})
    )
    s.flush()
    return role_out(s, role, detail=True)


def _edited(
    s: Session, role: JobRole, body: CompetencyWeights, library: Library
) -> CompetencyModel:
    """The next version of the role's model with the body's weights, workplaces and wording."""
    model_row, _ = latest_model_and_plan(s, role.id)
    rubrics = {
        cid: Rubric(
            language=r.language,
            anchors=tuple(r.anchors),
            positive={k: tuple(v) for k, v in r.positive.items()},
            negative={k: tuple(v) for k, v in r.negative.items()},
        )
        for cid, r in (body.rubrics or {}).items()
    }
    return edit_model(
        CompetencyModel.model_validate(model_row.spec),
        library,
        body.weights,
        body.workplaces,
        rubrics,
    )


def _next_plan(
    s: Session, role: JobRole, model: CompetencyModel, max_questions: int | None
) -> QuestionPlan:
    """The plan of a new model version: as many multiple-choice items as the role has now
    (not the default for its kind) and its work-history questions kept, so that an edit
    changes only what it was about."""
    _, plan_row = latest_model_and_plan(s, role.id)
    current = QuestionPlan.model_validate(plan_row.spec)
    items = sum(q.kind in ("sjt", "picture") for q in current.questions)
    plan = build_plan(model, role.language, max_questions=max_questions, item_count=items)
    history = tuple(q for q in current.questions if q.kind == "history")
    if history:
        plan = plan.model_copy(update={"questions": history + plan.questions})
    return plan


def _coverage_out(model: CompetencyModel, plan: QuestionPlan, language: str) -> dict[str, Any]:
    """Where the job is done, the share of weight the plan asks about, and what it leaves."""
    weights = {i.competency.id: i for i in model.items}
    return {
        "workplaces": list(plan.settings),
        "coverage": 1.0 if plan.coverage is None else plan.coverage,
        "uncovered": [
            {
                "id": cid,
                "name": weights[cid].competency.name.get(language),
                "weight": round(weights[cid].weight, 4),
            }
            for cid in plan.uncovered
            if cid in weights
        ],
    }


def _competencies_out(model: CompetencyModel, language: str) -> list[dict[str, Any]]:
    return [
        {
            "id": i.competency.id,
            "name": i.competency.name.get(language),
            "layer": i.competency.layer.value,
            "weight": round(i.weight, 4),
            "edited": i.edited,
            # The rating levels and indicators the scorer reads, in the role's language.
            "anchors": [
                {"level": a.level, "description": a.description.get(language)}
                for a in i.competency.anchors
            ],
            "standards": [
                {
                    "id": std.id,
                    "name": std.name.get(language),
                    "positive": [p.get(language) for p in std.positive],
                    "negative": [n.get(language) for n in std.negative],
                }
                for std in i.competency.standards
            ],
        }
        for i in model.items
    ]


@router.post("/{role_id}/plan-preview")
def preview_plan(
    role_id: str, body: CompetencyWeights, user: Writer, s: SessionDep, library: LibraryDep
) -> PlanPreviewOut:
    """The competencies and questions that these weights would give, without saving."""
    role = get_role(s, user.organization_id, role_id)
    model = _edited(s, role, body, library)
    plan = _next_plan(s, role, model, body.max_questions)
    return PlanPreviewOut(
        competencies=_competencies_out(model, role.language),
        questions=[q.model_dump(mode="json", exclude={"choices"}) for q in plan.questions],
        **_coverage_out(model, plan, role.language),
    )


@router.put("/{role_id}/persona")
def set_persona(role_id: str, body: Persona, user: Writer, s: SessionDep) -> RoleOut:
    """The interviewer this role's candidates meet (instead of the organization's)."""
    role = get_role(s, user.organization_id, role_id)
    role.settings = {**(role.settings or {}), "persona": body.model_dump(mode="json")}
    audit(s, role.organization_id, f"user:{user.id}", "role.persona", f"role:{role.id}", now())
    s.flush()
    return role_out(s, role, detail=True)


@router.delete("/{role_id}/persona")
def clear_persona(role_id: str, user: Writer, s: SessionDep) -> RoleOut:
    """Back to the organization's persona."""
    role = get_role(s, user.organization_id, role_id)
    role.settings = {k: v for k, v in (role.settings or {}).items() if k != "persona"}
    audit(s, role.organization_id, f"user:{user.id}", "role.persona", f"role:{role.id}", now())
    s.flush()
    return role_out(s, role, detail=True)


@router.put("/{role_id}/scoring")
def set_scoring(role_id: str, body: ScoringPolicy, user: Writer, s: SessionDep) -> RoleOut:
    """Modality switches and weights, thresholds and compliance profile for future scoring.
    The EU profile switches video (presence) scoring off and sets its weight to 0."""
    role = get_role(s, user.organization_id, role_id)
    if body.profile == "eu":
        body = body.model_copy(update={"presence": False, "presence_weight": 0.0})
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


def _link(request: Request, token: str) -> str:
    return str(request.base_url).rstrip("/") + f"/web/interview.html#{token}"


def _mail(
    settings: Settings,
    s: Session,
    org_id: str,
    role: JobRole,
    sent: Sequence[tuple[InvitationOut, str, str]],
) -> list[InvitationOut]:
    """E-mail each (invitation, address, language) after the invitations are committed; a
    failure is reported per candidate and never undoes the invitation."""
    if not sent:
        return []
    if not mail_configured(settings):
        return [o.model_copy(update={"email_status": "not_configured"}) for o, _, _ in sent]
    org = s.get(Organization, org_id)
    out = []
    for inv, address, language in sent:
        try:
            msg = invitation_message(
                sender=sender(settings),
                to=address,
                candidate_name=inv.candidate_name,
                role_title=role.title,
                organization=org.name if org else "",
                link=inv.link,
                expires_at=inv.expires_at,
                language="zh" if language == "zh" else "en",
            )
            send(settings, msg)
            status_ = "sent"
        except (BackendUnavailable, InvalidInput) as exc:
            status_ = f"failed: {exc}"
        audit(
            s,
            org_id,
            "system",
            "candidate.invite_email",
            f"session:{inv.session_id}",
            now(),
            sent=status_ == "sent",
        )
        out.append(inv.model_copy(update={"email_status": status_}))
    return out


@router.post("/{role_id}/invitations", status_code=status.HTTP_201_CREATED)
def create_invitation(
    role_id: str,
    body: InvitationCreate,
    user: Writer,
    ctx: Ctx,
    s: SessionDep,
    request: Request,
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
        days=body.expires_days,
    )
    out = InvitationOut(
        session_id=inv.session_id,
        candidate_id=inv.candidate_id,
        token=inv.token,
        link=_link(request, inv.token),
        expires_at=inv.expires_at,
        candidate_name=body.candidate_name,
    )
    if not (body.send_email and body.email):
        return out
    s.commit()  # the invitation exists before any e-mail points at it
    return _mail(ctx.settings, s, user.organization_id, role, [(out, body.email, body.language)])[0]


MAX_CSV_BYTES = 1024 * 1024  # a CSV of 500 candidates is far smaller


@router.post("/{role_id}/invitations/csv", status_code=status.HTTP_201_CREATED)
def invite_csv(
    role_id: str,
    data: Annotated[bytes, Body(media_type="text/csv")],
    user: Writer,
    ctx: Ctx,
    s: SessionDep,
    request: Request,
    expires_days: int = Query(default=14, ge=1, le=90),
    send_email: bool = False,
) -> list[InvitationOut]:
    """Invite every candidate of a CSV (name, email, language; a header row is optional).
    All or nothing: a file with any bad line invites nobody and lists every problem."""
    if len(data) > MAX_CSV_BYTES:
        raise InvalidInput(f"the CSV is {len(data)} bytes; at most {MAX_CSV_BYTES}")
    role = get_role(s, user.organization_id, role_id)
    rows = parse_candidates(decode_csv(data), "zh" if role.language == "zh" else "en")
    plans = {}
    out: list[InvitationOut] = []
    to_mail = []
    at = now()
    for row in rows:
        if row.language not in plans:
            plans[row.language] = plan_in_language(s, role, row.language, at)
        inv = invite(
            s,
            role.organization_id,
            role.id,
            row.name,
            row.email,
            row.language,
            f"user:{user.id}",
            at,
            plan_row=plans[row.language],
            days=expires_days,
        )
        item = InvitationOut(
            session_id=inv.session_id,
            candidate_id=inv.candidate_id,
            token=inv.token,
            link=_link(request, inv.token),
            expires_at=inv.expires_at,
            candidate_name=row.name,
        )
        out.append(item)
        if send_email and row.email:
            to_mail.append((item, row.email, row.language))
    if not to_mail:
        return out
    s.commit()  # the invitations exist before any e-mail points at them
    mailed = {m.session_id: m for m in _mail(ctx.settings, s, user.organization_id, role, to_mail)}
    return [mailed.get(o.session_id, o) for o in out]
