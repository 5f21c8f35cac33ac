"""The job table: dedupe, exclusive claims, lease expiry, fencing, giving up."""

from datetime import UTC, datetime, timedelta

from sqlalchemy import select

from interview.storage import jobs
from interview.storage.db import Database
from interview.storage.tables import Job, Organization

T0 = datetime(2026, 11, 28, 9, 0, tzinfo=UTC)


def _enqueue(db: Database, key: str = "k") -> str:
    with db.session() as s:
        return jobs.enqueue(s, "score_session", key, {"session_id": "s1"}, T0)


def test_enqueue_dedupes_by_key(db: Database) -> None:
    a = _enqueue(db)
    assert _enqueue(db) == a
    with db.session() as s:
        assert len(s.scalars(select(Job)).all()) == 1


def test_a_job_is_claimed_by_one_worker_only(db: Database) -> None:
    _enqueue(db)
    first = jobs.claim(db, "w1", 30, T0)
    second = jobs.claim(db, "w2", 30, T0)
    assert first is not None and first.attempt == 1 and first.payload == {"session_id": "s1"}
    assert second is None


def test_expired_lease_is_reclaimed_and_stale_worker_is_fenced(db: Database) -> None:
    _enqueue(db)
    stale = jobs.claim(db, "w1", 10, T0)
    assert stale is not None
    assert jobs.claim(db, "w2", 10, T0 + timedelta(seconds=5)) is None  # lease still held
    fresh = jobs.claim(db, "w2", 10, T0 + timedelta(seconds=11))
    assert fresh is not None and fresh.attempt == 2
    assert not jobs.renew(db, stale, 10, T0 + timedelta(seconds=12))
    with db.session() as s:
        assert not jobs.finish(s, stale, {"by": "w1"}, T0 + timedelta(seconds=12))
    with db.session() as s:
        assert jobs.finish(s, fresh, {"by": "w2"}, T0 + timedelta(seconds=12))
    with db.session() as s:
        job = s.scalars(select(Job)).one()
        assert (job.status, job.result, job.attempts) == ("done", {"by": "w2"}, 2)


def test_failure_requeues_then_gives_up(db: Database) -> None:
    _enqueue(db)
    now = T0
    for attempt in (1, 2, 3):
        claim = jobs.claim(db, "w", 10, now)
        assert claim is not None and claim.attempt == attempt
        jobs.fail(db, claim, "boom", now, retry_s=1)
        now += timedelta(seconds=2)
    assert jobs.claim(db, "w", 10, now) is None
    with db.session() as s:
        job = s.scalars(select(Job)).one()
        assert job.status == "failed" and job.error == "boom"


def test_worker_lost_too_often_fails_the_job(db: Database) -> None:
    _enqueue(db)
    now = T0
    for _ in range(3):
        assert jobs.claim(db, "w", 1, now) is not None
        now += timedelta(seconds=2)  # the worker dies; its lease expires
    assert jobs.claim(db, "w", 1, now) is None
    with db.session() as s:
        job = s.scalars(select(Job)).one()
        assert job.status == "failed" and "gave up after 3 attempts" in (job.error or "")


def test_finish_and_results_commit_together(db: Database) -> None:
    """The commit step's writes roll back with a lost lease: no half-finished job."""
    _enqueue(db)
    claim = jobs.claim(db, "w1", 10, T0)
    assert claim is not None
    jobs.claim(db, "w2", 10, T0 + timedelta(seconds=11))  # w2 takes over
    try:
        with db.session() as s:
            s.add(Organization(name="written by w1", created_at=T0))
            if not jobs.finish(s, claim, {}, T0 + timedelta(seconds=12)):
                raise RuntimeError("lease lost")
    except RuntimeError:
        pass
    with db.session() as s:
        assert s.scalars(select(Organization)).all() == []
