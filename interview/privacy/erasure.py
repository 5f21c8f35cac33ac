"""Erasing a candidate (interview.privacy.export exports everything held about one).

Rows go through the database's ON DELETE CASCADE (every table hangs off an interview session
or the candidate). Blobs are content-addressed and may be shared (two candidates who sent
the same bytes), so a blob is deleted only when no row refers to it any more, and only after
the rows' deletion is committed: a crash in between leaves an orphan blob, never a row that
points at nothing. retention.sweep_orphans() removes such leftovers.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, text
from sqlalchemy.orm import Session

from interview.errors import NotFound
from interview.privacy.audit import audit
from interview.storage import jobs
from interview.storage.blobs import BlobStore
from interview.storage.tables import (
    Answer,
    Candidate,
    EnrollmentPhoto,
    InterviewSession,
    Job,
    Recording,
    RecordingChunk,
)


def referenced_blobs(s: Session) -> set[str]:
    """Every blob key some row refers to."""
    keys: set[str] = set()
    for media in s.scalars(select(Answer.media)):
        keys.update(media or [])
    keys.update(s.scalars(select(RecordingChunk.blob_key)))
    keys.update(s.scalars(select(EnrollmentPhoto.blob_key)))
    return keys


def session_ids(s: Session, candidate_id: str) -> list[str]:
    """The ids of the candidate's interviews."""
    return list(
        s.scalars(select(InterviewSession.id).where(InterviewSession.candidate_id == candidate_id))
    )


def session_blobs(s: Session, session_ids: Iterable[str]) -> set[str]:
    ids = list(session_ids)
    if not ids:
        return set()
    keys: set[str] = set()
    for media in s.scalars(select(Answer.media).where(Answer.session_id.in_(ids))):
        keys.update(media or [])
    keys.update(
        s.scalars(
            select(RecordingChunk.blob_key)
            .join(Recording, Recording.id == RecordingChunk.recording_id)
            .where(Recording.session_id.in_(ids))
        )
    )
    keys.update(
        s.scalars(select(EnrollmentPhoto.blob_key).where(EnrollmentPhoto.session_id.in_(ids)))
    )
    return keys


def delete_unreferenced(s: Session, blobs: BlobStore, keys: Iterable[str]) -> int:
    """Delete those of `keys` that no committed row refers to; the count deleted."""
    still = referenced_blobs(s)
    gone = 0
    for key in set(keys) - still:
        if blobs.exists(key):
            blobs.delete(key)
            gone += 1
    return gone


@dataclass(frozen=True)
class Erasure:
    candidate_id: str
    sessions: int
    blobs: int


def candidate_in_org(s: Session, org_id: str, candidate_id: str) -> Candidate:
    cand = s.get(Candidate, candidate_id)
    if cand is None or cand.organization_id != org_id:
        raise NotFound(f"candidate {candidate_id!r} not found")
    return cand


def erase_candidate(
    s: Session, blobs: BlobStore, org_id: str, candidate_id: str, actor: str, now: datetime
) -> Erasure:
    """Delete the candidate, every row of their interviews and their blobs. Commits."""
    candidate_in_org(s, org_id, candidate_id)
    sessions = session_ids(s, candidate_id)
    keys = session_blobs(s, sessions)
    for job in s.scalars(select(Job).where(Job.kind.in_(jobs.SESSION_JOBS))):
        if job.payload.get("session_id") in sessions:
            s.delete(job)
    s.execute(delete(Candidate).where(Candidate.id == candidate_id))
    audit(
        s,
        org_id,
        actor,
        "candidate.erase",
        f"candidate:{candidate_id}",
        now,
        sessions=len(sessions),
        blobs=len(keys),
    )
    s.commit()  # rows first: a crash now leaves orphan blobs for sweep_orphans, no dangling rows
    if s.get_bind().dialect.name == "sqlite":  # old page images in the WAL go too
        s.execute(text("PRAGMA wal_checkpoint(TRUNCATE)"))
    gone = delete_unreferenced(s, blobs, keys)
    return Erasure(candidate_id=candidate_id, sessions=len(sessions), blobs=gone)
