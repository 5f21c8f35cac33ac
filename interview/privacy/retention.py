"""Retention: how long an organization keeps candidate data, the sweep that erases what
is past it, and the timer that runs the sweep.

Retention (per organization, settings["retention_days"]): recordings, their chunks,
enrollment photos and transcripts of interviews completed more than N days ago are deleted;
the report and the scores stay as the record of the decision, with a note that the media
are gone. Blobs go only after their rows (see interview.privacy.erasure).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from interview.errors import InvalidInput, NotFound
from interview.privacy.audit import audit
from interview.privacy.erasure import (
    delete_unreferenced,
    session_blobs,
)
from interview.storage.blobs import BlobStore, FileBlobStore
from interview.storage.db import Database
from interview.storage.tables import (
    Answer,
    EnrollmentPhoto,
    InterviewSession,
    Organization,
    Recording,
    RecordingChunk,
)

log = logging.getLogger(__name__)
MAX_RETENTION_DAYS = 3650


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
