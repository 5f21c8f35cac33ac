"""A candidate's interview session: found by its invite token, consent, completion, and a
request for a person to review it."""

from __future__ import annotations

import unicodedata
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from interview.accounts.credentials import token_hash
from interview.candidate.results import assess_by_person
from interview.errors import Conflict, NotFound
from interview.privacy.audit import audit
from interview.questions.schemas import QuestionPlan
from interview.storage import jobs
from interview.storage.tables import (
    ConsentRecord,
    InterviewSession,
    Job,
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
    """Record the candidate's answers to the consent questions. Consent to AI assessment may
    be withdrawn at any time, also after the interview is finished: its AI scores are then
    deleted and a person assesses it. Once finished without that consent, it is not given
    again for the same interview (no AI scoring after the candidate said no)."""
    before = has_consent(s, sess.id)
    finished = sess.status not in ("invited", "started")
    ai = kinds.get("ai_assessment", before)
    if finished and ai and not before:
        raise Conflict(
            "ai_assessment: consent to AI-assisted assessment was withdrawn or not given "
            "for this finished interview, and a person assesses it; send ai_assessment=false, "
            "or ask the recruiter for a new interview"
        )
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
    if before and not ai:
        audit(
            s,
            sess.organization_id,
            f"candidate:{sess.id}",
            "consent.withdraw",
            f"session:{sess.id}",
            now,
            kind="ai_assessment",
            status=sess.status,
        )
    if finished and not ai:
        s.flush()  # the withdrawal is stored before the session row is locked
        assess_by_person(s, sess.id, f"candidate:{sess.id}", now)


def consent_state(s: Session, session_id: str) -> dict[str, bool]:
    """The latest answer per consent kind (recording, ai_assessment, biometric)."""
    rows = s.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.session_id == session_id)
        .order_by(ConsentRecord.created_at)
    ).all()
    return {r.kind: r.granted for r in rows}


def has_consent(s: Session, session_id: str) -> bool:
    """Whether the candidate's latest answer allows AI-assisted assessment."""
    return consent_state(s, session_id).get("ai_assessment", False)


def ai_withdrawn_at(s: Session, session_id: str) -> datetime | None:
    """When consent to AI assessment was withdrawn, if the latest answer withdrew one given
    earlier; None while it holds or if it was never given."""
    rows = s.scalars(
        select(ConsentRecord)
        .where(ConsentRecord.session_id == session_id, ConsentRecord.kind == "ai_assessment")
        .order_by(ConsentRecord.created_at)
    ).all()
    if rows and not rows[-1].granted and any(r.granted for r in rows):
        return rows[-1].created_at
    return None


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
    return jobs.enqueue(s, jobs.SCORE_JOB, jobs.score_key(sess.id), {"session_id": sess.id}, now)


def score_again(s: Session, sess: InterviewSession, actor: str, now: datetime) -> str:
    """Queue a finished interview's scoring again once its job has given up (three failed
    attempts); returns the job id."""
    job = s.scalar(select(Job).where(Job.key == jobs.score_key(sess.id)))
    if sess.status != "completed":
        raise Conflict(
            f"interview {sess.id!r} is {sess.status}; only a finished interview whose scoring "
            "failed can be scored again"
        )
    if job is not None and job.status != "failed":
        raise Conflict(
            f"the scoring of interview {sess.id!r} is {job.status}, not failed; wait for it"
        )
    audit(s, sess.organization_id, actor, "interview.score_again", f"session:{sess.id}", now)
    return jobs.enqueue(s, jobs.SCORE_JOB, jobs.score_key(sess.id), {"session_id": sess.id}, now)


def review_request(s: Session, session_id: str) -> ReviewRequest | None:
    """The candidate's request for a human review of this interview, if they made one."""
    return s.scalar(select(ReviewRequest).where(ReviewRequest.session_id == session_id))


def ask_for_review(s: Session, sess: InterviewSession, reason: str, now: datetime) -> ReviewRequest:
    """The candidate asks for a person to review their interview; asking twice is harmless
    and returns the first request (its date is the one the candidate is shown)."""
    request = review_request(s, sess.id)
    if request is None:
        request = ReviewRequest(session_id=sess.id, reason=normalise_text(reason), created_at=now)
        s.add(request)
        audit(
            s,
            sess.organization_id,
            f"candidate:{sess.id}",
            "review.requested",
            f"session:{sess.id}",
            now,
        )
    return request
