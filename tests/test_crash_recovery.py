"""SIGKILL the server while a scoring job runs; after a restart the job completes exactly once."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import func, select

from interview.storage.db import Database
from interview.storage.tables import Answer, Job, Report, Score
from tests.api.conftest import PASSWORD, seed_org

ANSWER = (
    "When the delivery van broke down I rang the customers on the route, re-planned the "
    "stops with a colleague and we delivered forty of forty-two parcels the same day."
)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _start(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "interview.cli", "serve"],
        env=env,
        stdout=log.open("ab"),
        stderr=subprocess.STDOUT,
    )


def _wait_up(base: str, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.time() + 60
    while time.time() < deadline:
        assert proc.poll() is None, log.read_text()
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise AssertionError("server did not start: " + log.read_text())


def test_sigkill_during_scoring_then_restart_completes_once(tmp_path: Path) -> None:
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {
        **os.environ,
        "INTERVIEW_DATA_DIR": str(tmp_path / "var"),
        "INTERVIEW_PORT": str(port),
        "INTERVIEW_JOB_LEASE_SECONDS": "2",
        "INTERVIEW_JOB_POLL_SECONDS": "0.1",
        "INTERVIEW_JOB_START_DELAY_SECONDS": "30",
    }
    url = f"sqlite:///{(tmp_path / 'var' / 'interview.db').resolve()}"
    db = Database(url)
    db.upgrade()
    seed_org(db, "Acme", "acme.test")
    log = tmp_path / "server.log"

    proc = _start(env, log)
    try:
        _wait_up(base, proc, log)
        c = httpx.Client(base_url=f"{base}/api/v1", timeout=30)
        token = c.post(
            "/auth/login", json={"email": "admin@acme.test", "password": PASSWORD}
        ).json()["token"]
        hr = {"Authorization": f"Bearer {token}"}
        role = c.post(
            "/roles", json={"title": "Delivery rider", "max_questions": 2}, headers=hr
        ).json()
        invite = c.post(
            f"/roles/{role['id']}/invitations", json={"candidate_name": "Kim"}, headers=hr
        ).json()
        t = invite["token"]
        c.post(f"/interview/{t}/consent", json={"recording": True, "ai_assessment": True})
        for q in role["questions"]:
            assert (
                c.post(
                    f"/interview/{t}/answers", json={"question_id": q["id"], "text": ANSWER}
                ).status_code
                == 201
            )
        job_id = c.post(f"/interview/{t}/complete").json()["job_id"]

        deadline = time.time() + 30
        while time.time() < deadline:
            with db.session() as s:
                job = s.get(Job, job_id)
                assert job is not None
                if job.status == "running":
                    break
            time.sleep(0.05)
        assert job.status == "running" and job.attempts == 1
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait(10)

    with db.session() as s:
        assert s.scalar(select(func.count()).select_from(Report)) == 0
        assert s.scalar(select(func.count()).select_from(Answer)) == 2  # acknowledged, kept

    env["INTERVIEW_JOB_START_DELAY_SECONDS"] = "0"
    proc = _start(env, log)
    try:
        _wait_up(base, proc, log)
        deadline = time.time() + 60
        while time.time() < deadline:
            with db.session() as s:
                job = s.get(Job, job_id)
                assert job is not None
                if job.status in ("done", "failed"):
                    break
            time.sleep(0.1)
        assert job.status == "done", (job.status, job.error, log.read_text()[-3000:])
        assert job.attempts == 2
        time.sleep(1.0)  # give a (wrong) second run the chance to show itself
        with db.session() as s:
            reports = s.scalars(select(Report)).all()
            assert len(reports) == 1 and reports[0].job_id == job_id
            scores = s.scalars(select(Score)).all()
            assert len(scores) == len(reports[0].body["competencies"]) >= 1
            assert {sc.job_id for sc in scores} == {job_id}
            assert s.get(Job, job_id).attempts == 2  # type: ignore[union-attr]
    finally:
        proc.terminate()
        proc.wait(10)
    db.dispose()
