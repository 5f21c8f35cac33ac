"""The durable job table: enqueue, claim with a lease, renew, finish exactly once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select, update
from sqlalchemy.orm import Session

from interview.errors import NotFound
from interview.storage.db import Database
from interview.storage.tables import Job

LIVE = ("queued", "running")
SCORE_JOB = "score_session"  # payload: session_id
PERCEIVE_JOB = "perceive_answer"  # payload: answer_id, session_id
SESSION_JOBS = (SCORE_JOB, PERCEIVE_JOB)  # kinds whose payload names an interview session


def score_key(session_id: str) -> str:
    """The key of an interview's score job: one per session."""
    return f"score:{session_id}:1"


@dataclass(frozen=True)
class Claim:
    """A job leased to one worker; `attempt` fences every later write."""

    id: str
    kind: str
    payload: dict[str, Any]
    attempt: int
    worker: str


def enqueue(s: Session, kind: str, key: str, payload: dict[str, Any], now: datetime) -> str:
    """Add a job unless one with the same key exists; return the job id either way."""
    existing = s.scalar(select(Job).where(Job.key == key))
    if existing is not None:
        if existing.status == "failed":
            existing.status, existing.attempts, existing.error = "queued", 0, None
            existing.run_after, existing.payload = now, payload
        return existing.id
    job = Job(kind=kind, key=key, payload=payload, run_after=now, created_at=now)
    s.add(job)
    s.flush()
    return job.id


def claim(db: Database, worker: str, lease_s: float, now: datetime) -> Claim | None:
    """Lease the oldest runnable job: queued, or running with an expired lease (its worker died)."""
    with db.session() as s:
        candidates = s.scalars(
            select(Job)
            .where(
                or_(
                    (Job.status == "queued") & (Job.run_after <= now),
                    (Job.status == "running") & (Job.lease_until < now),
                )
            )
            .order_by(Job.created_at)
            .limit(8)
        ).all()
        snapshot = [(j.id, j.status, j.attempts, j.max_attempts) for j in candidates]
    for job_id, status, attempts, max_attempts in snapshot:
        with db.session() as s:
            if attempts >= max_attempts:
                s.execute(
                    update(Job)
                    .where(Job.id == job_id, Job.attempts == attempts, Job.status == status)
                    .values(
                        status="failed",
                        finished_at=now,
                        error=f"gave up after {attempts} attempts (worker lost or job failed)",
                    )
                )
                continue
            # Conditional update: only one worker can move this row from what we saw.
            res = s.execute(
                update(Job)
                .where(Job.id == job_id, Job.attempts == attempts, Job.status == status)
                .values(
                    status="running",
                    attempts=attempts + 1,
                    worker=worker,
                    lease_until=now + timedelta(seconds=lease_s),
                )
                .execution_options(synchronize_session=False)
            )
            if res.rowcount != 1:  # type: ignore[attr-defined]
                continue
            job = s.get(Job, job_id)
            assert job is not None
            return Claim(job.id, job.kind, dict(job.payload), attempts + 1, worker)
    return None


def _fence(claim: Claim) -> Any:
    return (
        (Job.id == claim.id)
        & (Job.attempts == claim.attempt)
        & (Job.worker == claim.worker)
        & (Job.status == "running")
    )


def renew(db: Database, claim: Claim, lease_s: float, now: datetime) -> bool:
    """Extend the lease; False when the job was taken over (stop working on it)."""
    with db.session() as s:
        res = s.execute(
            update(Job)
            .where(_fence(claim))
            .values(lease_until=now + timedelta(seconds=lease_s))
            .execution_options(synchronize_session=False)
        )
        return res.rowcount == 1  # type: ignore[attr-defined]


def finish(s: Session, claim: Claim, result: dict[str, Any], now: datetime) -> bool:
    """Mark done inside the caller's transaction; False if this worker lost the lease."""
    res = s.execute(
        update(Job)
        .where(_fence(claim))
        .values(status="done", result=result, finished_at=now, lease_until=None, error=None)
        .execution_options(synchronize_session=False)
    )
    return res.rowcount == 1  # type: ignore[attr-defined]


def fail(db: Database, claim: Claim, error: str, now: datetime, retry_s: float) -> None:
    """Record an error; requeue with a delay unless attempts are used up."""
    with db.session() as s:
        job = s.get(Job, claim.id)
        if job is None or job.attempts != claim.attempt or job.status != "running":
            return
        job.error = error[:4000]
        job.lease_until = None
        if job.attempts >= job.max_attempts:
            job.status, job.finished_at = "failed", now
        else:
            job.status, job.run_after = "queued", now + timedelta(seconds=retry_s)


def get(s: Session, job_id: str) -> Job:
    job = s.get(Job, job_id)
    if job is None:
        raise NotFound(f"job {job_id!r} not found")
    return job
