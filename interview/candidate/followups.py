"""Follow-up probes asked during an interview: how they are stored and numbered, and what
the decision about the next one reads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from interview.candidate.answers import FOLLOWUP_SEP, answer_texts, split_followup_id
from interview.candidate.session import plan_of
from interview.competency.library import load_library
from interview.competency.schemas import Competency, CompetencyModel
from interview.storage.tables import (
    Answer,
    CompetencyModelRow,
    FollowUpDecision,
    FollowUpPrompt,
    InterviewSession,
    QuestionPlanRow,
)

# asked: a probe was asked; enough: the answer could be scored as it was; limit: the probes
# allowed were asked; late: no decision within the wait (the page moved on); failed: the
# decision raised (a model missing or busy); no_words: the recording's transcript was empty.
Outcome = Literal["asked", "enough", "limit", "late", "failed", "no_words"]


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


def record_decision(
    s: Session,
    sess: InterviewSession,
    question_id: str,
    outcome: Outcome,
    now: datetime,
    *,
    gap: str | None = None,
    missing: tuple[str, ...] = (),
    note: str = "",
) -> None:
    """Keep what was decided after an answer to `question_id` (or a reply to its probe)."""
    base, _ = split_followup_id(question_id)
    s.add(
        FollowUpDecision(
            session_id=sess.id,
            question_id=base,
            outcome=outcome,
            gap=gap,
            missing=list(missing),
            note=note[:500],
            created_at=now,
        )
    )


def followup_decisions(s: Session, session_id: str) -> list[FollowUpDecision]:
    return list(
        s.scalars(
            select(FollowUpDecision)
            .where(FollowUpDecision.session_id == session_id)
            .order_by(FollowUpDecision.created_at)
        ).all()
    )


@dataclass(frozen=True)
class FollowUpContext:
    """What the decision about one more probe reads."""

    question_id: str  # the question asked, not a follow-up
    question: str
    kind: str  # behavioural, situational or resume
    competency: Competency
    answer: str  # the answer so far: its text, the follow-up replies, a fresh transcript
    asked: int  # probes asked after this question already


def _competency(s: Session, sess: InterviewSession, competency_id: str) -> Competency:
    """The competency as the interview's model version words it (HR may have reworded the
    library's anchors and indicators), else the library's."""
    plan_row = s.get(QuestionPlanRow, sess.plan_id)
    model_row = s.get(CompetencyModelRow, plan_row.competency_model_id) if plan_row else None
    if model_row is not None:
        for item in CompetencyModel.model_validate(model_row.spec).items:
            if item.competency.id == competency_id:
                return item.competency
    return load_library().competency(competency_id)


def followup_context(
    s: Session, sess: InterviewSession, question_id: str, spoken: str = ""
) -> FollowUpContext | None:
    """The answer so far to the question behind `question_id` (an answer or a reply to a
    probe), or None when that kind of question takes no probes. `spoken` is the transcript
    of a recorded answer just stored (its row has no text)."""
    base, _ = split_followup_id(question_id)
    question = plan_of(s, sess).question(base)
    if question is None or question.kind not in ("behavioural", "situational", "resume"):
        return None
    asked = sum(p.question_id == base for p in followup_prompts(s, sess.id))
    competency = _competency(s, sess, question.competency_id)
    text = "\n".join(t for t in (answer_texts(s, sess.id).get(base, "").strip(), spoken) if t)
    return FollowUpContext(base, question.text, question.kind, competency, text, asked)
