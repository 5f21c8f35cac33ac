"""Secrets and personal data never reach the logs, even at DEBUG.

A real server process (`interview serve`, INTERVIEW_LOG_LEVEL=DEBUG, uvicorn's access log
on) goes through a whole interview: HR signs in (and once with a wrong password), creates a
role and invites a named candidate, the candidate answers with a distinctive phrase and
finishes, the answer is scored, HR reads the report and follows a signed link. Then its log
is searched for the passwords, the sign-in token, the invite token, the link's token, the
answer and the candidate's name.
"""

from __future__ import annotations

import logging
import time
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
from sqlalchemy.exc import IntegrityError

from interview.accounts.users import create_organization, create_user
from interview.storage.db import Database
from interview.storage.tables import Answer
from tests.api.conftest import PASSWORD as HR_PASSWORD
from tests.api.conftest import Api
from tests.server import Server

PASSWORD = "Xyzzy-Pa55word-Plover"
WRONG = "Quux-Wr0ng-Frobozz"
NAME = "Philippa Quackenbush"
PHRASE = "the purple giraffe ledger"
ANSWER = (
    f"When our stock count was off, I rebuilt {PHRASE} from the delivery notes, found two "
    "pallets booked twice, fixed the entries and showed the team how to check them weekly."
)


def test_a_whole_interview_at_debug_logs_no_secret_and_no_personal_data(tmp_path: Path) -> None:
    server = Server(tmp_path / "var", INTERVIEW_LOG_LEVEL="DEBUG")
    db = Database(server.database_url)
    db.upgrade()
    with db.session() as s:
        org = create_organization(s, "Acme", datetime.now(UTC))
        create_user(s, org.id, "hr@acme.test", "HR", "admin", PASSWORD, datetime.now(UTC))
    db.dispose()
    server.start()
    secrets: dict[str, str] = {"password": PASSWORD, "wrong password": WRONG}
    try:
        with httpx.Client(base_url=server.base + "/api/v1", timeout=120) as c:
            bad = c.post("/auth/login", json={"email": "hr@acme.test", "password": WRONG})
            assert bad.status_code == 401
            r = c.post("/auth/login", json={"email": "hr@acme.test", "password": PASSWORD})
            assert r.status_code == 200, r.text
            secrets["sign-in token"] = r.json()["token"]
            hr = {"Authorization": f"Bearer {r.json()['token']}"}
            role = c.post("/roles", headers=hr, json={"title": "Stock clerk", "max_questions": 1})
            assert role.status_code == 201, role.text
            inv = c.post(
                f"/roles/{role.json()['id']}/invitations", headers=hr, json={"candidate_name": NAME}
            ).json()
            t = secrets["invite token"] = inv["token"]
            c.get(f"/interview/{t}")
            consent = {"recording": False, "ai_assessment": True}
            assert c.post(f"/interview/{t}/consent", json=consent).status_code == 201
            for q in role.json()["questions"]:
                body = {"question_id": q["id"]}
                body |= {"choice_id": q["choices"][0]["id"]} if q["choices"] else {"text": ANSWER}
                assert c.post(f"/interview/{t}/answers", json=body).status_code == 201
            job = c.post(f"/interview/{t}/complete").json()["job_id"]
            deadline = time.time() + 300
            while c.get(f"/jobs/{job}", headers=hr).json()["status"] in ("queued", "running"):
                assert time.time() < deadline, "scoring did not finish"
                time.sleep(0.5)
            sid = inv["session_id"]
            report = c.get(f"/sessions/{sid}/report", headers=hr)
            assert report.status_code == 200 and PHRASE in report.text  # the data is there...
            # A capability in a query string (as signed media links carry) is logged redacted.
            secrets["link token"] = "QUERYSECRET" + secrets["sign-in token"][-20:]
            c.get(f"/sessions/{sid}/answers/none/media?access={secrets['link token']}")
    finally:
        server.stop()
    log = server.log.read_text(encoding="utf-8", errors="replace")
    # ...and the log has every request (the access log is on), just without them.
    assert "POST /api/v1/auth/login" in log and "interview.worker" in log
    assert "/api/v1/interview/[redacted]/answers" in log and "access=[redacted]" in log
    leaked = {what: value for what, value in secrets.items() if value in log}
    leaked |= {what: value for what, value in (("answer", PHRASE), ("name", NAME)) if value in log}
    assert not leaked, f"in the server log: {sorted(leaked)}"


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"


def test_sql_logging_and_database_errors_never_carry_the_values(
    api: Api, caplog: pytest.LogCaptureFixture
) -> None:
    """An operator who turns SQL logging on (the "sqlalchemy" logger at DEBUG), and every
    database error that is logged, show statements without their parameters: those are
    candidates' names and answers, and password hashes."""
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="sqlalchemy")
    hr = api.login()
    role = api.client.post("/api/v1/roles", headers=hr, json={"title": "Clerk", "max_questions": 1})
    inv = api.client.post(
        f"/api/v1/roles/{role.json()['id']}/invitations", headers=hr, json={"candidate_name": NAME}
    ).json()
    t = inv["token"]
    consent = {"recording": False, "ai_assessment": True}
    assert api.client.post(f"/api/v1/interview/{t}/consent", json=consent).status_code == 201
    qid = next(q["id"] for q in role.json()["questions"] if not q["choices"])
    r = api.client.post(f"/api/v1/interview/{t}/answers", json={"question_id": qid, "text": ANSWER})
    assert r.status_code == 201
    # A database error on a statement that carries the answer.
    with pytest.raises(IntegrityError) as info, api.db.session() as s:
        s.add(Answer(session_id="no-such-session", question_id=qid, kind="text", text=ANSWER))
    logging.getLogger("test").error("database error", exc_info=info.value)
    server_side = [r for r in caplog.records if not r.name.startswith(("httpx", "httpcore"))]
    assert any(r.name.startswith("sqlalchemy.engine") for r in server_side)  # SQL was logged
    text = "\n".join(caplog.handler.format(r) for r in server_side)
    assert "INSERT INTO answer" in text
    for secret in (PHRASE, NAME, t, hr["Authorization"].split()[1], HR_PASSWORD):
        assert secret not in text
