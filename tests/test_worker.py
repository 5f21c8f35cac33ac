"""The worker runs handlers, commits their writes with the job, and retries failures."""

import time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from interview.storage import jobs
from interview.storage.db import Database
from interview.storage.tables import Job, Organization, utcnow
from interview.worker import Worker


def _db(tmp_path: Path) -> Database:
    db = Database(f"sqlite:///{tmp_path / 'w.db'}")
    db.upgrade()
    return db


def test_worker_runs_a_job_and_commits_its_writes(tmp_path: Path) -> None:
    db = _db(tmp_path)
    seen: list[dict[str, Any]] = []

    def handler(payload: dict[str, Any]):  # type: ignore[no-untyped-def]
        seen.append(payload)

        def commit(s: Session) -> dict[str, Any]:
            s.add(Organization(name=payload["name"], created_at=utcnow()))
            return {"ok": True}

        return commit

    with db.session() as s:
        job_id = jobs.enqueue(s, "make_org", "org:1", {"name": "Acme"}, utcnow())
    worker = Worker(db, {"make_org": handler}, poll_s=0.05)
    assert worker.run_once()
    assert not worker.run_once()
    assert seen == [{"name": "Acme", "job_id": job_id}]
    with db.session() as s:
        assert [o.name for o in s.scalars(select(Organization))] == ["Acme"]
        job = s.get(Job, job_id)
        assert job is not None and job.status == "done" and job.result == {"ok": True}


def test_a_failing_handler_is_retried_then_marked_failed(tmp_path: Path) -> None:
    db = _db(tmp_path)
    calls = 0

    def handler(payload: dict[str, Any]):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        raise ValueError("bad media")

    with db.session() as s:
        job_id = jobs.enqueue(s, "k", "k:1", {}, utcnow())
    worker = Worker(db, {"k": handler}, poll_s=0.05)
    worker.start()
    deadline = time.time() + 20
    while time.time() < deadline:
        with db.session() as s:
            job = s.get(Job, job_id)
            assert job is not None
            if job.status == "failed":
                break
        time.sleep(0.1)
    worker.stop()
    assert calls == 3
    assert job.status == "failed" and job.error == "ValueError: bad media"


def test_stop_names_the_jobs_still_running_and_leaves_them_to_be_resumed(
    tmp_path: Path,
) -> None:
    """A job longer than stop's wait is reported, not waited on: the server then ends the
    process (cli.serve) and the job's lease expires, so the next start runs it again."""
    import threading

    db = _db(tmp_path)
    started, release = threading.Event(), threading.Event()

    def slow(payload: dict[str, Any]):  # type: ignore[no-untyped-def]
        started.set()
        release.wait(30)
        raise RuntimeError("released")

    def quick(payload: dict[str, Any]):  # type: ignore[no-untyped-def]
        return lambda s: {"ok": True}

    with db.session() as s:
        job_id = jobs.enqueue(s, "slow", "slow:1", {}, utcnow())
    worker = Worker(db, {"slow": slow, "quick": quick}, poll_s=0.05, lease_s=1.0)
    worker.start()
    assert started.wait(20)
    t0 = time.monotonic()
    assert worker.stop(timeout=0.3) == [job_id]
    assert time.monotonic() - t0 < 2.0
    with db.session() as s:
        job = s.get(Job, job_id)
        assert job is not None and job.status == "running"
    release.set()
    idle = Worker(db, {"quick": quick}, poll_s=0.05)
    idle.start()
    assert idle.stop(timeout=5.0) == []
