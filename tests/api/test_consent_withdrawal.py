"""A candidate may withdraw consent to AI assessment at any time, also after finishing: the
scoring job checks consent when it runs, and a report scored before then shows no AI scores
any more; either way the report says a person must assess the candidate."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from interview.api.app import create_app
from interview.config import Settings
from interview.pipeline import EMBEDDER, AnswerScorer, score_job_handler
from interview.storage.db import Database
from interview.storage.tables import ConsentRecord, IntegrityFlag, Report, Score
from interview.worker import Handler, Worker
from tests.api.conftest import Api, seed_org
from tests.api.test_flow import STRONG, _wait_job

# The subject is the models' and the API's work, not the database: PostgreSQL only
# (tests/web runs the whole product on SQLite; tests/storage both databases).
pytestmark = pytest.mark.one_database

WITHDRAW = {"recording": True, "ai_assessment": False}


@pytest.fixture
def queued_api(tmp_path: Path, db_url: str, backend) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    """The API with no job worker: a finished interview's scoring job stays queued until
    the test runs it, so consent can be withdrawn while it waits."""
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=db_url,
        job_workers=0,
        integrity_reference_answers=False,
    )
    db = Database(db_url)
    db.upgrade()
    seed_org(db, "Acme", "acme.test")
    with TestClient(create_app(settings, backend=backend)) as client:
        yield Api(client, settings, db)
    db.dispose()


def _handler(api: Api, backend) -> Handler:  # type: ignore[no-untyped-def]
    """The server's scoring job, on the real embedder."""
    scorer = AnswerScorer(backend.embedder(EMBEDDER))
    return score_job_handler(api.db, scorer, api.settings)  # type: ignore[no-any-return]


def _answered(api: Api, hr: dict[str, str]) -> tuple[str, str]:
    """An interview with one typed answer, consented to; returns (token, session id)."""
    role = api.client.post(
        "/api/v1/roles",
        json={"title": "Retail sales associate", "max_questions": 1, "choice_items": 0},
        headers=hr,
    ).json()
    inv = api.client.post(
        f"/api/v1/roles/{role['id']}/invitations", json={"candidate_name": "Ana"}, headers=hr
    ).json()
    token = inv["token"]
    consent = {"recording": True, "ai_assessment": True}
    assert api.client.post(f"/api/v1/interview/{token}/consent", json=consent).status_code == 201
    ack = api.client.post(
        f"/api/v1/interview/{token}/answers",
        json={"question_id": role["questions"][0]["id"], "text": STRONG},
    )
    assert ack.status_code == 201, ack.text
    return token, inv["session_id"]


def _rows(api: Api, table: Any, session_id: str) -> int:
    with api.db.session() as s:
        found = select(func.count()).select_from(table).where(table.session_id == session_id)
        return int(s.scalar(found) or 0)


def _says_a_person_must_assess(report: dict, withdrawn: bool = True) -> None:  # type: ignore[type-arg]
    assert report["assessed_by"] == "person", report
    assert report["competencies"] == [] and report["overall"] is None and report["band"] is None
    assert "highlights" not in report and "risks" not in report
    text = report["assessment"]["text"]
    assert "a person must assess" in text.lower()
    if withdrawn:
        assert report["assessment"]["reason"] == "consent_withdrawn"
        day = report["assessment"]["at"][:10]
        assert f"withdrew consent to AI-assisted assessment on {day}" in text
    assert len(report["answers"]) == 1 and report["answers"][0]["text"] == STRONG


def test_withdrawn_after_finishing_while_the_job_waits_is_not_scored(
    queued_api: Api,
    backend,  # type: ignore[no-untyped-def]
) -> None:
    api = queued_api
    hr = api.login()
    token, sid = _answered(api, hr)
    done = api.client.post(f"/api/v1/interview/{token}/complete")
    assert done.status_code == 202
    withdrawn = api.client.post(f"/api/v1/interview/{token}/consent", json=WITHDRAW)
    assert withdrawn.status_code == 201, withdrawn.text
    # The job was queued with consent given; it runs now, after the withdrawal.
    assert Worker(api.db, {"score_session": _handler(api, backend)}).run_once()

    job = api.client.get(f"/api/v1/jobs/{done.json()['job_id']}", headers=hr).json()
    assert job["status"] == "done" and job["attempts"] == 1, job  # finished, not retried
    assert job["result"]["assessed_by"] == "person"
    assert _rows(api, Score, sid) == _rows(api, Report, sid) == 0
    assert _rows(api, IntegrityFlag, sid) == 0

    report = api.client.get(f"/api/v1/sessions/{sid}/report", headers=hr).json()
    _says_a_person_must_assess(report)
    assert report["status"] == "manual"
    actions = [e["action"] for e in report["trail"]]
    assert "consent.withdraw" in actions and "assessment.person" in actions
    gone = next(e for e in report["trail"] if e["action"] == "consent.withdraw")
    assert gone["actor"] == "candidate" and gone["detail"]["kind"] == "ai_assessment"
    with api.db.session() as s:
        last = s.scalars(
            select(ConsentRecord)
            .where(ConsentRecord.session_id == sid, ConsentRecord.kind == "ai_assessment")
            .order_by(ConsentRecord.created_at)
        ).all()[-1]
        assert last.granted is False and last.created_at is not None

    listed = api.client.get("/api/v1/sessions", headers=hr).json()
    row = next(r for r in listed if r["id"] == sid)
    assert row["status"] == "manual" and row["overall"] is None and row["band"] is None
    # A person decides without an AI report.
    decided = api.client.put(
        f"/api/v1/sessions/{sid}/decision",
        json={"decision": "hold", "reason": "assessed the written answer myself"},
        headers=hr,
    )
    assert decided.status_code == 200, decided.text
    seen = api.client.get(f"/api/v1/sessions/{sid}/report", headers=hr).json()
    assert seen["review"]["decision"]["decision"] == "hold" and seen["assessed_by"] == "person"


def test_withdrawn_after_a_scored_report_hides_and_deletes_the_scores(api: Api) -> None:
    hr = api.login()
    token, sid = _answered(api, hr)
    job = api.client.post(f"/api/v1/interview/{token}/complete").json()["job_id"]
    assert _wait_job(api, hr, job)["status"] == "done"
    scored = api.client.get(f"/api/v1/sessions/{sid}/report", headers=hr).json()
    assert scored["competencies"] and scored["overall"] is not None
    assert _rows(api, Score, sid) > 0

    r = api.client.post(f"/api/v1/interview/{token}/consent", json=WITHDRAW)
    assert r.status_code == 201, r.text
    report = api.client.get(f"/api/v1/sessions/{sid}/report", headers=hr).json()
    _says_a_person_must_assess(report)
    assert str(scored["overall"]) not in str({k: v for k, v in report.items() if k != "trail"})
    # Data minimisation: the AI-derived scores, report and flags are deleted, not only hidden.
    assert _rows(api, Score, sid) == _rows(api, Report, sid) == 0
    assert _rows(api, IntegrityFlag, sid) == 0
    assert "consent.withdraw" in [e["action"] for e in report["trail"]]
    pdf = api.client.get(f"/api/v1/sessions/{sid}/report.pdf", headers=hr)
    assert pdf.status_code == 409 and "person must assess" in pdf.json()["error"]["message"]

    # Consent given again after finishing does not bring AI scoring back for this interview.
    again = api.client.post(
        f"/api/v1/interview/{token}/consent", json={"recording": True, "ai_assessment": True}
    )
    assert again.status_code == 409 and "ai_assessment" in again.json()["error"]["message"]
    api.client.post(f"/api/v1/interview/{token}/complete")  # finishing again scores nothing
    assert _wait_job(api, hr, job)["status"] == "done"
    assert _rows(api, Score, sid) == 0
    page = api.client.get(f"/api/v1/interview/{token}").json()
    assert page["consent_given"] is False and "overall" not in page


def test_withdrawn_while_the_models_work_is_not_written(queued_api: Api, backend) -> None:  # type: ignore[no-untyped-def]
    api = queued_api
    hr = api.login()
    token, sid = _answered(api, hr)
    job = api.client.post(f"/api/v1/interview/{token}/complete").json()["job_id"]
    commit = _handler(api, backend)({"session_id": sid, "job_id": job})  # scored, not written
    r = api.client.post(f"/api/v1/interview/{token}/consent", json=WITHDRAW)
    assert r.status_code == 201, r.text
    with api.db.session() as s:
        result = commit(s)
        s.commit()
    assert result["assessed_by"] == "person"
    assert _rows(api, Score, sid) == _rows(api, Report, sid) == 0
    report = api.client.get(f"/api/v1/sessions/{sid}/report", headers=hr).json()
    _says_a_person_must_assess(report)
