"""A candidate's interview session: found by its invite token, consent, completion, and a
request for a person to review it."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from interview.accounts.credentials import token_hash
from interview.errors import Conflict, NotFound
from interview.privacy.audit import audit
from interview.questions.schemas import QuestionPlan
from interview.storage import jobs
from interview.storage.tables import (
    ConsentRecord,
    InterviewSession,
    QuestionPlanRow,
    ReviewRequest,
)

NOTICE_VERSION = "2026-11"


def normalise_text(text: str) -> str:
    """NFC, no control characters except newlines and tabs."""
    text = unicodedata.normalize("NFC", text)
    return "".join(ch for ch in text if ch in "\n\t" or unicodedata.category(ch)[0] != "C")


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


def ask_for_review(s: Session, sess: InterviewSession, reason: str, now: datetime) -> None:
    """The candidate asks for a person to review their interview; asking twice is harmless."""
    if s.scalar(select(ReviewRequest).where(ReviewRequest.session_id == sess.id)) is None:
        s.add(ReviewRequest(session_id=sess.id, reason=normalise_text(reason), created_at=now))
        audit(
            s,
            sess.organization_id,
            f"candidate:{sess.id}",
            "review.requested",
            f"session:{sess.id}",
            now,
        )
