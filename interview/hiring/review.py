"""Human review of an interview: a reviewer is assigned, changes competency levels with a
written reason, and a final decision is recorded. A candidate's request for a human review is
open until a person answers it: a level change or a decision made after the request answers
it, or a note saying what was done. Every step lands in the audit trail.

Who may do what (the API maps Forbidden to 403):
- admin, recruiter: assign reviewers, change levels, record the decision;
- reviewer: change levels and record the decision of interviews assigned to them;
- hiring manager: read only.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interview.candidate.results import PERSON_STATUS
from interview.candidate.session import ai_withdrawn_at, has_consent, review_request
from interview.errors import Conflict, Forbidden, InvalidInput, NotFound
from interview.privacy.audit import audit
from interview.report.build import person_assessment
from interview.report.review import (
    Decision,
    DecisionEntry,
    OverrideEntry,
    ReviewSummary,
    apply_overrides,
    check_reason,
)
from interview.report.schemas import PersonAssessment
from interview.report.schemas import Report as ReportBody
from interview.scoring.fusion import Thresholds
from interview.storage.tables import (
    AuditEvent,
    InterviewSession,
    Report,
    Review,
    ReviewOverride,
    ReviewRequest,
    User,
)

ASSIGNERS = ("admin", "recruiter")
REVIEWERS = ("admin", "recruiter", "reviewer")
DECISIONS = ("advance", "reject", "hold")
ANSWERED_VIA = ("note", "override", "decision")  # how a candidate's review request was answered


def person_assesses(s: Session, sess: InterviewSession) -> PersonAssessment | None:
    """Why a person must assess this finished interview (the candidate withdrew consent to
    AI assessment, or never gave it), or None when its AI report may be shown."""
    if sess.status in ("invited", "started") or has_consent(s, sess.id):
        return None
    return person_assessment(sess.language, ai_withdrawn_at(s, sess.id))


def stored_report(s: Session, sess: InterviewSession) -> ReportBody:
    row = s.scalar(select(Report).where(Report.session_id == sess.id))
    if row is None:
        raise NotFound(f"session {sess.id!r} has no report yet (status: {sess.status})")
    return ReportBody.model_validate(row.body)


def review_of(s: Session, session_id: str) -> Review | None:
    return s.scalar(select(Review).where(Review.session_id == session_id))


def _ensure(s: Session, sess: InterviewSession, now: datetime) -> Review:
    row = review_of(s, sess.id)
    if row is None:
        row = Review(session_id=sess.id, created_at=now)
        s.add(row)
        s.flush()
    return row


def check_may_review(user: User, review: Review | None) -> None:
    """Forbidden unless `user` may change levels and decide on this interview."""
    if user.role in ASSIGNERS:
        return
    if user.role == "reviewer":
        if review is not None and review.reviewer_id == user.id:
            return
        raise Forbidden("this interview is not assigned to you; ask a recruiter to assign it")
    raise Forbidden(f"role {user.role!r} is read-only here; reviewers change scores")


def assign_reviewer(
    s: Session, sess: InterviewSession, reviewer_id: str | None, actor: User, now: datetime
) -> Review:
    """Give the interview to a reviewer of the same organization (None: unassign)."""
    if actor.role not in ASSIGNERS:
        raise Forbidden(f"role {actor.role!r} cannot assign reviewers; ask a recruiter")
    reviewer = None
    if reviewer_id is not None:
        reviewer = s.get(User, reviewer_id)
        if reviewer is None or reviewer.organization_id != sess.organization_id:
            raise NotFound(f"user {reviewer_id!r} not found")
        if not reviewer.active or reviewer.role not in REVIEWERS:
            raise InvalidInput(
                f"{reviewer.name} ({reviewer.role}) cannot review: choose an active "
                "reviewer, recruiter or admin"
            )
    row = _ensure(s, sess, now)
    row.reviewer_id = reviewer.id if reviewer else None
    row.assigned_at = now
    audit(
        s,
        sess.organization_id,
        f"user:{actor.id}",
        "review.assign",
        f"session:{sess.id}",
        now,
        reviewer=reviewer.id if reviewer else None,
    )
    s.flush()
    return row


def latest_levels(s: Session, session_id: str) -> dict[str, int]:
    """Competency id -> the level the latest override set."""
    rows = s.scalars(
        select(ReviewOverride)
        .where(ReviewOverride.session_id == session_id)
        .order_by(ReviewOverride.created_at, ReviewOverride.id)
    ).all()
    return {r.competency_id: r.new_level for r in rows}


def override_level(
    s: Session,
    sess: InterviewSession,
    user: User,
    competency_id: str,
    level: int,
    reason: str,
    now: datetime,
) -> ReviewOverride:
    """Set one competency's level, with the reason; the machine's level stays in the report."""
    check_may_review(user, review_of(s, sess.id))
    text = check_reason(reason)
    if not 1 <= level <= 5:
        raise InvalidInput(f"level {level} is outside 1-5")
    report = stored_report(s, sess)
    scored = {c.competency_id: c.level for c in report.competencies}
    if competency_id not in scored:
        raise InvalidInput(
            f"competency {competency_id!r} is not scored in this report; "
            f"scored: {', '.join(scored)}"
        )
    old = latest_levels(s, sess.id).get(competency_id, scored[competency_id])
    if old == level:
        raise Conflict(f"{competency_id} is already at level {level}")
    row = ReviewOverride(
        session_id=sess.id,
        reviewer_id=user.id,
        competency_id=competency_id,
        old_level=old,
        new_level=level,
        reason=text,
        created_at=now,
    )
    s.add(row)
    audit(
        s,
        sess.organization_id,
        f"user:{user.id}",
        "review.override",
        f"session:{sess.id}",
        now,
        competency=competency_id,
        machine_level=scored[competency_id],
        old_level=old,
        new_level=level,
        reason=text,
    )
    _answer_request(s, sess, user, "override", None, now)
    s.flush()
    return row


def decide(
    s: Session, sess: InterviewSession, user: User, decision: str, reason: str, now: datetime
) -> Review:
    """Record the final decision (advance, reject, hold); the interview becomes 'reviewed'."""
    review = review_of(s, sess.id)
    check_may_review(user, review)
    if decision not in DECISIONS:
        raise InvalidInput(f"decision {decision!r} is unknown; use {', '.join(DECISIONS)}")
    text = check_reason(reason)
    if sess.status not in ("scored", "reviewed", PERSON_STATUS):
        raise Conflict(f"this interview is {sess.status}; decide once it is scored")
    row = review or _ensure(s, sess, now)
    row.decision, row.decision_reason = decision, text
    row.decided_by, row.decided_at = user.id, now
    sess.status = "reviewed"
    audit(
        s,
        sess.organization_id,
        f"user:{user.id}",
        "review.decision",
        f"session:{sess.id}",
        now,
        decision=decision,
        reason=text,
    )
    _answer_request(s, sess, user, "decision", None, now)
    s.flush()
    return row


def _answer_request(
    s: Session, sess: InterviewSession, user: User, via: str, note: str | None, now: datetime
) -> ReviewRequest | None:
    """Mark the candidate's open review request answered by `user` (audited); an answered
    request, or none, is left as it is."""
    request = review_request(s, sess.id)
    if request is None or request.answered_at is not None:
        return request
    request.answered_at, request.answered_by = now, user.id
    request.answered_via, request.answer = via, note
    audit(
        s,
        sess.organization_id,
        f"user:{user.id}",
        "review.request_answered",
        f"session:{sess.id}",
        now,
        via=via,
        **({"reason": note} if note else {}),
    )
    return request


def answer_review_request(
    s: Session, sess: InterviewSession, user: User, note: str, now: datetime
) -> ReviewRequest:
    """A person answers the candidate's review request with a note of what they did (a level
    change or a decision answers it too); answering an answered request changes nothing."""
    check_may_review(user, review_of(s, sess.id))
    text = check_reason(note)
    request = _answer_request(s, sess, user, "note", text, now)
    if request is None:
        raise NotFound(f"the candidate of session {sess.id!r} has not asked for a human review")
    s.flush()
    return request


def request_view(s: Session, sess: InterviewSession) -> dict[str, Any] | None:
    """The candidate's review request as HR sees it (reason, when, open or answered, by whom
    and how), or None when they made none."""
    request = review_request(s, sess.id)
    if request is None:
        return None
    names = _names(s, {request.answered_by} if request.answered_by else set())
    return {
        "reason": request.reason,
        "requested_at": request.created_at,
        "status": "answered" if request.answered_at else "open",
        "answered_at": request.answered_at,
        "answered_by": names.get(request.answered_by or ""),
        "answered_via": request.answered_via,
        "answer": request.answer,
    }


def _names(s: Session, ids: set[str]) -> dict[str, str]:
    if not ids:
        return {}
    return dict(s.execute(select(User.id, User.name).where(User.id.in_(ids))).all())  # type: ignore[arg-type]


def summary(
    s: Session, sess: InterviewSession, report: ReportBody, thresholds: Thresholds
) -> ReviewSummary:
    """The review as the report shows it: reviewer, changes, decision, scores after review."""
    review = review_of(s, sess.id)
    overrides = s.scalars(
        select(ReviewOverride)
        .where(ReviewOverride.session_id == sess.id)
        .order_by(ReviewOverride.created_at, ReviewOverride.id)
    ).all()
    people = {o.reviewer_id for o in overrides if o.reviewer_id}
    if review is not None:
        people |= {u for u in (review.reviewer_id, review.decided_by) if u}
    names = _names(s, people)
    decision = None
    if review is not None and review.decision and review.decided_at:
        decision = DecisionEntry(
            decision=review.decision,  # type: ignore[arg-type]  # only DECISIONS are stored
            reason=review.decision_reason or "",
            by=names.get(review.decided_by or "", ""),
            at=review.decided_at,
        )
    levels = {o.competency_id: o.new_level for o in overrides}
    return ReviewSummary(
        reviewer=names.get(review.reviewer_id or "") if review else None,
        overrides=tuple(
            OverrideEntry(
                competency_id=o.competency_id,
                old_level=o.old_level,
                new_level=o.new_level,
                reason=o.reason,
                reviewer=names.get(o.reviewer_id or "", ""),
                at=o.created_at,
            )
            for o in overrides
        ),
        decision=decision,
        reviewed=apply_overrides(report, levels, thresholds),
    )


def person_review(s: Session, sess: InterviewSession) -> dict[str, Any]:
    """The review of an interview a person assesses without an AI report: the assigned
    reviewer and the decision (there are no levels to change)."""
    review = review_of(s, sess.id)
    if review is None:
        return {"reviewer": None, "overrides": [], "decision": None}
    names = _names(s, {u for u in (review.reviewer_id, review.decided_by) if u})
    decision = None
    if review.decision and review.decided_at:
        decision = DecisionEntry(
            decision=review.decision,  # type: ignore[arg-type]  # only DECISIONS are stored
            reason=review.decision_reason or "",
            by=names.get(review.decided_by or "", ""),
            at=review.decided_at,
        ).model_dump(mode="json")
    return {
        "reviewer": names.get(review.reviewer_id or ""),
        "overrides": [],
        "decision": decision,
    }


def trail(s: Session, sess: InterviewSession) -> list[dict[str, Any]]:
    """The audit events about this interview, oldest first, with the actor's name."""
    rows = s.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.organization_id == sess.organization_id,
            AuditEvent.subject == f"session:{sess.id}",
        )
        .order_by(AuditEvent.created_at, AuditEvent.id)
    ).all()
    users = {r.actor.split(":", 1)[1] for r in rows if r.actor.startswith("user:")}
    names = _names(s, users)
    return [
        {
            "at": r.created_at,
            "actor": names.get(r.actor.split(":", 1)[1], r.actor)
            if r.actor.startswith("user:")
            else r.actor.split(":", 1)[0],
            "action": r.action,
            "detail": r.detail,
        }
        for r in rows
    ]


__all__ = [
    "Decision",
    "answer_review_request",
    "assign_reviewer",
    "check_may_review",
    "decide",
    "latest_levels",
    "override_level",
    "person_assesses",
    "person_review",
    "request_view",
    "stored_report",
    "summary",
    "trail",
]
