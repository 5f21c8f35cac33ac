"""HR tools: the competency library, resume parsing, follow-up decisions."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Form, UploadFile
from pydantic import Field
from starlette.concurrency import run_in_threadpool

from interview.api.deps import Ctx, CurrentUser, LibraryDep, SessionDep, Writer, now
from interview.api.schemas import In
from interview.candidate.answers import answer_texts
from interview.candidate.session import plan_of
from interview.errors import Conflict, InvalidInput, NotFound
from interview.hiring.invitations import session_for_org
from interview.pipeline import EMBEDDER, followup_for, resume_plan_questions
from interview.privacy.audit import audit
from interview.questions.schemas import QuestionPlan
from interview.resume.extract import MAX_BYTES
from interview.resume.history import facts_from_history
from interview.storage.tables import Candidate, QuestionPlanRow

router = APIRouter(tags=["tools"])


@router.get("/library/competencies")
def competencies(user: CurrentUser, library: LibraryDep) -> list[dict[str, Any]]:
    return [c.model_dump(mode="json") for c in library.competencies]


@router.get("/library/roles")
def role_templates(user: CurrentUser, library: LibraryDep) -> list[dict[str, Any]]:
    return [r.model_dump(mode="json") for r in library.roles]


class FollowUpIn(In):
    competency_id: str = Field(min_length=1, max_length=64)
    question: str = Field(default="", max_length=2000)
    answer: str = Field(min_length=1, max_length=20_000)
    language: Literal["en", "zh"] = "en"
    followups_asked: int = Field(default=0, ge=0, le=10)
    # behavioural: about a past occasion; situational: "what would you do if..."
    kind: Literal["behavioural", "situational", "resume"] = "behavioural"


@router.post("/followups")
async def decide_followup(
    body: FollowUpIn, user: CurrentUser, ctx: Ctx, s: SessionDep, library: LibraryDep
) -> dict[str, Any]:
    """The follow-up decision for an answer; the embedder is waited for in a thread of its
    own limiter (interview.api.inference), with the sign-in check's connection given back."""
    try:
        comp = library.competency(body.competency_id)
    except KeyError:
        raise NotFound(f"competency {body.competency_id!r} is not in the library") from None
    await run_in_threadpool(s.commit)  # `s` is the session current_user read the user with
    decision = await ctx.inference.run(
        EMBEDDER,
        followup_for,
        ctx.backend.embedder(EMBEDDER),
        comp,
        body.question,
        body.answer,
        body.language,
        body.followups_asked,
        body.kind,
    )
    return decision.model_dump(mode="json")


async def _read(file: UploadFile) -> bytes:
    data = await file.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise InvalidInput(f"resume is over {MAX_BYTES} bytes; upload a shorter file")
    return data


@router.post("/resumes/parse")
async def parse_resume_file(
    user: CurrentUser,
    file: Annotated[UploadFile, File()],
    language: Annotated[Literal["en", "zh"], Form()] = "en",
) -> dict[str, Any]:
    """Facts, risk points and the questions a resume would add (nothing is stored)."""
    data = await _read(file)
    facts, questions = await run_in_threadpool(
        resume_plan_questions, data, language, datetime.now(UTC).date()
    )
    return {
        "facts": facts.model_dump(mode="json"),
        "questions": [q.model_dump(mode="json") for q in questions],
    }


@router.post("/sessions/{session_id}/resume")
async def attach_resume(
    session_id: str,
    user: Writer,
    s: SessionDep,
    file: Annotated[UploadFile, File()],
) -> dict[str, Any]:
    """Store a candidate's resume and add questions about it to their interview."""
    sess = session_for_org(s, user.organization_id, session_id)
    if sess.status != "invited":
        raise Conflict(
            f"the interview is already {sess.status}; its questions can no longer change"
        )
    data = await _read(file)
    facts, extra = await run_in_threadpool(
        resume_plan_questions, data, sess.language, datetime.now(UTC).date()
    )
    candidate = s.get(Candidate, sess.candidate_id)
    assert candidate is not None
    candidate.resume_text = "\n".join(j.raw for j in facts.jobs)[:20_000]
    plan = plan_of(s, sess)
    kept = tuple(q for q in plan.questions if q.kind != "resume")
    new_plan = QuestionPlan(language=plan.language, questions=kept + extra)  # type: ignore[arg-type]
    old_row = s.get(QuestionPlanRow, sess.plan_id)
    assert old_row is not None
    row = QuestionPlanRow(
        role_id=old_row.role_id,
        competency_model_id=old_row.competency_model_id,
        language=plan.language,
        spec=new_plan.model_dump(mode="json"),
        created_at=now(),
    )
    s.add(row)
    s.flush()
    sess.plan_id = row.id
    audit(
        s,
        sess.organization_id,
        f"user:{user.id}",
        "candidate.resume",
        f"session:{sess.id}",
        now(),
        risks=len(facts.risks),
    )
    return {
        "facts": facts.model_dump(mode="json"),
        "questions": [q.model_dump(mode="json") for q in extra],
    }


@router.get("/sessions/{session_id}/history")
def work_history(session_id: str, user: CurrentUser, s: SessionDep) -> dict[str, Any]:
    """The short resume the candidate gave by answering the work-history questions."""
    sess = session_for_org(s, user.organization_id, session_id)
    answers = {k: v for k, v in answer_texts(s, sess.id).items() if k.startswith("history:")}
    if not answers:
        raise NotFound(f"session {session_id!r} has no work-history answers")
    facts = facts_from_history(answers, sess.language, datetime.now(UTC).date())
    return facts.model_dump(mode="json")
