"""Privacy duties: erase a candidate, export everything held about one, and retention.

Rows go through the database's ON DELETE CASCADE (every table hangs off an interview session
or the candidate). Blobs are content-addressed and may be shared (two candidates who sent
the same bytes), so a blob is deleted only when no row refers to it any more, and only after
the rows' deletion is committed: a crash in between leaves an orphan blob, never a row that
points at nothing. sweep_orphans() removes such leftovers (retention runs it).

Retention (per organization, settings["retention_days"]): recordings, their chunks,
enrollment photos and transcripts of interviews completed more than N days ago are deleted;
the report and the scores stay as the record of the decision, with a note that the media
are gone.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete, inspect, select, text
from sqlalchemy.orm import Session

from interview.errors import InvalidInput, NotFound
from interview.service import audit
from interview.storage.blobs import BlobStore, FileBlobStore
from interview.storage.db import Database
from interview.storage.tables import (
    Answer,
    Base,
    Candidate,
    EnrollmentPhoto,
    InterviewSession,
    Job,
    Organization,
    Recording,
    RecordingChunk,
)

log = logging.getLogger(__name__)
MAX_RETENTION_DAYS = 3650


def referenced_blobs(s: Session) -> set[str]:
    """Every blob key some row refers to."""
    keys: set[str] = set()
    for media in s.scalars(select(Answer.media)):
        keys.update(media or [])
    keys.update(s.scalars(select(RecordingChunk.blob_key)))
    keys.update(s.scalars(select(EnrollmentPhoto.blob_key)))
    return keys


def _session_ids(s: Session, candidate_id: str) -> list[str]:
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
    sessions = _session_ids(s, candidate_id)
    keys = session_blobs(s, sessions)
    for job in s.scalars(select(Job).where(Job.kind == "score_session")):
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


def _row(obj: Any) -> dict[str, Any]:
    return {c.key: getattr(obj, c.key) for c in inspect(obj).mapper.column_attrs}


def export_candidate(s: Session, org_id: str, candidate_id: str) -> dict[str, Any]:
    """Everything held about one candidate, table by table (blobs listed by key and size)."""
    cand = candidate_in_org(s, org_id, candidate_id)
    sessions = _session_ids(s, candidate_id)
    out: dict[str, Any] = {"candidate": _row(cand), "tables": {}}
    for mapper in Base.registry.mappers:
        table = mapper.local_table
        name = str(getattr(table, "name", ""))
        cls = mapper.class_
        if "session_id" in table.c:
            rows = s.scalars(select(cls).where(table.c.session_id.in_(sessions))).all()
        elif name == "interview_session":
            rows = s.scalars(select(cls).where(table.c.id.in_(sessions))).all()
        elif name == "recording_chunk":
            rows = s.scalars(
                select(cls)
                .join(Recording, Recording.id == table.c.recording_id)
                .where(Recording.session_id.in_(sessions))
            ).all()
        else:
            continue
        if rows:
            out["tables"][name] = [_row(r) for r in rows]
    out["blobs"] = sorted(session_blobs(s, sessions))
    return out


def set_retention(s: Session, org_id: str, days: int | None, actor: str, now: datetime) -> None:
    if days is not None and not 1 <= days <= MAX_RETENTION_DAYS:
        raise InvalidInput(f"retention_days is {days}; use 1..{MAX_RETENTION_DAYS} or null")
    org = s.get(Organization, org_id)
    if org is None:
        raise NotFound(f"organization {org_id!r} not found")
    org.settings = {**(org.settings or {}), "retention_days": days}
    audit(s, org_id, actor, "retention.set", f"organization:{org_id}", now, days=days)


@dataclass(frozen=True)
class RetentionRun:
    sessions: int
    answers: int
    blobs: int


def apply_retention(s: Session, blobs: BlobStore, now: datetime) -> RetentionRun:
    """Delete recordings, photos and transcripts past each organization's retention. Commits."""
    touched_sessions = answers = 0
    keys: set[str] = set()
    for org in s.scalars(select(Organization)):
        days = (org.settings or {}).get("retention_days")
        if not days:
            continue
        cutoff = now - timedelta(days=int(days))
        old = list(
            s.scalars(
                select(InterviewSession.id).where(
                    InterviewSession.organization_id == org.id,
                    InterviewSession.completed_at.is_not(None),
                    InterviewSession.completed_at < cutoff,
                )
            )
        )
        if not old:
            continue
        keys |= session_blobs(s, old)
        count = 0
        for a in s.scalars(select(Answer).where(Answer.session_id.in_(old))):
            if a.media or a.transcript:
                a.media, a.transcript = [], None
                count += 1
        recordings = select(Recording.id).where(Recording.session_id.in_(old))
        s.execute(delete(RecordingChunk).where(RecordingChunk.recording_id.in_(recordings)))
        s.execute(delete(EnrollmentPhoto).where(EnrollmentPhoto.session_id.in_(old)))
        if count:
            audit(
                s,
                org.id,
                "system",
                "retention.apply",
                f"organization:{org.id}",
                now,
                answers=count,
                days=int(days),
            )
        touched_sessions += len(old)
        answers += count
    s.commit()
    gone = delete_unreferenced(s, blobs, keys)
    return RetentionRun(sessions=touched_sessions, answers=answers, blobs=gone)


def sweep_orphans(s: Session, blobs: BlobStore, keys: Iterable[str]) -> int:
    """Delete stored blobs that no row refers to (left by a crash between commit and delete).
    `keys`: the store's keys; blobs written in the last moments may belong to a request not
    yet committed, so callers pass keys older than a grace period."""
    return delete_unreferenced(s, blobs, keys)


ORPHAN_GRACE_S = 3600.0  # a blob younger than this may belong to a request still running


class RetentionTimer:
    """Runs apply_retention and the orphan sweep now and then every `interval_s` seconds in a
    daemon thread, until stop()."""

    def __init__(self, db: Database, blobs: FileBlobStore, interval_s: float) -> None:
        self.db, self.blobs, self.interval_s = db, blobs, interval_s
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="retention", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=10)

    def run_once(self) -> RetentionRun:
        with self.db.new_session() as s:
            run = apply_retention(s, self.blobs, datetime.now(UTC))
            swept = sweep_orphans(s, self.blobs, self.blobs.keys(older_than_s=ORPHAN_GRACE_S))
        if run.answers or swept:
            log.info(
                "retention: %d answers cleared, %d blobs deleted", run.answers, run.blobs + swept
            )
        return run

    def _loop(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except Exception:  # a database blip must not end the timer
                log.exception("retention run failed; retrying in %.0f s", self.interval_s)
            self._stop.wait(self.interval_s)
