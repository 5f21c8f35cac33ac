"""Domain operations behind the API and CLI: organizations, roles, invitations, answers.

Only storage writes; these functions decide what to write and check the caller's input.
"""

from __future__ import annotations

import logging
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from interview.auth import hash_password, new_invite_token, token_hash, verify_password
from interview.competency.schemas import CompetencyModel
from interview.errors import Conflict, InvalidInput, NotFound, Unauthorized
from interview.questions.items import load_items
from interview.questions.plan import build_plan
from interview.questions.schemas import Question, QuestionPlan
from interview.resume.history import history_questions
from interview.storage import jobs
from interview.storage.tables import (
    Answer,
    AuditEvent,
    Candidate,
    CompetencyModelRow,
    ConsentRecord,
    EnrollmentPhoto,
    FollowUpPrompt,
    IntegrityEvent,
    InterviewSession,
    JobRole,
    Organization,
    QuestionPlanRow,
    QuestionShown,
    User,
)

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)

NOTICE_VERSION = "2026-11"
INVITE_DAYS = 14


def audit(
    s: Session,
    org_id: str | None,
    actor: str,
    action: str,
    subject: str,
    now: datetime,
    **detail: object,
) -> None:
    s.add(
        AuditEvent(
            organization_id=org_id,
            actor=actor,
            action=action,
            subject=subject,
            detail=detail,
            created_at=now,
        )
    )


def normalise_text(text: str) -> str:
    """NFC, no control characters except newlines and tabs."""
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


def create_organization(s: Session, name: str, now: datetime) -> Organization:
    org = Organization(name=name, created_at=now)
    s.add(org)
    s.flush()
    return org


def create_user(
    s: Session, org_id: str, email: str, name: str, role: str, password: str, now: datetime
) -> User:
    if role not in ("admin", "recruiter", "reviewer", "hiring_manager"):
        raise InvalidInput(
            f"user role {role!r} is unknown; use admin, recruiter, reviewer or hiring_manager"
        )
    if s.scalar(select(User).where(User.email == email.lower())):
        raise Conflict(f"a user with e-mail {email!r} already exists")
    user = User(
        organization_id=org_id,
        email=email.lower(),
        name=name,
        role=role,
        password_hash=hash_password(password),
        created_at=now,
    )
    s.add(user)
    s.flush()
    return user


def authenticate(s: Session, email: str, password: str) -> User:
    user = s.scalar(select(User).where(User.email == email.strip().lower()))
    if user is None or not user.active or not verify_password(user.password_hash, password):
        raise Unauthorized("e-mail or password is wrong")
    return user


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
    s: Session, role: JobRole, model: CompetencyModel, plan: QuestionPlan, actor: str, now: datetime
) -> CompetencyModelRow:
    """Keep every version: sessions already invited stay on the version they were given."""
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
    bank = {f"item:{i.id}": i for i in load_items().items}
    items = [bank[q.id] for q in other.questions if q.id in bank]
    size = sum(q.kind in ("behavioural", "situational") for q in other.questions)
    plan = build_plan(
        CompetencyModel.model_validate(model_row.spec),
        language,
        max_questions=max(size, 1),
        items=items,
    )
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


@dataclass(frozen=True)
class Invitation:
    session_id: str
    candidate_id: str
    token: str  # shown once; only its hash is stored
    expires_at: datetime


def invite(
    s: Session,
    org_id: str,
    role_id: str,
    name: str,
    email: str | None,
    language: str,
    actor: str,
    now: datetime,
    plan_row: QuestionPlanRow | None = None,
    days: int = INVITE_DAYS,
) -> Invitation:
    role = get_role(s, org_id, role_id)
    if plan_row is None:
        _, plan_row = latest_model_and_plan(s, role.id, language)
    candidate = Candidate(organization_id=org_id, name=name, email=email, created_at=now)
    s.add(candidate)
    s.flush()
    token = new_invite_token()
    expires = now + timedelta(days=days)
    sess = InterviewSession(
        organization_id=org_id,
        candidate_id=candidate.id,
        role_id=role.id,
        plan_id=plan_row.id,
        token_hash=token_hash(token),
        language=language,
        expires_at=expires,
        created_at=now,
    )
    s.add(sess)
    s.flush()
    audit(s, org_id, actor, "candidate.invite", f"session:{sess.id}", now)
    return Invitation(sess.id, candidate.id, token, expires)


def renew_invitation(
    s: Session, sess: InterviewSession, actor: str, now: datetime, days: int = INVITE_DAYS
) -> Invitation:
    """A new link (the old one stops working) and expiry for an interview not yet started."""
    if sess.status != "invited":
        raise Conflict(f"this interview is {sess.status}; only unstarted invitations renew")
    token = new_invite_token()
    sess.token_hash = token_hash(token)
    sess.expires_at = now + timedelta(days=days)
    s.flush()
    audit(s, sess.organization_id, actor, "candidate.invite_renew", f"session:{sess.id}", now)
    return Invitation(sess.id, sess.candidate_id, token, sess.expires_at)


def session_by_token(s: Session, token: str, now: datetime) -> InterviewSession:
    sess = s.scalar(
        select(InterviewSession).where(InterviewSession.token_hash == token_hash(token))
    )
    if sess is None:
        raise NotFound("this interview link is not valid; check the link in your invitation")
    if sess.expires_at is not None and sess.expires_at < now and sess.status == "invited":
        raise Conflict("this interview link has expired; ask the recruiter for a new one")
    return sess


def plan_of(s: Session, sess: InterviewSession) -> QuestionPlan:
    row = s.get(QuestionPlanRow, sess.plan_id)
    assert row is not None
    return QuestionPlan.model_validate(row.spec)


def record_consent(
    s: Session, sess: InterviewSession, kinds: dict[str, bool], now: datetime
) -> None:
    for kind, granted in kinds.items():
        s.add(
            ConsentRecord(
                session_id=sess.id,
                kind=kind,
                granted=granted,
                notice_version=NOTICE_VERSION,
                created_at=now,
            )
        )
    if sess.status == "invited":
        sess.status, sess.started_at = "started", now
    audit(
        s,
        sess.organization_id,
        f"candidate:{sess.id}",
        "consent.record",
        f"session:{sess.id}",
        now,
        **kinds,
    )


def consent_state(s: Session, session_id: str) -> dict[str, bool]:
    """The latest answer per consent kind (recording, ai_assessment, biometric)."""
    rows = s.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.session_id == session_id)
        .order_by(ConsentRecord.created_at)
    ).all()
    return {r.kind: r.granted for r in rows}


def has_consent(s: Session, session_id: str) -> bool:
    return consent_state(s, session_id).get("ai_assessment", False)


FOLLOWUP_SEP = "~f"  # a follow-up's answer is stored under "<question id>~f<n>"


def split_followup_id(question_id: str) -> tuple[str, int]:
    """('<base question>', n) for a follow-up id, (question_id, 0) otherwise."""
    base, sep, n = question_id.rpartition(FOLLOWUP_SEP)
    if sep and n.isdigit():
        return base, int(n)
    return question_id, 0


def followup_prompts(s: Session, session_id: str) -> list[FollowUpPrompt]:
    return list(
        s.scalars(
            select(FollowUpPrompt)
            .where(FollowUpPrompt.session_id == session_id)
            .order_by(FollowUpPrompt.created_at, FollowUpPrompt.n)
        ).all()
    )


def record_followup(
    s: Session, sess: InterviewSession, question_id: str, gap: str, text: str, now: datetime
) -> tuple[str, int]:
    """Store the probe asked after `question_id`; returns (follow-up question id, n)."""
    n = 1 + sum(p.question_id == question_id for p in followup_prompts(s, sess.id))
    s.add(
        FollowUpPrompt(
            session_id=sess.id, question_id=question_id, n=n, gap=gap, text=text, created_at=now
        )
    )
    s.flush()
    return f"{question_id}{FOLLOWUP_SEP}{n}", n


def pending_followup(s: Session, sess: InterviewSession) -> tuple[str, str] | None:
    """(id, text) of a probe asked but not answered yet, so a reload resumes at it."""
    answered = set(s.scalars(select(Answer.question_id).where(Answer.session_id == sess.id)))
    for p in followup_prompts(s, sess.id):
        qid = f"{p.question_id}{FOLLOWUP_SEP}{p.n}"
        if qid not in answered:
            return qid, p.text
    return None


def answer_texts(s: Session, session_id: str) -> dict[str, str]:
    """Per question: its latest answer followed by the answers to its follow-ups, in order."""
    rows = s.scalars(
        select(Answer).where(Answer.session_id == session_id).order_by(Answer.attempt)
    ).all()
    latest: dict[str, Answer] = {a.question_id: a for a in rows}
    out: dict[str, list[tuple[int, str]]] = {}
    for qid, a in latest.items():
        base, n = split_followup_id(qid)
        out.setdefault(base, []).append((n, a.text or ""))
    return {base: "\n".join(text for _, text in sorted(parts)) for base, parts in out.items()}


def _answerable(s: Session, sess: InterviewSession, question_id: str) -> Question:
    if sess.status not in ("started",):
        if sess.status == "invited":
            raise Conflict("give consent before answering: POST .../consent first")
        raise Conflict(f"this interview is {sess.status}; answers can no longer change")
    if not has_consent(s, sess.id):
        raise Conflict("consent to AI-assisted assessment was not given; answers are not accepted")
    plan = plan_of(s, sess)
    base, n = split_followup_id(question_id)
    if n:
        prompt = s.scalar(
            select(FollowUpPrompt).where(
                FollowUpPrompt.session_id == sess.id,
                FollowUpPrompt.question_id == base,
                FollowUpPrompt.n == n,
            )
        )
        asked = plan.question(base)
        if prompt is None or asked is None:
            raise NotFound(f"follow-up {question_id!r} was not asked in this interview")
        return Question(
            id=question_id, competency_id=asked.competency_id, kind="followup", text=prompt.text
        )
    question = plan.question(question_id)
    if question is None:
        known = ", ".join(q.id for q in plan.questions)
        raise NotFound(f"question {question_id!r} is not in this interview; known: {known}")
    return question


def _store_answer(
    s: Session, sess: InterviewSession, question_id: str, kind: str, text: str, now: datetime
) -> Answer:
    attempt = (
        s.scalar(
            select(func.max(Answer.attempt)).where(
                Answer.session_id == sess.id, Answer.question_id == question_id
            )
        )
        or 0
    ) + 1
    answer = Answer(
        session_id=sess.id,
        question_id=question_id,
        attempt=attempt,
        kind=kind,
        text=text,
        created_at=now,
    )
    s.add(answer)
    s.flush()
    return answer


def submit_text_answer(
    s: Session, sess: InterviewSession, question_id: str, text: str, max_chars: int, now: datetime
) -> Answer:
    """Store a typed answer; the caller's commit acknowledges it."""
    question = _answerable(s, sess, question_id)
    if "text" not in question.answer_modes:
        raise InvalidInput(
            f"question {question_id} takes {list(question.answer_modes)} answers, not text"
        )
    text = normalise_text(text).strip()
    if not text:
        raise InvalidInput("answer text is empty")
    if len(text) > max_chars:
        raise InvalidInput(f"answer is {len(text)} characters; the limit is {max_chars}")
    return _store_answer(s, sess, question_id, "text", text, now)


def submit_media_answer(
    s: Session,
    sess: InterviewSession,
    question_id: str,
    blob_key: str,
    media_type: str,
    has_video: bool,
    now: datetime,
) -> Answer:
    """Store a recorded answer whose bytes are already durable in the blob store."""
    question = _answerable(s, sess, question_id)
    kind = "video" if has_video else "audio"
    if kind not in question.answer_modes and "text" not in question.answer_modes:
        raise InvalidInput(f"question {question_id} takes {list(question.answer_modes)} answers")
    if question.choices:
        raise InvalidInput(f"question {question_id} is multiple choice; send 'choice_id'")
    answer = _store_answer(s, sess, question_id, kind, "", now)
    answer.text = None
    answer.media = [blob_key]
    answer.media_type = media_type
    s.flush()
    return answer


def recordable_question(s: Session, sess: InterviewSession, question_id: str) -> Question:
    """The question a recording (or a chunk of one) may be uploaded for, else a clear error."""
    question = _answerable(s, sess, question_id)
    if not consent_state(s, sess.id).get("recording", False):
        raise Conflict("consent to recording was not given; answer in writing instead")
    if question.choices:
        raise InvalidInput(f"question {question_id} is multiple choice; send 'choice_id'")
    if not {"audio", "video"} & set(question.answer_modes):
        raise InvalidInput(
            f"question {question_id} takes {list(question.answer_modes)} answers, not recordings"
        )
    return question


def submit_choice_answer(
    s: Session, sess: InterviewSession, question_id: str, choice_id: str, now: datetime
) -> Answer:
    """Store the option picked for a multiple-choice item."""
    question = _answerable(s, sess, question_id)
    if not question.choices:
        raise InvalidInput(f"question {question_id} is not multiple choice; send 'text'")
    if choice_id not in {c.id for c in question.choices}:
        options = ", ".join(c.id for c in question.choices)
        raise InvalidInput(
            f"choice {choice_id!r} is not an option of {question_id}; options: {options}"
        )
    return _store_answer(s, sess, question_id, "choice", choice_id, now)


def complete(s: Session, sess: InterviewSession, now: datetime) -> str:
    """Close the interview and enqueue its scoring job; returns the job id."""
    if sess.status == "invited":
        raise Conflict("the interview has not started; give consent and answer first")
    if sess.status == "started":
        sess.status, sess.completed_at = "completed", now
        audit(
            s,
            sess.organization_id,
            f"candidate:{sess.id}",
            "interview.complete",
            f"session:{sess.id}",
            now,
        )
    return jobs.enqueue(s, "score_session", f"score:{sess.id}:1", {"session_id": sess.id}, now)


def session_for_org(s: Session, org_id: str, session_id: str) -> InterviewSession:
    sess = s.get(InterviewSession, session_id)
    if sess is None or sess.organization_id != org_id:
        raise NotFound(f"interview session {session_id!r} not found")
    return sess


# -- what the page reports: question shown times, browser events, enrollment -----------------


def mark_shown(
    s: Session, sess: InterviewSession, question_id: str, now: datetime
) -> tuple[datetime, bool]:
    """Record when `question_id` was first shown; (that time, whether this call was the first).
    Timed items and the delay before answering are measured from it, on the server's clock."""
    _answerable(s, sess, question_id)
    q = select(QuestionShown).where(
        QuestionShown.session_id == sess.id, QuestionShown.question_id == question_id
    )
    row = s.scalar(q)
    if row is not None:
        return row.shown_at, False
    s.add(QuestionShown(session_id=sess.id, question_id=question_id, shown_at=now))
    try:
        s.flush()
    except IntegrityError:  # shown twice at once: the other request's time is the first
        s.rollback()
        row = s.scalar(q)
        assert row is not None
        return row.shown_at, False
    return now, True


def shown_times(s: Session, session_id: str) -> dict[str, datetime]:
    """When each question (or follow-up) was first shown to the candidate, by question id."""
    rows = s.scalars(select(QuestionShown).where(QuestionShown.session_id == session_id))
    return {r.question_id: r.shown_at for r in rows}


EventKind = Literal[
    "focus_lost", "focus_back", "tab_hidden", "tab_visible", "paste", "copy", "answer_start"
]


class BrowserEvent(BaseModel):
    """One integrity event from the candidate's page; detail holds counts, never content."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    kind: EventKind
    question_id: str | None = None
    client_ms: int  # the browser's clock, milliseconds since the epoch
    detail: dict[str, int | float | bool | str] = {}
    received_at: datetime  # the server's clock


def record_events(s: Session, sess: InterviewSession, events: Sequence[BrowserEvent]) -> int:
    """Store a batch of browser events of a running, consented interview; returns the count."""
    if sess.status != "started":
        raise Conflict(f"this interview is {sess.status}; browser events are not collected")
    if not has_consent(s, sess.id):
        raise Conflict("consent was not given; browser events are not collected")
    plan = plan_of(s, sess)
    for e in events:
        if e.question_id is not None and plan.question(split_followup_id(e.question_id)[0]) is None:
            raise InvalidInput(f"event question_id {e.question_id!r} is not in this interview")
    for e in events:
        s.add(
            IntegrityEvent(
                session_id=sess.id,
                kind=e.kind,
                question_id=e.question_id,
                client_ms=e.client_ms,
                detail=dict(e.detail),
                received_at=e.received_at,
            )
        )
    s.flush()
    return len(events)


def session_events(s: Session, session_id: str) -> list[BrowserEvent]:
    """A session's browser events in the order the server received them (for integrity)."""
    rows = s.scalars(
        select(IntegrityEvent)
        .where(IntegrityEvent.session_id == session_id)
        .order_by(IntegrityEvent.received_at, IntegrityEvent.client_ms)
    ).all()
    return [
        BrowserEvent(
            kind=r.kind,  # type: ignore[arg-type]  # only EventKind values are stored
            question_id=r.question_id,
            client_ms=r.client_ms,
            detail=r.detail,
            received_at=r.received_at,
        )
        for r in rows
    ]


def check_biometric_consent(s: Session, sess: InterviewSession) -> None:
    """Identity verification needs its own explicit consent, in a running interview."""
    if sess.status != "started":
        raise Conflict(f"this interview is {sess.status}; the photo can no longer change")
    if not consent_state(s, sess.id).get("biometric", False):
        raise Conflict(
            "consent to identity verification (biometric) was not given; "
            "tick it on the consent page, or continue without a photo"
        )


def store_enrollment(
    s: Session,
    sess: InterviewSession,
    blob_key: str,
    media_type: str,
    descriptor: dict[str, object] | None,
    now: datetime,
) -> EnrollmentPhoto:
    """Keep the enrollment photo (already durable in the blob store); the latest one counts."""
    check_biometric_consent(s, sess)
    row = EnrollmentPhoto(
        session_id=sess.id,
        blob_key=blob_key,
        media_type=media_type,
        descriptor=descriptor,
        created_at=now,
    )
    s.add(row)
    s.flush()
    audit(
        s,
        sess.organization_id,
        f"candidate:{sess.id}",
        "identity.enroll",
        f"session:{sess.id}",
        now,
        checked=descriptor is not None,
    )
    return row


def latest_enrollment(s: Session, session_id: str) -> EnrollmentPhoto | None:
    return s.scalar(
        select(EnrollmentPhoto)
        .where(EnrollmentPhoto.session_id == session_id)
        .order_by(EnrollmentPhoto.created_at.desc())
        .limit(1)
    )
