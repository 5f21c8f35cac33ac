"""SIGKILL the server while a scoring job runs; after a restart the job completes exactly once
(a typed and a recorded answer: the recording is perceived by the run that finishes)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from bench.load import make_speech_wav
from interview.storage.db import Database
from interview.storage.tables import Answer, Job, Report, Score
from tests.api.conftest import PASSWORD, seed_org
from tests.conftest import SHARED
from tests.server import Server

JFK = SHARED / "data" / "audio" / "jfk.flac"
ANSWER = (
    "When the delivery van broke down I rang the customers on the route, re-planned the "
    "stops with a colleague and we delivered forty of forty-two parcels the same day."
)


def _speech_wav(tmp_path: Path) -> bytes:
    """JFK's 11 s of speech as 16 kHz mono WAV: a recorded answer the scoring job perceives."""
    return make_speech_wav(tmp_path / "answer.wav")


def _wait_status(db: Database, job_id: str, wanted: tuple[str, ...], timeout: float) -> Job:
    deadline = time.time() + timeout
    while True:
        with db.session() as s:
            job = s.get(Job, job_id)
            assert job is not None
            if job.status in wanted or time.time() > deadline:
                return job
        time.sleep(0.05)


def test_sigkill_during_scoring_then_restart_completes_once(tmp_path: Path) -> None:
    # The first server pauses 30 s after claiming a job, so the kill lands mid-job.
    server = Server(
        tmp_path / "var", INTERVIEW_JOB_LEASE_SECONDS="2", INTERVIEW_JOB_START_DELAY_SECONDS="30"
    )
    db = Database(server.database_url)
    db.upgrade()
    seed_org(db, "Acme", "acme.test")
    try:
        server.start()
        c = httpx.Client(base_url=f"{server.base}/api/v1", timeout=30)
        login = c.post("/auth/login", json={"email": "admin@acme.test", "password": PASSWORD})
        hr = {"Authorization": f"Bearer {login.json()['token']}"}
        role = c.post(
            "/roles",
            json={"title": "Delivery rider", "max_questions": 2, "choice_items": 0},
            headers=hr,
        ).json()
        invite = c.post(
            f"/roles/{role['id']}/invitations", json={"candidate_name": "Kim"}, headers=hr
        ).json()
        assert "token" in invite, (invite, role)
        t = invite["token"]
        c.post(f"/interview/{t}/consent", json={"recording": True, "ai_assessment": True})
        first, second = (q["id"] for q in role["questions"])
        r = c.post(f"/interview/{t}/answers", json={"question_id": first, "text": ANSWER})
        assert r.status_code == 201
        r = c.post(
            f"/interview/{t}/media",
            data={"question_id": second},
            files={"file": ("answer.wav", _speech_wav(tmp_path), "audio/wav")},
        )
        assert r.status_code == 201, r.text
        job_id = c.post(f"/interview/{t}/complete").json()["job_id"]
        job = _wait_status(db, job_id, ("running",), 30)
        assert job.status == "running" and job.attempts == 1
    finally:
        server.kill()

    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Report)) == 0
        answers = s.scalars(select(Answer)).all()
        assert len(answers) == 2  # acknowledged, kept
        assert [a.transcript for a in answers if a.kind == "audio"] == [None]  # not perceived

    try:
        server.start(INTERVIEW_JOB_START_DELAY_SECONDS="0")
        job = _wait_status(db, job_id, ("done", "failed"), 60)
        assert job.status == "done", (job.status, job.error, server.tail())
        assert job.attempts == 2
        time.sleep(1.0)  # give a (wrong) second run the chance to show itself
        with db.session() as s:
            reports = s.scalars(select(Report)).all()
            assert len(reports) == 1 and reports[0].job_id == job_id
            scores = s.scalars(select(Score)).all()
            assert len(scores) == len(reports[0].body["competencies"]) >= 1
            assert {sc.job_id for sc in scores} == {job_id}
            final = s.get(Job, job_id)
            assert final is not None and final.attempts == 2
            # The recorded answer was perceived by the run that finished, and stored once.
            (spoken,) = s.scalars(select(Answer).where(Answer.kind == "audio")).all()
            assert spoken.transcript is not None
            assert "country" in json.dumps(spoken.transcript).lower()
    finally:
        server.stop()
        db.dispose()
