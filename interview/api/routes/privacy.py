"""Data-protection duties: erase or export a candidate, retention, and candidates' requests
for a human review (admins erase, export and set retention; any HR user sees requests)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter
from fastapi.encoders import jsonable_encoder
from pydantic import BaseModel, Field
from sqlalchemy import select

from interview.api.deps import Admin, Ctx, CurrentUser, SessionDep, now
from interview.api.schemas import In
from interview.privacy.audit import audit
from interview.privacy.erasure import erase_candidate, export_candidate
from interview.privacy.retention import set_retention
from interview.storage.tables import Candidate, InterviewSession, ReviewRequest

router = APIRouter(tags=["privacy"])


class ErasureOut(BaseModel):
    candidate_id: str
    sessions: int
    blobs: int


class RetentionIn(In):
    # Days after an interview is completed before its recordings, photos and transcripts
    # are deleted; null keeps them until the candidate is erased.
    retention_days: int | None = Field(default=None, ge=1, le=3650)


class ReviewRequestOut(BaseModel):
    session_id: str
    candidate_name: str
    reason: str
    created_at: datetime


@router.delete("/candidates/{candidate_id}")
def erase(candidate_id: str, user: Admin, ctx: Ctx, s: SessionDep) -> ErasureOut:
    """Delete the candidate, their interviews, answers, media, scores and reports."""
    done = erase_candidate(
        s, ctx.blobs, user.organization_id, candidate_id, f"user:{user.id}", now()
    )
    return ErasureOut(candidate_id=done.candidate_id, sessions=done.sessions, blobs=done.blobs)


@router.get("/candidates/{candidate_id}/export")
def export(candidate_id: str, user: Admin, s: SessionDep) -> dict[str, Any]:
    """Everything held about the candidate (a subject access request), as JSON."""
    data = export_candidate(s, user.organization_id, candidate_id)
    audit(
        s,
        user.organization_id,
        f"user:{user.id}",
        "candidate.export",
        f"candidate:{candidate_id}",
        now(),
    )
    s.commit()
    return jsonable_encoder(data)  # type: ignore[no-any-return]


@router.put("/organization/retention")
def retention(body: RetentionIn, user: Admin, s: SessionDep) -> RetentionIn:
    set_retention(s, user.organization_id, body.retention_days, f"user:{user.id}", now())
    s.commit()
    return body


@router.get("/review-requests")
def review_requests(user: CurrentUser, s: SessionDep) -> list[ReviewRequestOut]:
    """Candidates who asked for a human review, newest first."""
    rows = s.execute(
        select(ReviewRequest, Candidate.name)
        .join(InterviewSession, InterviewSession.id == ReviewRequest.session_id)
        .join(Candidate, Candidate.id == InterviewSession.candidate_id)
        .where(InterviewSession.organization_id == user.organization_id)
        .order_by(ReviewRequest.created_at.desc())
    ).all()
    return [
        ReviewRequestOut(
            session_id=r.session_id, candidate_name=name, reason=r.reason, created_at=r.created_at
        )
        for r, name in rows
    ]
