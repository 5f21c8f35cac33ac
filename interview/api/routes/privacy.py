"""Data-protection duties: erase or export a candidate, retention, and candidates' requests
for a human review (admins erase, export and set retention; any HR user sees requests)."""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from datetime import datetime
from typing import BinaryIO, cast

from fastapi import APIRouter, Request
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, Field
from sqlalchemy import select

from interview.api.deps import Admin, Ctx, CurrentUser, SessionDep, now
from interview.api.routes.auth import client_address
from interview.api.schemas import In
from interview.privacy.audit import audit
from interview.privacy.erasure import erase_candidate
from interview.privacy.export import export_candidate, write_archive
from interview.privacy.retention import set_retention
from interview.storage.tables import Candidate, InterviewSession, ReviewRequest

router = APIRouter(tags=["privacy"])
EXPORT_SPOOL_BYTES = 16 * 1024 * 1024  # an export archive past this is spooled to a temp file
EXPORT_BLOCK = 256 * 1024  # bytes sent per step


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
    status: str = "open"  # open until a person answers it (answered)
    answered_at: datetime | None = None


@router.delete("/candidates/{candidate_id}")
def erase(candidate_id: str, user: Admin, ctx: Ctx, s: SessionDep) -> ErasureOut:
    """Delete the candidate, their interviews, answers, media, scores and reports."""
    done = erase_candidate(
        s, ctx.blobs, user.organization_id, candidate_id, f"user:{user.id}", now()
    )
    return ErasureOut(candidate_id=done.candidate_id, sessions=done.sessions, blobs=done.blobs)


def _send(f: BinaryIO) -> Iterator[bytes]:
    try:
        while block := f.read(EXPORT_BLOCK):
            yield block
    finally:
        f.close()


@router.get(
    "/candidates/{candidate_id}/export",
    response_class=StreamingResponse,
    responses={200: {"content": {"application/zip": {}}}},
)
def export(
    candidate_id: str, user: Admin, ctx: Ctx, s: SessionDep, request: Request
) -> StreamingResponse:
    """Everything held about the candidate (a subject access request), as a zip archive:
    candidate.json (their rows, the audit events about them, the stored files listed) and
    the bytes of each stored file (recordings, photos, upload chunks not yet joined)."""
    at = now()
    data = export_candidate(s, ctx.blobs, user.organization_id, candidate_id)
    audit(
        s,
        user.organization_id,
        f"user:{user.id}",
        "candidate.export",
        f"candidate:{candidate_id}",
        at,
        ip=client_address(request),
        files=len(data["files"]),
        bytes=sum(f["size"] for f in data["files"]),
    )
    # In memory while small, else a temporary file; _send closes (and so deletes) it.
    out = cast(BinaryIO, tempfile.SpooledTemporaryFile(max_size=EXPORT_SPOOL_BYTES))  # noqa: SIM115
    try:
        write_archive(data, ctx.blobs, out, at)
        out.seek(0)
    except BaseException:
        out.close()
        raise
    s.commit()
    return StreamingResponse(
        _send(out),
        media_type="application/zip",
        headers={"Content-Disposition": f'attachment; filename="candidate-{candidate_id}.zip"'},
    )


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
            session_id=r.session_id,
            candidate_name=name,
            reason=r.reason,
            created_at=r.created_at,
            status="answered" if r.answered_at else "open",
            answered_at=r.answered_at,
        )
        for r, name in rows
    ]
