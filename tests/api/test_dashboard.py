"""The progress list (filters, sort, search, pages), its CSV export, the fairness report on
seeded numbers, recorded media with Range, CSV invitations with e-mail through a local SMTP
sink, personas, self-reports and renewed links."""

from __future__ import annotations

import base64
import contextlib
import csv
import io
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from interview.api.app import create_app
from interview.config import Settings
from interview.storage.db import Database
from interview.storage.tables import AuditEvent, InterviewSession, Report, Review, SelfReport
from tests.api.conftest import Api, seed_org
from tests.conftest import SHARED
from tests.report.test_review import _report

V1 = "/api/v1"
JFK = SHARED / "data" / "audio" / "jfk.flac"
PNG_1PX = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8/5+hHgAHggJ/PchI7wAAAABJRU5ErkJggg=="
)


def _role(api: Api, hr: dict[str, str], title: str) -> dict:  # type: ignore[type-arg]
    r = api.client.post(f"{V1}/roles", json={"title": title, "max_questions": 1}, headers=hr)
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def _invite(api: Api, hr: dict[str, str], role: dict, name: str, **kw: object) -> dict:  # type: ignore[type-arg]
    r = api.client.post(
        f"{V1}/roles/{role['id']}/invitations", json={"candidate_name": name, **kw}, headers=hr
    )
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


def seed_report(
    api: Api,
    session_id: str,
    overall: float,
    band: str,
    integrity: str,
    decision: str | None = None,
) -> None:
    """A scored interview without running the models (the list reads only these fields)."""
    body = _report().model_dump(mode="json")
    body.update(session_id=session_id, overall=overall, band=band, integrity=integrity)
    now = datetime.now(UTC)
    with api.db.session() as s:
        s.add(Report(session_id=session_id, overall=overall, body=body, created_at=now))
        sess = s.get(InterviewSession, session_id)
        assert sess is not None
        sess.status = "reviewed" if decision else "scored"
        if decision:
            s.add(Review(session_id=session_id, decision=decision, decided_at=now, created_at=now))


def test_progress_list_filters_sorts_pages_and_exports_safe_csv(api: Api) -> None:
    hr = api.login()
    shop, depot = _role(api, hr, "Retail sales associate"), _role(api, hr, "Warehouse picker")
    people = [
        ("Ana Silva", 81.0, "advance", "low"),
        ("Bo Chen", 55.5, "review", "high"),
        ('=HYPERLINK("http://evil","x")', 40.0, "not_now", "medium"),
        ("@SUM(A1)", None, None, None),
        ("Carla Diaz", 72.0, "advance", "medium"),
    ]
    ids = {}
    for i, (name, overall, band, integrity) in enumerate(people):
        inv = _invite(api, hr, shop, name, email=f"c{i}@x.io")
        ids[name] = inv["session_id"]
        if overall is not None:
            seed_report(api, inv["session_id"], overall, band, integrity)  # type: ignore[arg-type]
    _invite(api, hr, depot, "Dan Depot")

    def get(**params: object) -> tuple[list[dict], int]:  # type: ignore[type-arg]
        r = api.client.get(f"{V1}/sessions", params=params, headers=hr)
        assert r.status_code == 200, r.text
        return r.json(), int(r.headers["x-total-count"])

    rows, total = get(role_id=shop["id"])
    assert total == 5 and {r["role_id"] for r in rows} == {shop["id"]}
    assert get()[1] == 6
    assert [r["candidate_name"] for r in get(band="advance", sort="-overall")[0]] == [
        "Ana Silva",
        "Carla Diaz",
    ]
    assert [r["candidate_name"] for r in get(integrity="medium", sort="overall")[0]][0].startswith(
        "="
    )
    assert get(status="invited")[1] == 2  # @SUM and Dan: not scored yet
    assert [r["candidate_name"] for r in get(q="CHEN")[0]] == ["Bo Chen"]
    assert get(q="%")[1] == 0  # wildcards are searched for literally
    by_overall = [r["overall"] for r in get(role_id=shop["id"], sort="-overall")[0]]
    assert by_overall == [81.0, 72.0, 55.5, 40.0, None]  # unscored last
    assert [r["integrity"] for r in get(role_id=shop["id"], sort="-integrity")[0]][:2] == [
        "high",
        "medium",
    ]
    page, total = get(role_id=shop["id"], sort="-overall", limit=2, offset=2)
    assert total == 5 and [r["overall"] for r in page] == [55.5, 40.0]
    bad = api.client.get(f"{V1}/sessions", params={"band": "great"}, headers=hr)
    assert bad.status_code == 422 and "great" in bad.json()["error"]["message"]
    assert api.client.get(f"{V1}/sessions", headers=api.login("admin@other.test")).json() == []

    out = api.client.get(f"{V1}/sessions.csv", params={"role_id": shop["id"]}, headers=hr)
    assert out.status_code == 200 and out.headers["content-type"].startswith("text/csv")
    assert "attachment" in out.headers["content-disposition"]
    table = list(csv.reader(io.StringIO(out.content.decode("utf-8-sig"))))
    assert table[0][:3] == ["candidate", "email", "role"] and len(table) == 1 + 5
    names = {row[0] for row in table[1:]}
    assert '\'=HYPERLINK("http://evil","x")' in names and "'@SUM(A1)" in names
    assert not any(cell.startswith(("=", "+", "-", "@")) for row in table for cell in row)
    only = api.client.get(f"{V1}/sessions.csv", params={"band": "advance"}, headers=hr)
    assert len(list(csv.reader(io.StringIO(only.content.decode("utf-8-sig"))))) == 1 + 2


def test_fairness_four_fifths_on_seeded_groups(api: Api) -> None:
    hr = api.login()
    role = _role(api, hr, "Retail sales associate")
    early = _invite(api, hr, role, "Early")
    refused = api.client.post(f"{V1}/interview/{early['token']}/self-report", json={"group": "A"})
    assert refused.status_code == 409  # no groups offered yet: the question is not asked
    offered = api.client.put(
        f"{V1}/organization/self-report-groups", json={"groups": ["A", " B ", "C"]}, headers=hr
    )
    assert offered.status_code == 200 and offered.json()["self_report_groups"] == ["A", "B", "C"]
    assert (
        api.client.put(
            f"{V1}/organization/self-report-groups",
            json={"groups": ["A"]},
            headers=api.login("recruiter@acme.test"),
        ).status_code
        == 403
    )
    options = api.client.get(f"{V1}/interview/{early['token']}/self-report").json()
    assert options == {"groups": ["A", "B", "C"], "chosen": None}
    odd = api.client.post(f"{V1}/interview/{early['token']}/self-report", json={"group": "Z"})
    assert odd.status_code == 422 and "'Z'" in odd.json()["error"]["message"]
    plan = [("A", 10, 6), ("B", 10, 3), ("C", 3, 3), (None, 2, 1)]  # group, candidates, advanced
    for group, n, advanced in plan:
        for i in range(n):
            inv = _invite(api, hr, role, f"{group}{i}")
            if group is not None:
                r = api.client.post(
                    f"{V1}/interview/{inv['token']}/self-report", json={"group": f" {group} "}
                )
                assert r.status_code == 201 and r.json()["stored"] is True
            chosen = i < advanced
            decision = ("advance" if chosen else "reject") if i < 4 else None
            band = "advance" if chosen else "not_now"
            seed_report(api, inv["session_id"], 80 if chosen else 30, band, "low", decision)
    r = api.client.get(
        f"{V1}/roles/{role['id']}/fairness", headers=api.login("hiring_manager@acme.test")
    )
    assert r.status_code == 200, r.text
    out = r.json()
    by = {g["group"]: g for g in out["groups"]}
    assert out["reference_group"] == "A" and out["warning"] is True
    assert (by["A"]["rate"], by["B"]["rate"], by["B"]["impact_ratio"]) == (0.6, 0.3, 0.5)
    assert by["B"]["below_four_fifths"] and not by["A"]["below_four_fifths"]
    assert by["C"]["suppressed"] and by["C"]["rate"] is None and by["C"]["candidates"] is None
    assert out["not_reported"] == 2 and out["min_group"] == 5  # "Early" has no report yet
    # On final decisions only the decided interviews count (4 per group here: too few).
    dec = api.client.get(
        f"{V1}/roles/{role['id']}/fairness", params={"basis": "decision"}, headers=hr
    ).json()
    assert all(g["suppressed"] for g in dec["groups"]) and not dec["warning"]
    # Withdrawing a self-report removes it.
    inv = _invite(api, hr, role, "Withdrawn")
    api.client.post(f"{V1}/interview/{inv['token']}/self-report", json={"group": "A"})
    chosen = api.client.get(f"{V1}/interview/{inv['token']}/self-report").json()["chosen"]
    assert chosen == "A"
    gone = api.client.post(f"{V1}/interview/{inv['token']}/self-report", json={"group": None})
    assert gone.json()["stored"] is False
    with api.db.session() as s:
        rows = s.scalars(select(SelfReport).where(SelfReport.session_id == inv["session_id"]))
        assert list(rows) == []
    assert (
        api.client.get(
            f"{V1}/roles/{role['id']}/fairness", headers=api.login("admin@other.test")
        ).status_code
        == 404
    )


def test_scoring_never_reads_the_self_report() -> None:
    root = Path(__file__).resolve().parents[2] / "interview"
    scoring = [*root.glob("scoring/*.py"), *root.glob("integrity/*.py"), root / "pipeline.py",
               root / "report" / "build.py", *root.glob("perception/*.py")]  # fmt: skip
    readers = [
        p.name for p in scoring if "SelfReport" in p.read_text() or "self_report" in p.read_text()
    ]
    assert readers == []


@pytest.fixture(scope="module")
def wav(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    out = tmp_path_factory.mktemp("wav") / "jfk.wav"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(JFK), "-ac", "1", "-ar", "16000",
         "-sample_fmt", "s16", str(out)],
        check=True,
    )  # fmt: skip
    return out.read_bytes()


def test_recorded_media_streams_with_range_to_the_same_organization_only(
    api: Api, wav: bytes
) -> None:
    hr = api.login()
    role = _role(api, hr, "Customer service agent")
    inv = _invite(api, hr, role, "Jo")
    t = inv["token"]
    api.client.post(f"{V1}/interview/{t}/consent", json={"recording": True, "ai_assessment": True})
    ack = api.client.post(
        f"{V1}/interview/{t}/media",
        data={"question_id": role["questions"][0]["id"]},
        files={"file": ("a.wav", wav, "application/octet-stream")},
    )
    assert ack.status_code == 201, ack.text
    url = f"{V1}/sessions/{inv['session_id']}/answers/{ack.json()['answer_id']}/media"
    whole = api.client.get(url, headers=hr)
    assert whole.status_code == 200 and whole.content == wav
    assert (
        whole.headers["accept-ranges"] == "bytes" and whole.headers["content-type"] == "audio/wav"
    )
    part = api.client.get(url, headers={**hr, "Range": "bytes=100-199"})
    assert part.status_code == 206 and part.content == wav[100:200]
    assert part.headers["content-range"] == f"bytes 100-199/{len(wav)}"
    assert part.headers["content-length"] == "100"
    tail = api.client.get(url, headers={**hr, "Range": "bytes=-10"})
    assert tail.status_code == 206 and tail.content == wav[-10:]
    open_end = api.client.get(url, headers={**hr, "Range": f"bytes={len(wav) - 5}-"})
    assert open_end.content == wav[-5:]
    past = api.client.get(url, headers={**hr, "Range": f"bytes={len(wav)}-"})
    assert past.status_code == 416 and past.headers["content-range"] == f"bytes */{len(wav)}"
    assert api.client.get(url).status_code == 401
    assert api.client.get(url, params={"access": "forged.token"}).status_code == 401
    other = api.client.get(url, headers=api.login("admin@other.test"))
    assert other.status_code == 404
    wrong = api.client.get(
        url.replace(inv["session_id"], _invite(api, hr, role, "X")["session_id"]), headers=hr
    )
    assert wrong.status_code == 404


class SmtpSink:
    """A tiny SMTP server on a free loopback port that keeps every message it is given."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(5)
        self.port = int(self.sock.getsockname()[1])
        self.messages: list[tuple[str, list[str], EmailMessage]] = []
        self.thread = threading.Thread(target=self._serve, daemon=True)
        self.thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            with conn, conn.makefile("rb") as rf:
                self._session(conn, rf)

    def _session(self, conn: socket.socket, rf: io.BufferedReader) -> None:
        conn.sendall(b"220 sink ESMTP\r\n")
        sender, rcpts = "", []
        while line := rf.readline():
            cmd = line.decode().strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                conn.sendall(b"250-sink\r\n250 8BITMIME\r\n")
            elif verb == "MAIL":
                sender = cmd.split(":", 1)[1].strip(" <>")
                conn.sendall(b"250 ok\r\n")
            elif verb == "RCPT":
                rcpts.append(cmd.split(":", 1)[1].strip(" <>"))
                conn.sendall(b"250 ok\r\n")
            elif verb == "DATA":
                conn.sendall(b"354 go on\r\n")
                data = b""
                while (chunk := rf.readline()) not in (b".\r\n", b""):
                    data += chunk[1:] if chunk.startswith(b"..") else chunk
                msg = message_from_bytes(data, policy=policy.default)
                self.messages.append((sender, rcpts, msg))  # type: ignore[arg-type]
                sender, rcpts = "", []
                conn.sendall(b"250 queued\r\n")
            elif verb == "QUIT":
                conn.sendall(b"221 bye\r\n")
                return
            else:
                conn.sendall(b"250 ok\r\n")

    def close(self) -> None:
        with contextlib.suppress(OSError):
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the accept() (close alone does not)
        self.sock.close()
        self.thread.join(5)


@pytest.fixture
def mail_api(tmp_path: Path, backend) -> Iterator[tuple[Api, SmtpSink]]:  # type: ignore[no-untyped-def]
    sink = SmtpSink()
    settings = Settings(
        data_dir=tmp_path / "var",
        job_workers=0,
        smtp_host="127.0.0.1",
        smtp_port=sink.port,
        smtp_security="none",
        smtp_from="hr@acme.test",
        smtp_timeout_s=5,
    )
    db = Database(settings.resolved_database_url)
    db.upgrade()
    seed_org(db, "Acme", "acme.test")
    with TestClient(create_app(settings, backend=backend)) as client:
        yield Api(client, settings, db), sink
    sink.close()
    db.dispose()


def test_csv_invitations_emails_personas_and_renewed_links(mail_api: tuple[Api, SmtpSink]) -> None:
    api, sink = mail_api
    hr = api.login()
    role = _role(api, hr, "Retail sales associate")
    url = f"{V1}/roles/{role['id']}/invitations/csv"
    bad = api.client.post(
        url,
        content=b"name,email\nAna,not-mail\n,b@c.io\n",
        headers={**hr, "Content-Type": "text/csv"},
    )
    assert bad.status_code == 422
    assert "line 2" in bad.json()["error"]["message"] and "line 3" in bad.json()["error"]["message"]
    assert api.client.get(f"{V1}/sessions", headers=hr).json() == []  # all or nothing

    body = "姓名,邮箱,语言\n李雷,li@example.cn,中文\nAna Silva,ana@example.com,en\nNo Mail,,\n"
    r = api.client.post(
        url,
        params={"send_email": "true", "expires_days": 3},
        content=body.encode("gb18030"),
        headers={**hr, "Content-Type": "text/csv"},
    )
    assert r.status_code == 201, r.text
    made = r.json()
    assert [(m["candidate_name"], m["email_status"]) for m in made] == [
        ("李雷", "sent"),
        ("Ana Silva", "sent"),
        ("No Mail", None),
    ]
    soon = datetime.now(UTC) + timedelta(days=3)
    assert all(
        abs(datetime.fromisoformat(m["expires_at"]) - soon) < timedelta(minutes=5) for m in made
    )
    assert len(sink.messages) == 2
    (_, to_li, li), (_, to_ana, ana) = sink.messages
    assert to_li == ["li@example.cn"] and to_ana == ["ana@example.com"]
    assert li["Subject"] == "Acme · Retail sales associate 面试邀请"
    assert made[0]["link"] in li.get_content() and made[1]["link"] in ana.get_content()
    assert "hr@acme.test" in str(ana["From"])
    langs = {
        s["candidate_name"]: s["language"]
        for s in api.client.get(f"{V1}/sessions", headers=hr).json()
    }
    assert langs == {"李雷": "zh", "Ana Silva": "en", "No Mail": "en"}

    one = _invite(api, hr, role, "Solo", email="solo@example.com", send_email=True, expires_days=1)
    assert one["email_status"] == "sent" and len(sink.messages) == 3
    sink.close()  # the SMTP server goes away: the invitation is still made
    down = _invite(api, hr, role, "Down", email="down@example.com", send_email=True)
    assert down["email_status"].startswith("failed:") and down["token"]

    # The persona: the organization's, unless the role has its own.
    admin_persona = {
        "name": "Alex Chen",
        "greeting": {"en": "Hi, I'm Alex.", "zh": "你好，我是 Alex。"},
    }
    assert (
        api.client.put(f"{V1}/organization/persona", json=admin_persona, headers=hr).status_code
        == 200
    )
    seen = api.client.get(f"{V1}/interview/{made[0]['token']}/persona").json()
    assert seen == {
        "name": "Alex Chen",
        "initials": "AC",
        "avatar": None,
        "greeting": "你好，我是 Alex。",
    }
    pixel = "data:image/png;base64," + base64.b64encode(PNG_1PX).decode()
    r = api.client.put(
        f"{V1}/roles/{role['id']}/persona",
        json={"name": "Mia", "initials": "M", "avatar": pixel, "greeting": {"en": "Welcome!"}},
        headers=hr,
    )
    assert r.status_code == 200, r.text
    seen = api.client.get(f"{V1}/interview/{made[1]['token']}/persona").json()
    assert (seen["name"], seen["initials"], seen["avatar"], seen["greeting"]) == (
        "Mia",
        "M",
        pixel,
        "Welcome!",
    )
    exe = api.client.put(
        f"{V1}/roles/{role['id']}/persona",
        json={"name": "Mia", "avatar": "data:application/x-msdownload;base64,TVo="},
        headers=hr,
    )
    assert exe.status_code == 422 and "PNG, JPEG or WebP" in exe.json()["error"]["message"]

    # A new link replaces the old one, for invitations not yet started.
    renewed = api.client.post(
        f"{V1}/sessions/{made[2]['session_id']}/invitation", json={"expires_days": 7}, headers=hr
    )
    assert renewed.status_code == 200, renewed.text
    assert api.client.get(f"{V1}/interview/{made[2]['token']}").status_code == 404
    assert api.client.get(f"{V1}/interview/{renewed.json()['token']}").status_code == 200
    org = api.client.get(f"{V1}/organization", headers=hr).json()
    assert org["mail_configured"] is True and org["persona"]["name"] == "Alex Chen"


def test_review_requests_show_in_the_list_and_report_until_a_person_answers(api: Api) -> None:
    hr = api.login()
    role = _role(api, hr, "Retail sales associate")
    asked, changed, decided, quiet = (
        _invite(api, hr, role, name) for name in ("Asker", "Changed", "Decided", "Quiet")
    )
    for inv in (asked, changed, decided, quiet):
        seed_report(api, inv["session_id"], 60.0, "review", "low")
    # A decision made before the request does not answer it.
    early = {"decision": "hold", "reason": "Waiting for the references."}
    r = api.client.put(f"{V1}/sessions/{decided['session_id']}/decision", json=early, headers=hr)
    assert r.status_code == 200, r.text
    for inv in (asked, changed, decided):
        r = api.client.post(
            f"{V1}/interview/{inv['token']}/review-request", json={"reason": "Bad connection."}
        )
        assert r.status_code == 201, r.text

    def listed(**params: object) -> dict[str, str | None]:
        r = api.client.get(f"{V1}/sessions", params=params, headers=hr)
        assert r.status_code == 200, r.text
        return {row["candidate_name"]: row["review_request"] for row in r.json()}

    everyone = {"Asker": "open", "Changed": "open", "Decided": "open", "Quiet": None}
    assert listed() == everyone
    assert listed(review_request="open") == {"Asker": "open", "Changed": "open", "Decided": "open"}
    assert listed(review_request="answered") == {}
    bad = api.client.get(f"{V1}/sessions", params={"review_request": "maybe"}, headers=hr)
    assert bad.status_code == 422 and "maybe" in bad.json()["error"]["message"]

    report = api.client.get(f"{V1}/sessions/{asked['session_id']}/report", headers=hr).json()
    assert report["review_request"]["reason"] == "Bad connection."
    assert report["review_request"]["status"] == "open"
    assert report["review_request"]["requested_at"]
    unasked = api.client.get(f"{V1}/sessions/{quiet['session_id']}/report", headers=hr).json()
    assert unasked["review_request"] is None

    # Who may answer: those who may decide (a reviewer once assigned); never a hiring manager.
    url = f"{V1}/sessions/{asked['session_id']}/review-request/answer"
    note = {"note": "Watched every recording; the levels stand."}
    for who, code in (("hiring_manager", 403), ("reviewer", 403)):
        r = api.client.post(url, json=note, headers=api.login(f"{who}@acme.test"))
        assert r.status_code == code, (who, r.text)
    assert api.client.post(url, json=note, headers=api.login("admin@other.test")).status_code == 404
    short = api.client.post(url, json={"note": "ok"}, headers=hr)
    assert short.status_code == 422 and "10" in short.json()["error"]["message"]
    none = f"{V1}/sessions/{quiet['session_id']}/review-request/answer"
    assert api.client.post(none, json=note, headers=hr).status_code == 404
    done = api.client.post(url, json=note, headers=hr)
    assert done.status_code == 200, done.text
    assert done.json()["status"] == "answered" and done.json()["answered_via"] == "note"
    again = api.client.post(url, json={"note": "A second, later note."}, headers=hr).json()
    assert again["answer"] == note["note"]  # answering twice changes nothing

    # A level change, or a decision, made after the request answers it.
    change = {"competency_id": "teamwork", "level": 2, "reason": "The example was a team of one."}
    r = api.client.post(f"{V1}/sessions/{changed['session_id']}/overrides", json=change, headers=hr)
    assert r.status_code == 201, r.text
    assert listed(review_request="open") == {"Decided": "open"}
    r = api.client.put(
        f"{V1}/sessions/{decided['session_id']}/decision",
        json={"decision": "advance", "reason": "References came back well."},
        headers=hr,
    )
    assert r.status_code == 200, r.text
    assert listed(review_request="open") == {}
    assert listed(review_request="any") == {"Asker": "answered", "Changed": "answered",
                                            "Decided": "answered"}  # fmt: skip
    shown = api.client.get(f"{V1}/sessions/{changed['session_id']}/report", headers=hr).json()
    assert shown["review_request"]["answered_via"] == "override"
    assert shown["review_request"]["answered_by"] == "Admin"
    requests = api.client.get(f"{V1}/review-requests", headers=hr).json()
    assert {q["status"] for q in requests} == {"answered"}
    with api.db.session() as s:
        events = s.scalars(
            select(AuditEvent).where(AuditEvent.action == "review.request_answered")
        ).all()
        assert sorted(e.detail["via"] for e in events) == ["decision", "note", "override"]
        assert [e.detail.get("reason") for e in events if e.detail["via"] == "note"] == [
            note["note"]
        ]
    table = list(csv.reader(io.StringIO(
        api.client.get(f"{V1}/sessions.csv", headers=hr).content.decode("utf-8-sig")
    )))  # fmt: skip
    column = table[0].index("review_request")
    assert sorted(row[column] for row in table[1:]) == ["", "answered", "answered", "answered"]


def test_progress_from_answers_perceived_to_report_ready_in_a_bounded_number_of_queries(
    api: Api,
) -> None:
    """Each interview's progress in the list, from real rows: invited; answering with k of n
    recordings perceived (a retake replaces its take; typed answers are not recordings);
    processing while perception jobs are live; scoring while the score job is queued or
    running (retrying after a failed attempt); failed when it gave up (a writer may queue it
    again); ready once the report exists. The page costs the same few queries however many
    interviews it holds; `ids` asks for just the rows still moving."""
    from sqlalchemy import event

    from interview.candidate.session import score_again
    from interview.errors import Conflict, InvalidInput
    from interview.hiring.dashboard import MAX_IDS, SessionQuery, list_sessions
    from interview.storage import jobs
    from interview.storage.tables import Answer, Job

    hr = api.login()
    role = _role(api, hr, "Retail sales associate")
    names = ["Invited", "Answering", "Processing", "Queued", "Running", "Retrying", "Failed",
             "Ready", "Person"]  # fmt: skip
    ids = {name: _invite(api, hr, role, name)["session_id"] for name in names}
    now = datetime.now(UTC)
    later = now + timedelta(hours=1)  # no worker claims these jobs while the test reads them
    perceived = {"transcript": {"text": "hello", "status": "ok"}}
    live = {"live": {"text": "hello", "status": "ok"}}

    def job(kind: str, key: str, status: str, attempts: int = 0) -> Job:
        return Job(kind=kind, key=key, payload={}, status=status, attempts=attempts,
                   run_after=later, lease_until=later if status == "running" else None,
                   created_at=now)  # fmt: skip

    with api.db.session() as s:
        for name, sid in ids.items():
            sess = s.get(InterviewSession, sid)
            assert sess is not None
            sess.status = {"Invited": "invited", "Answering": "started", "Ready": "scored",
                           "Person": "manual"}.get(name, "completed")  # fmt: skip

        def answer(sid: str, qid: str, transcript: object, attempt: int = 1, media: bool = True):  # type: ignore[no-untyped-def]
            row = Answer(session_id=sid, question_id=qid, attempt=attempt, kind="audio",
                         media=["ab" * 32] if media else [], transcript=transcript,
                         text=None if media else "typed", created_at=now)  # fmt: skip
            s.add(row)
            s.flush()
            return row

        a = ids["Answering"]
        answer(a, "q1", None)  # a take replaced by the retake below
        answer(a, "q1", perceived, attempt=2)
        answer(a, "q2", live)  # only the live transcript so far
        answer(a, "q3", perceived)
        answer(a, "q4", None, media=False)  # typed: not a recording
        p = ids["Processing"]
        answer(p, "q1", perceived)
        waiting = answer(p, "q2", live)
        s.add(job(jobs.PERCEIVE_JOB, f"perceive:{waiting.id}", "running"))
        s.add(job(jobs.SCORE_JOB, jobs.score_key(p), "queued"))
        q = ids["Queued"]
        done = answer(q, "q1", perceived)
        s.add(job(jobs.PERCEIVE_JOB, f"perceive:{done.id}", "done"))
        s.add(job(jobs.SCORE_JOB, jobs.score_key(q), "queued"))
        s.add(job(jobs.SCORE_JOB, jobs.score_key(ids["Running"]), "running", attempts=1))
        s.add(job(jobs.SCORE_JOB, jobs.score_key(ids["Retrying"]), "queued", attempts=1))
        s.add(job(jobs.SCORE_JOB, jobs.score_key(ids["Failed"]), "failed", attempts=3))
    seed_report(api, ids["Ready"], 70.0, "advance", "low")

    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    org_id = api.client.get(f"{V1}/auth/me", headers=hr).json()["organization_id"]
    event.listen(api.db.engine, "before_cursor_execute", count)
    try:
        with api.db.session() as s:
            rows, total = list_sessions(s, org_id, SessionQuery(), 50, 0, now)
        page_queries = len(statements)
        statements.clear()
        with api.db.session() as s:
            list_sessions(s, org_id, SessionQuery(), 2, 0, now)
        assert len(statements) == page_queries  # the same for 2 rows as for 9: no N+1
    finally:
        event.remove(api.db.engine, "before_cursor_execute", count)
    assert total == len(names) and page_queries <= 5, statements
    got = {r.candidate_name: r.progress for r in rows}
    shape = {name: (p.state, p.processed, p.recordings, p.retrying, p.final)
             for name, p in got.items()}  # fmt: skip
    assert shape == {
        "Invited": ("invited", 0, 0, False, True),
        "Answering": ("answering", 2, 3, False, False),
        "Processing": ("processing", 1, 2, False, False),
        "Queued": ("scoring", 1, 1, False, False),
        "Running": ("scoring", 0, 0, False, False),
        "Retrying": ("scoring", 0, 0, True, False),
        "Failed": ("failed", 0, 0, False, True),
        "Ready": ("ready", 0, 0, False, True),
        "Person": ("ready", 0, 0, False, True),
    }

    # Over HTTP, and only the rows asked for by id (the page refreshing its unfinished rows).
    moving = [ids["Answering"], ids["Running"]]
    r = api.client.get(f"{V1}/sessions", params={"ids": moving}, headers=hr)
    assert r.status_code == 200, r.text
    assert {x["id"]: x["progress"]["state"] for x in r.json()} == {
        ids["Answering"]: "answering",
        ids["Running"]: "scoring",
    }
    assert r.json()[0]["progress"]["final"] is False
    other = api.client.get(f"{V1}/sessions", params={"ids": moving},
                           headers=api.login("admin@other.test"))  # fmt: skip
    assert other.json() == []  # another organization's ids find nothing
    too_many = api.client.get(f"{V1}/sessions", params={"ids": ["x"] * (MAX_IDS + 1)}, headers=hr)
    assert too_many.status_code == 422 and str(MAX_IDS) in too_many.json()["error"]["message"]
    with pytest.raises(InvalidInput):
        SessionQuery(ids=("x",) * (MAX_IDS + 1)).checked()

    # Scoring that gave up can be queued again by a writer; not while it runs, nor once done.
    url = f"{V1}/sessions/{{}}/scoring"
    reviewer = api.login("reviewer@acme.test")
    assert api.client.post(url.format(ids["Failed"]), headers=reviewer).status_code == 403
    for name in ("Running", "Ready", "Invited"):
        r = api.client.post(url.format(ids[name]), headers=hr)
        assert r.status_code == 409, (name, r.text)

    class Undo(Exception):
        """Roll back: a queued job would be run by the test server's worker."""

    with pytest.raises(Undo), api.db.session() as s:
        sess = s.get(InterviewSession, ids["Failed"])
        assert sess is not None
        job_id = score_again(s, sess, "user:test", now)
        again = s.get(Job, job_id)
        assert again is not None and (again.status, again.attempts) == ("queued", 0)
        (row,) = list_sessions(s, org_id, SessionQuery(ids=(sess.id,)), 5, 0, now)[0]
        assert (row.progress.state, row.progress.final) == ("scoring", False)
        raise Undo
    with api.db.session() as s, pytest.raises(Conflict):
        sess = s.get(InterviewSession, ids["Running"])
        assert sess is not None
        score_again(s, sess, "user:test", now)
