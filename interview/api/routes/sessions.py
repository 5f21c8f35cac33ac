"""Interview sessions as HR sees them: progress, reports, jobs."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import select

from interview.api.deps import CurrentUser, SessionDep
from interview.api.schemas import JobOut, SessionOut
from interview.errors import NotFound
from interview.service import session_for_org
from interview.storage import jobs
from interview.storage.tables import Candidate, InterviewSession, JobRole, Report

router = APIRouter(tags=["sessions"])


@router.get("/sessions")
def list_sessions(
    user: CurrentUser,
    s: SessionDep,
    role_id: str | None = None,
    status: str | None = None,
    limit: int = Query(default=50, ge=1, le=500),
    offset: int = Query(default=0, ge=0),
) -> list[SessionOut]:
    q = (
        select(InterviewSession, Candidate, JobRole, Report)
        .join(Candidate, Candidate.id == InterviewSession.candidate_id)
        .join(JobRole, JobRole.id == InterviewSession.role_id)
        .outerjoin(Report, Report.session_id == InterviewSession.id)
        .where(InterviewSession.organization_id == user.organization_id)
    )
    if role_id:
        q = q.where(InterviewSession.role_id == role_id)
    if status:
        q = q.where(InterviewSession.status == status)
    q = q.order_by(InterviewSession.created_at.desc()).limit(limit).offset(offset)
    return [
        SessionOut(
            id=sess.id,
            candidate_id=cand.id,
            candidate_name=cand.name,
            role_id=role.id,
            role_title=role.title,
            status=sess.status,
            language=sess.language,
            created_at=sess.created_at,
            overall=rep.overall if rep else None,
            integrity=rep.body.get("integrity") if rep else None,
        )
        for sess, cand, role, rep in s.execute(q).all()
    ]


@router.get("/sessions/{session_id}/report")
def get_report(session_id: str, user: CurrentUser, s: SessionDep) -> dict[str, Any]:
    sess = session_for_org(s, user.organization_id, session_id)
    rep = s.scalar(select(Report).where(Report.session_id == sess.id))
    if rep is None:
        raise NotFound(f"session {session_id!r} has no report yet (status: {sess.status})")
    return rep.body


@router.get("/jobs/{job_id}")
def get_job(job_id: str, user: CurrentUser, s: SessionDep) -> JobOut:
    job = jobs.get(s, job_id)
    sid = job.payload.get("session_id")
    if sid is not None:
        session_for_org(s, user.organization_id, str(sid))  # 404 across organizations
    return JobOut.model_validate(job, from_attributes=True)
