"""The candidate's side: everything goes through the invite token; no scores ever."""

from __future__ import annotations

from fastapi import APIRouter, status
from sqlalchemy import select

from interview.api.deps import Ctx, SessionDep, now
from interview.api.schemas import (
    AnswerAck,
    CandidateInterviewOut,
    CompleteOut,
    ConsentIn,
    QuestionOut,
    TextAnswerIn,
)
from interview.service import (
    NOTICE_VERSION,
    complete,
    has_consent,
    plan_of,
    record_consent,
    session_by_token,
    submit_text_answer,
)
from interview.storage.tables import Answer, JobRole, Organization

router = APIRouter(prefix="/interview/{token}", tags=["candidate"])


@router.get("")
def show_interview(token: str, s: SessionDep) -> CandidateInterviewOut:
    sess = session_by_token(s, token, now())
    plan = plan_of(s, sess)
    role = s.get(JobRole, sess.role_id)
    org = s.get(Organization, sess.organization_id)
    answered = sorted(
        set(s.scalars(select(Answer.question_id).where(Answer.session_id == sess.id)).all())
    )
    return CandidateInterviewOut(
        status=sess.status,
        language=sess.language,
        role_title=role.title if role else "",
        organization=org.name if org else "",
        notice_version=NOTICE_VERSION,
        consent_given=has_consent(s, sess.id),
        questions=[
            QuestionOut(
                id=q.id,
                kind=q.kind,
                text=q.text,
                answer_modes=list(q.answer_modes),
                time_limit_s=q.time_limit_s,
            )
            for q in plan.questions
        ],
        answered=answered,
    )


@router.post("/consent", status_code=status.HTTP_201_CREATED)
def give_consent(token: str, body: ConsentIn, s: SessionDep) -> dict[str, bool]:
    sess = session_by_token(s, token, now())
    record_consent(
        s, sess, {"recording": body.recording, "ai_assessment": body.ai_assessment}, now()
    )
    s.commit()
    return {"recording": body.recording, "ai_assessment": body.ai_assessment}


@router.post("/answers", status_code=status.HTTP_201_CREATED)
def answer(token: str, body: TextAnswerIn, ctx: Ctx, s: SessionDep) -> AnswerAck:
    """Acknowledged only after the answer is committed to the database."""
    sess = session_by_token(s, token, now())
    row = submit_text_answer(
        s, sess, body.question_id, body.text, ctx.settings.max_answer_chars, now()
    )
    s.commit()
    return AnswerAck(answer_id=row.id, question_id=row.question_id, attempt=row.attempt)


@router.post("/complete", status_code=status.HTTP_202_ACCEPTED)
def finish(token: str, ctx: Ctx, s: SessionDep) -> CompleteOut:
    sess = session_by_token(s, token, now())
    job_id = complete(s, sess, now())
    s.commit()
    if ctx.worker is not None:
        ctx.worker.wake()
    return CompleteOut(status=sess.status, job_id=job_id)
