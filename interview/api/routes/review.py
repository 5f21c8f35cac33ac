"""Human review of an interview: assign a reviewer, change a competency level with a
reason, record the final decision, answer the candidate's request for a review, read the
audit trail."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, status
from fastapi.encoders import jsonable_encoder

from interview.api.deps import CurrentUser, SessionDep, now
from interview.api.hr_schemas import (
    DecisionIn,
    OverrideIn,
    OverrideOut,
    RequestAnswerIn,
    RequestAnswerOut,
    ReviewerIn,
    ReviewOut,
)
from interview.hiring.invitations import session_for_org
from interview.hiring.review import (
    answer_review_request,
    assign_reviewer,
    decide,
    override_level,
    review_of,
    trail,
)

router = APIRouter(prefix="/sessions/{session_id}", tags=["review"])


def _out(s: SessionDep, session_id: str, status_: str) -> ReviewOut:
    row = review_of(s, session_id)
    return ReviewOut(
        session_id=session_id,
        status=status_,
        reviewer_id=row.reviewer_id if row else None,
        decision=row.decision if row else None,
        decision_reason=row.decision_reason if row else None,
        decided_at=row.decided_at if row else None,
    )


@router.put("/reviewer")
def set_reviewer(session_id: str, body: ReviewerIn, user: CurrentUser, s: SessionDep) -> ReviewOut:
    """Admins and recruiters give the interview to a reviewer (or take it back)."""
    sess = session_for_org(s, user.organization_id, session_id)
    assign_reviewer(s, sess, body.reviewer_id, user, now())
    return _out(s, sess.id, sess.status)


@router.post("/overrides", status_code=status.HTTP_201_CREATED)
def add_override(
    session_id: str, body: OverrideIn, user: CurrentUser, s: SessionDep
) -> OverrideOut:
    """Change one competency's level; the reason is required and kept in the audit trail."""
    sess = session_for_org(s, user.organization_id, session_id)
    row = override_level(s, sess, user, body.competency_id, body.level, body.reason, now())
    return OverrideOut.model_validate(row, from_attributes=True)


@router.put("/decision")
def set_decision(session_id: str, body: DecisionIn, user: CurrentUser, s: SessionDep) -> ReviewOut:
    """Record the final decision: advance, reject or hold, with the reason."""
    sess = session_for_org(s, user.organization_id, session_id)
    decide(s, sess, user, body.decision, body.reason, now())
    return _out(s, sess.id, sess.status)


@router.post("/review-request/answer")
def answer_request(
    session_id: str, body: RequestAnswerIn, user: CurrentUser, s: SessionDep
) -> RequestAnswerOut:
    """Mark the candidate's request for a human review answered, with a note of what was done
    (a level change or a decision after the request answers it too)."""
    sess = session_for_org(s, user.organization_id, session_id)
    row = answer_review_request(s, sess, user, body.note, now())
    return RequestAnswerOut(
        session_id=sess.id,
        status="answered" if row.answered_at else "open",
        answered_at=row.answered_at,
        answered_via=row.answered_via,
        answer=row.answer,
    )


@router.get("/audit")
def audit_trail(session_id: str, user: CurrentUser, s: SessionDep) -> list[dict[str, Any]]:
    sess = session_for_org(s, user.organization_id, session_id)
    return jsonable_encoder(trail(s, sess))  # type: ignore[no-any-return]
