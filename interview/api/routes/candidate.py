"""The candidate's side: everything goes through the invite token; no scores ever."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, File, Form, UploadFile, status
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from interview.api.deps import Ctx, SessionDep, now
from interview.api.schemas import (
    AnswerAck,
    CandidateInterviewOut,
    ChoiceOut,
    CompleteOut,
    ConsentIn,
    FollowUpOut,
    QuestionOut,
    TextAnswerIn,
)
from interview.competency.library import load_library
from interview.errors import InvalidInput, PayloadTooLarge
from interview.media import MEDIA_TYPES, probe_media, sniff_media
from interview.pipeline import EMBEDDER, followup_for
from interview.service import (
    NOTICE_VERSION,
    answer_texts,
    complete,
    followup_prompts,
    has_consent,
    pending_followup,
    plan_of,
    record_consent,
    record_followup,
    session_by_token,
    split_followup_id,
    submit_choice_answer,
    submit_media_answer,
    submit_text_answer,
)
from interview.storage.tables import Answer, InterviewSession, JobRole, Organization

router = APIRouter(prefix="/interview/{token}", tags=["candidate"])


@router.get("")
def show_interview(token: str, s: SessionDep) -> CandidateInterviewOut:
    sess = session_by_token(s, token, now())
    plan = plan_of(s, sess)
    role = s.get(JobRole, sess.role_id)
    org = s.get(Organization, sess.organization_id)
    pending = pending_followup(s, sess)
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
                choices=[ChoiceOut(id=c.id, text=c.text) for c in q.choices],
                image_url=f"/web/items/{q.image}" if q.image else None,
            )
            for q in plan.questions
        ],
        answered=answered,
        pending_followup=FollowUpOut(id=pending[0], text=pending[1]) if pending else None,
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
    if (body.text is None) == (body.choice_id is None):
        raise InvalidInput("send either 'text' (a typed answer) or 'choice_id' (an option)")
    if body.choice_id is not None:
        row = submit_choice_answer(s, sess, body.question_id, body.choice_id, now())
        return AnswerAck(answer_id=row.id, question_id=row.question_id, attempt=row.attempt)
    row = submit_text_answer(
        s, sess, body.question_id, body.text or "", ctx.settings.max_answer_chars, now()
    )
    # The answer is flushed; committing first means a slow follow-up never costs an answer.
    s.commit()
    followup = _next_followup(ctx, s, sess, body.question_id)
    return AnswerAck(
        answer_id=row.id, question_id=row.question_id, attempt=row.attempt, followup=followup
    )


def _next_followup(
    ctx: Ctx, s: SessionDep, sess: InterviewSession, question_id: str
) -> FollowUpOut | None:
    """Ask one probe for the weakest gap of the answer so far (at most two per question)."""
    base, _ = split_followup_id(question_id)
    question = plan_of(s, sess).question(base)
    if question is None or question.kind not in ("behavioural", "situational", "resume"):
        return None
    asked = sum(p.question_id == base for p in followup_prompts(s, sess.id))
    competency = load_library().competency(question.competency_id)
    text = answer_texts(s, sess.id).get(base, "")
    decision = followup_for(
        ctx.backend.embedder(EMBEDDER), competency, question.text, text, sess.language, asked
    )
    if not decision.needed or decision.probe is None or decision.gap is None:
        return None
    fid, _ = record_followup(s, sess, base, decision.gap, decision.probe, now())
    s.commit()
    return FollowUpOut(id=fid, text=decision.probe)


@router.post("/media", status_code=status.HTTP_201_CREATED)
async def media_answer(
    token: str,
    ctx: Ctx,
    s: SessionDep,
    question_id: Annotated[str, Form(min_length=1, max_length=64)],
    file: Annotated[UploadFile, File()],
) -> AnswerAck:
    """A whole recorded answer (audio or video). Checked by content before it is stored; the
    bytes are fsynced and the answer committed before the acknowledgement."""
    sess = session_by_token(s, token, now())
    data = await file.read(ctx.settings.max_body_bytes + 1)
    if len(data) > ctx.settings.max_body_bytes:
        raise PayloadTooLarge(f"the recording is over {ctx.settings.max_body_bytes} bytes")
    container = sniff_media(data)
    _, has_video = await run_in_threadpool(probe_media, data)
    key = await run_in_threadpool(ctx.blobs.put, data)
    row = submit_media_answer(s, sess, question_id, key, MEDIA_TYPES[container], has_video, now())
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
