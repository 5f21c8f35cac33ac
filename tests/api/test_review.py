"""Human review through the API: who may do what, overrides with reasons in the audit trail,
the final decision, the EU profile in the report, compare, and the JSON and PDF downloads."""

from __future__ import annotations

import io
import json

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from interview.storage.tables import AuditEvent, ReviewOverride
from tests.api.conftest import Api
from tests.api.test_flow import FULL_STAR, STRONG, _wait_job

# The subject is the models' and the API's work, not the database: PostgreSQL only
# (tests/web runs the whole product on SQLite; tests/storage both databases).
pytestmark = pytest.mark.one_database

V1 = "/api/v1"


def scored_session(api: Api, hr: dict[str, str], name: str, eu: bool = False) -> tuple[dict, dict]:  # type: ignore[type-arg]
    """A role (EU profile when asked) and one candidate's interview, answered and scored."""
    role = api.client.post(
        f"{V1}/roles",
        json={"title": "Retail sales associate", "max_questions": 2, "choice_items": 0},
        headers=hr,
    ).json()
    if eu:
        r = api.client.put(f"{V1}/roles/{role['id']}/scoring", json={"profile": "eu"}, headers=hr)
        assert r.status_code == 200, r.text
        scoring = r.json()["settings"]["scoring"]
        assert scoring["presence"] is False and scoring["presence_weight"] == 0
    inv = api.client.post(
        f"{V1}/roles/{role['id']}/invitations", json={"candidate_name": name}, headers=hr
    ).json()
    token = inv["token"]
    api.client.post(
        f"{V1}/interview/{token}/consent", json={"recording": True, "ai_assessment": True}
    )
    for q, text in zip(role["questions"], (STRONG, FULL_STAR), strict=True):
        ack = api.client.post(
            f"{V1}/interview/{token}/answers", json={"question_id": q["id"], "text": text}
        )
        assert ack.status_code == 201, ack.text
    job = api.client.post(f"{V1}/interview/{token}/complete").json()["job_id"]
    assert _wait_job(api, hr, job, timeout=300)["status"] == "done"
    return role, inv


def test_review_permissions_overrides_audit_and_decision(api: Api) -> None:
    admin = api.login()
    recruiter = api.login("recruiter@acme.test")
    reviewer = api.login("reviewer@acme.test")
    manager = api.login("hiring_manager@acme.test")
    other = api.login("admin@other.test")
    role, inv = scored_session(api, recruiter, "Ana Silva", eu=True)
    sid = inv["session_id"]
    report = api.client.get(f"{V1}/sessions/{sid}/report", headers=manager).json()
    comp = report["competencies"][0]
    cid, machine = comp["competency_id"], comp["level"]
    new = 5 if machine < 5 else 1

    # The EU profile: presence is not scored, and the report says so.
    assert report["compliance"]["profile"] == "eu" and not report["compliance"]["video_scored"]
    assert report["compliance"]["notes"] == ["eu_profile", "delivery_off"]  # both by default
    assert "presence" not in {c["modality"] for c in report["contributions"]}

    override = {"competency_id": cid, "level": new, "reason": "The answer names a result."}
    # A hiring manager reads but never changes; a reviewer needs the interview assigned.
    assert (
        api.client.post(
            f"{V1}/sessions/{sid}/overrides", json=override, headers=manager
        ).status_code
        == 403
    )
    assert (
        api.client.put(
            f"{V1}/sessions/{sid}/decision",
            json={"decision": "advance", "reason": "x" * 12},
            headers=manager,
        ).status_code
        == 403
    )
    denied = api.client.post(f"{V1}/sessions/{sid}/overrides", json=override, headers=reviewer)
    assert denied.status_code == 403 and "not assigned" in denied.json()["error"]["message"]
    assert api.client.get(f"{V1}/users", headers=reviewer).status_code == 403

    # A recruiter picks the reviewer from the user list and assigns the interview.
    reviewers = api.client.get(f"{V1}/users", params={"role": "reviewer"}, headers=recruiter).json()
    [rita] = reviewers
    assert (
        api.client.put(
            f"{V1}/sessions/{sid}/reviewer", json={"reviewer_id": rita["id"]}, headers=manager
        ).status_code
        == 403
    )
    r = api.client.put(
        f"{V1}/sessions/{sid}/reviewer", json={"reviewer_id": rita["id"]}, headers=recruiter
    )
    assert r.status_code == 200 and r.json()["reviewer_id"] == rita["id"]

    # The reason is required, and must say something.
    for reason, why in (("", "reason"), ("ok fine", "at least 10")):
        bad = api.client.post(
            f"{V1}/sessions/{sid}/overrides", json={**override, "reason": reason}, headers=reviewer
        )
        assert bad.status_code == 422 and why in bad.json()["error"]["message"], bad.text
    same = api.client.post(
        f"{V1}/sessions/{sid}/overrides", json={**override, "level": machine}, headers=reviewer
    )
    assert same.status_code == 409
    ok = api.client.post(f"{V1}/sessions/{sid}/overrides", json=override, headers=reviewer)
    assert ok.status_code == 201, ok.text
    assert (ok.json()["old_level"], ok.json()["new_level"]) == (machine, new)

    after = api.client.get(f"{V1}/sessions/{sid}/report", headers=manager).json()
    assert after["competencies"][0]["level"] == machine  # the machine's value stays
    [changed] = [c for c in after["review"]["reviewed"]["competencies"] if c["overridden"]]
    assert (changed["competency_id"], changed["original_level"], changed["level"]) == (
        cid,
        machine,
        new,
    )
    assert after["review"]["reviewer"] == rita["name"]
    assert after["review"]["overrides"][0]["reason"] == "The answer names a result."
    moved = after["review"]["reviewed"]["overall"] - after["overall"]
    assert moved > 0 if new > machine else moved < 0

    decided = api.client.put(
        f"{V1}/sessions/{sid}/decision",
        json={"decision": "advance", "reason": "Clear, specific examples in both answers."},
        headers=reviewer,
    )
    assert decided.status_code == 200 and decided.json()["status"] == "reviewed"
    row = api.client.get(f"{V1}/sessions", params={"status": "reviewed"}, headers=admin).json()
    assert [(x["id"], x["decision"], x["overridden"]) for x in row] == [(sid, "advance", True)]
    # One number everywhere: the list and the CSV lead with the report's number after review,
    # rounded as the pages show it (one decimal), and keep the AI's beside it.
    reviewed = after["review"]["reviewed"]
    assert (row[0]["reviewed_overall"], row[0]["reviewed_band"]) == (
        reviewed["overall"],
        reviewed["band"],
    )
    assert row[0]["overall"] == after["overall"]
    csv = api.client.get(f"{V1}/sessions.csv", headers=admin).text
    assert f'"{after["overall"]:.1f}"' in csv and f'"{reviewed["overall"]:.1f}"' in csv, csv
    assert '"overall_after_review"' in csv

    trail = api.client.get(f"{V1}/sessions/{sid}/audit", headers=manager).json()
    actions = [t["action"] for t in trail]
    assert (
        actions.index("review.assign")
        < actions.index("review.override")
        < actions.index("review.decision")
    )
    [change] = [t for t in trail if t["action"] == "review.override"]
    assert change["actor"] == rita["name"]
    assert change["detail"] == {
        "competency": cid,
        "machine_level": machine,
        "old_level": machine,
        "new_level": new,
        "reason": "The answer names a result.",
    }
    with api.db.session() as s:
        assert len(s.scalars(select(ReviewOverride)).all()) == 1
        assert s.scalar(select(AuditEvent).where(AuditEvent.action == "review.override"))

    # Another organization sees nothing of it.
    for method, path in (
        ("get", f"{V1}/sessions/{sid}/report"),
        ("get", f"{V1}/sessions/{sid}/report.pdf"),
        ("get", f"{V1}/sessions/{sid}/audit"),
        ("post", f"{V1}/sessions/{sid}/overrides"),
        ("get", f"{V1}/roles/{role['id']}/compare"),
    ):
        kw = {"json": override} if method == "post" else {}
        assert getattr(api.client, method)(path, headers=other, **kw).status_code == 404, path

    # Compare shows the level after review and marks it.
    cmp = api.client.get(f"{V1}/roles/{role['id']}/compare", headers=manager).json()
    [line] = cmp["rows"]
    assert line["levels"][cid] == new and line["overridden"] == [cid]
    assert line["reviewed_overall"] == after["review"]["reviewed"]["overall"]
    assert {c[0] for c in cmp["competencies"]} >= {
        c["competency_id"] for c in report["competencies"]
    }

    # Downloads: JSON (without signed media links) and PDF with the name, scores and evidence.
    js = api.client.get(f"{V1}/sessions/{sid}/report.json", headers=manager)
    assert "attachment" in js.headers["content-disposition"]
    assert json.loads(js.content)["review"]["decision"]["decision"] == "advance"
    pdf = api.client.get(f"{V1}/sessions/{sid}/report.pdf", headers=manager)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = " ".join(
        " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages).split()
    )
    assert "Ana Silva" in text and f"{report['overall']:.1f}" in text
    assert comp["name"] in text and "EU profile" in text
    quote = " ".join(comp["evidence"][0]["quote"].split()[:3])
    assert quote in text


def test_admin_pages_are_for_admins(api: Api) -> None:
    admin = api.login()
    for who in ("reviewer", "hiring_manager", "recruiter"):
        h = api.login(f"{who}@acme.test")
        r = api.client.post(
            f"{V1}/users",
            json={
                "email": f"new-{who}@acme.test",
                "name": "N",
                "role": "reviewer",
                "password": "reviewer two passphrase",
            },
            headers=h,
        )
        assert r.status_code == 403, who
        assert (
            api.client.put(
                f"{V1}/organization/persona", json={"name": "Alex"}, headers=h
            ).status_code
            == 403
        )
    for who in ("reviewer", "hiring_manager"):
        h = api.login(f"{who}@acme.test")
        assert api.client.post(f"{V1}/roles", json={"title": "Nurse"}, headers=h).status_code == 403
    made = api.client.post(
        f"{V1}/users",
        json={
            "email": "rev2@acme.test",
            "name": "Rev Two",
            "role": "reviewer",
            "password": "reviewer two passphrase",
        },
        headers=admin,
    )
    assert made.status_code == 201, made.text
    off = api.client.patch(f"{V1}/users/{made.json()['id']}", json={"active": False}, headers=admin)
    assert off.status_code == 200 and off.json()["active"] is False
    gone = api.client.post(
        f"{V1}/auth/login", json={"email": "rev2@acme.test", "password": "reviewer two passphrase"}
    )
    assert gone.status_code == 401
    me = api.client.get(f"{V1}/auth/me", headers=admin).json()
    assert (
        api.client.patch(
            f"{V1}/users/{me['id']}", json={"active": False}, headers=admin
        ).status_code
        == 409
    )
    theirs = api.login("admin@other.test")
    assert (
        api.client.patch(
            f"{V1}/users/{made.json()['id']}", json={"name": "X"}, headers=theirs
        ).status_code
        == 404
    )
