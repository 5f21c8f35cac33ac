"""Integrity through the product: flags beside the scores, in the report and the database,
never in anything the candidate's token can read."""

from __future__ import annotations

from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from interview.api.app import create_app
from interview.config import Settings
from interview.storage.db import Database
from interview.storage.tables import IntegrityFlag
from tests.api.conftest import Api, seed_org
from tests.api.test_flow import FULL_STAR, STRONG, _start, _wait_job

# The subject is the models' and the API's work, not the database: PostgreSQL only
# (tests/web runs the whole product on SQLite; tests/storage both databases).
pytestmark = pytest.mark.one_database

OWN = (
    "At the bakery where I worked for two years a wedding cake order was entered for the wrong "
    "Saturday, and the couple phoned on Thursday to check. I told them the truth at once, asked "
    "the head baker whether we could switch our Friday batch, and stayed late with him to bake "
    "and ice the three tiers. I drove it to the venue myself on Saturday morning, and the bride's "
    "mother sent us a card afterwards."
)


def _interview(api: Api, hr: dict[str, str], role: dict, name: str, answer: str) -> tuple[str, str]:  # type: ignore[type-arg]
    inv = api.client.post(
        f"/api/v1/roles/{role['id']}/invitations", json={"candidate_name": name}, headers=hr
    ).json()
    token = inv["token"]
    api.client.post(
        f"/api/v1/interview/{token}/consent", json={"recording": True, "ai_assessment": True}
    )
    ack = api.client.post(
        f"/api/v1/interview/{token}/answers",
        json={"question_id": role["questions"][0]["id"], "text": answer},
    )
    assert ack.status_code == 201, ack.text
    job = api.client.post(f"/api/v1/interview/{token}/complete").json()["job_id"]
    assert _wait_job(api, hr, job, timeout=300)["status"] == "done"
    return inv["session_id"], token


@pytest.mark.text_checks
def test_a_leaked_answer_is_flagged_beside_the_scores_and_never_shown_to_the_candidate(
    api: Api,
) -> None:
    hr = api.login()
    role, _, _ = _start(api, hr, "Retail sales associate", max_questions=1, choice_items=0)
    first, _ = _interview(api, hr, role, "Ana", OWN)
    second, token = _interview(api, hr, role, "Ben", "Well. " + OWN + " I would do it again.")
    own = api.client.get(f"/api/v1/sessions/{first}/report", headers=hr).json()
    copied = api.client.get(f"/api/v1/sessions/{second}/report", headers=hr).json()

    summary = own["integrity_summary"]
    assert own["integrity"] == summary["level"] == "low"
    assert {"duplicates", "machine_text"} <= set(summary["checks"])
    assert copied["integrity"] == "medium"
    [flag] = [f for f in copied["integrity_flags"] if f["kind"] == "near_duplicate"]
    assert flag["evidence"]["other_session_id"] == first
    assert flag["question_id"] == role["questions"][0]["id"]
    assert any(r["kind"] == "integrity" and "near duplicate" in r["text"] for r in copied["risks"])
    # Beside, never inside: the same answer scores the same with or without the flag.
    assert copied["competencies"][0]["level"] == own["competencies"][0]["level"]

    with api.db.session() as s:
        rows = s.scalars(select(IntegrityFlag).where(IntegrityFlag.session_id == second)).all()
        assert [r.kind for r in rows] == ["near_duplicate"]
        assert rows[0].answer_id is not None and rows[0].evidence["note"]
    page = api.client.get(f"/api/v1/interview/{token}").json()
    assert "integrity" not in str(page) and "near_duplicate" not in str(page)


def test_reference_answers_are_generated_once_per_question(tmp_path: Path, backend) -> None:  # type: ignore[no-untyped-def]
    assert not Settings().integrity_reference_answers  # off unless switched on
    settings = Settings(
        data_dir=tmp_path / "var",
        job_poll_seconds=0.05,
        integrity_reference_answers=True,
        integrity_text_checks=False,  # tests/api/test_integrity's text_checks tests cover it
    )
    db = Database(settings.resolved_database_url)
    db.upgrade()
    seed_org(db, "Acme", "acme.test")
    with TestClient(create_app(settings, backend=backend)) as client:
        api = Api(client, settings, db)
        hr = api.login()
        role, _, _ = _start(api, hr, "Retail sales associate", max_questions=1, choice_items=0)
        first, _ = _interview(api, hr, role, "Ana", FULL_STAR)
        cached = list(settings.reference_cache_dir.glob("*.json"))
        assert len(cached) == 1 and cached[0].read_text(encoding="utf-8").strip('[]" \n')
        stamp = cached[0].stat().st_mtime_ns
        _interview(api, hr, role, "Ben", STRONG)
        assert [p.stat().st_mtime_ns for p in settings.reference_cache_dir.glob("*.json")] == [
            stamp
        ]
        report = client.get(f"/api/v1/sessions/{first}/report", headers=hr).json()
    assert "generator_match" in report["integrity_summary"]["checks"]
    db.dispose()


def test_browser_events_become_flags_on_the_servers_clock(api: Api) -> None:
    """The page's clock is an hour off; the paste and the long absence still land on the
    question, with spans measured from when the server showed it."""
    import time

    hr = api.login()
    role, token, inv = _start(api, hr, "Retail sales associate", max_questions=1, choice_items=0)
    qid = role["questions"][0]["id"]
    shown = api.client.post(f"/api/v1/interview/{token}/questions/{qid}/shown")
    assert shown.status_code in (200, 201), shown.text
    skew = 3600_000  # the candidate's clock runs an hour fast
    t = int(time.time() * 1000) + skew

    def ev(kind: str, after_s: float, **detail: int) -> dict:  # type: ignore[type-arg]
        return {
            "kind": kind,
            "question_id": qid,
            "client_time": t + int(after_s * 1000),
            "detail": detail,
        }

    batch = [
        ev("answer_start", 0),
        ev("focus_lost", 0.5),
        ev("focus_back", 40.5),
        ev("paste", 41, chars=400),
    ]
    r = api.client.post(f"/api/v1/interview/{token}/events", json={"events": batch})
    assert r.status_code == 201, r.text
    api.client.post(f"/api/v1/interview/{token}/answers", json={"question_id": qid, "text": STRONG})
    job = api.client.post(f"/api/v1/interview/{token}/complete").json()["job_id"]
    assert _wait_job(api, hr, job, timeout=300)["status"] == "done"
    report = api.client.get(f"/api/v1/sessions/{inv['session_id']}/report", headers=hr).json()
    flags = {f["kind"]: f for f in report["integrity_flags"]}
    assert {"tab_switch", "paste"} <= set(flags), flags
    away = flags["tab_switch"]
    assert away["question_id"] == qid and away["evidence"]["longest_s"] == 40.0
    assert 0 <= away["start_s"] < 5  # seconds after the question appeared, not an hour
    assert flags["paste"]["evidence"]["chars"] == 400
    assert away["severity"] == "low" and report["integrity"] == "medium"  # one medium flag
    assert "browser" in report["integrity_summary"]["checks"]
