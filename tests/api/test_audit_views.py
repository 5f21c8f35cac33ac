"""Who looked: report views, JSON and PDF downloads, media playback and CSV exports each leave
an audit event (who, what, when, from where), for read-only roles too, and show in the
interview's audit trail."""

from __future__ import annotations

import io
import wave
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
import pytest
from sqlalchemy import select

from interview.storage.tables import AuditEvent, User
from tests.api.conftest import Api
from tests.api.test_dashboard import seed_report

V1 = "/api/v1"
CLIENT = "testclient"  # the peer address Starlette's TestClient reports


@pytest.fixture(scope="module")
def tone() -> bytes:
    """Half a second of 440 Hz at 16 kHz, 16-bit mono: a recorded answer with no models."""
    t = np.arange(8000) / 16000
    samples = (0.3 * 32767 * np.sin(2 * np.pi * 440 * t)).astype("<i2")
    out = io.BytesIO()
    with wave.open(out, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(16000)
        w.writeframes(samples.tobytes())
    return out.getvalue()


def _role(api: Api, hr: dict[str, str]) -> dict[str, Any]:
    r = api.client.post(
        f"{V1}/roles",
        json={"title": "Customer service agent", "max_questions": 1, "choice_items": 0},
        headers=hr,
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def _invite(api: Api, hr: dict[str, str], role: dict[str, Any], name: str) -> dict[str, Any]:
    """An invitation whose candidate consented to recording and AI assessment."""
    r = api.client.post(
        f"{V1}/roles/{role['id']}/invitations", json={"candidate_name": name}, headers=hr
    )
    assert r.status_code == 201, r.text
    inv = dict(r.json())
    consent = {"recording": True, "ai_assessment": True}
    given = api.client.post(f"{V1}/interview/{inv['token']}/consent", json=consent)
    assert given.status_code == 201, given.text
    return inv


def _user_id(api: Api, email: str) -> str:
    with api.db.session() as s:
        return str(s.scalars(select(User.id).where(User.email == email)).one())


def _events(api: Api, action: str) -> list[AuditEvent]:
    with api.db.session() as s:
        rows = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == action)
            .order_by(AuditEvent.created_at, AuditEvent.id)
        ).all()
        s.expunge_all()
        return list(rows)


def test_report_views_and_downloads_are_audited_for_every_role(api: Api) -> None:
    admin = api.login()
    role = _role(api, admin)
    sid = _invite(api, admin, role, "Ana Viewed")["session_id"]
    seed_report(api, sid, 81.0, "advance", "low")
    before = datetime.now(UTC) - timedelta(seconds=1)
    for email in ("reviewer@acme.test", "hiring_manager@acme.test", "admin@acme.test"):
        hr = api.login(email)
        assert api.client.get(f"{V1}/sessions/{sid}/report", headers=hr).status_code == 200
        assert api.client.get(f"{V1}/sessions/{sid}/report.json", headers=hr).status_code == 200
        pdf = api.client.get(f"{V1}/sessions/{sid}/report.pdf?lang=zh", headers=hr)
        assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    # Another organization's attempt is refused and records nothing here.
    other = api.client.get(f"{V1}/sessions/{sid}/report", headers=api.login("admin@other.test"))
    assert other.status_code == 404

    views, downloads = _events(api, "report.view"), _events(api, "report.download")
    actors = [
        f"user:{_user_id(api, f'{r}@acme.test')}" for r in ("reviewer", "hiring_manager", "admin")
    ]
    assert [e.actor for e in views] == actors
    assert [(e.actor, e.detail["format"]) for e in downloads] == [
        (a, f) for a in actors for f in ("json", "pdf")
    ]
    for e in views + downloads:
        assert e.subject == f"session:{sid}" and e.created_at >= before
        assert e.detail["ip"] == CLIENT
    assert downloads[1].detail["lang"] == "zh"

    # The trail HR reads (the report's and the audit route's) shows who looked, and from where.
    hr = api.login("reviewer@acme.test")
    trail = api.client.get(f"{V1}/sessions/{sid}/audit", headers=hr).json()
    looked = [e for e in trail if e["action"] in ("report.view", "report.download")]
    assert len(looked) == 3 + 6  # three views, six downloads
    assert looked[0]["actor"] == "Reviewer" and looked[0]["detail"]["ip"] == CLIENT
    shown = api.client.get(f"{V1}/sessions/{sid}/report", headers=hr).json()["trail"]
    assert shown[-1]["action"] == "report.view" and shown[-1]["actor"] == "Reviewer"


def test_media_playback_is_audited_once_per_playback_not_per_range(api: Api, tone: bytes) -> None:
    admin = api.login()
    role = _role(api, admin)
    inv = _invite(api, admin, role, "Bo Played")
    t, sid = inv["token"], inv["session_id"]
    ack = api.client.post(
        f"{V1}/interview/{t}/media",
        data={"question_id": role["questions"][0]["id"]},
        files={"file": ("a.wav", tone, "audio/wav")},
    )
    assert ack.status_code == 201, ack.text
    answer_id = ack.json()["answer_id"]
    seed_report(api, sid, 60.0, "review", "low")
    reviewer = api.login("reviewer@acme.test")
    [item] = [
        a
        for a in api.client.get(f"{V1}/sessions/{sid}/report", headers=reviewer).json()["answers"]
        if a.get("media_url")
    ]
    link = item["media_url"].removeprefix(V1)
    url = f"{V1}/sessions/{sid}/answers/{answer_id}/media"

    # A player opens the link (a range from byte 0), then seeks (ranges further on).
    first = api.client.get(V1 + link, headers={"Range": "bytes=0-"})
    assert first.status_code == 206 and first.content == tone
    for seek in ("bytes=100-199", f"bytes={len(tone) // 2}-", "bytes=-10"):
        assert api.client.get(V1 + link, headers={"Range": seek}).status_code == 206
    # A signed-in download of the whole file is a playback too; failures are not.
    assert api.client.get(url, headers=admin).content == tone
    assert api.client.get(url, headers={**admin, "Range": f"bytes={len(tone)}-"}).status_code == 416
    assert api.client.get(url, params={"access": "forged.token"}).status_code == 401

    plays = _events(api, "media.open")
    assert [(e.actor, e.detail["via"]) for e in plays] == [
        (f"user:{_user_id(api, 'reviewer@acme.test')}", "link"),
        (f"user:{_user_id(api, 'admin@acme.test')}", "token"),
    ]
    for e in plays:
        assert e.subject == f"session:{sid}" and e.detail["answer_id"] == answer_id
        assert e.detail["ip"] == CLIENT
    trail = api.client.get(f"{V1}/sessions/{sid}/audit", headers=reviewer).json()
    assert [e["action"] for e in trail].count("media.open") == 2


def test_csv_export_is_audited_once_with_its_count_and_against_each_candidate(
    api: Api,
) -> None:
    admin = api.login()
    role = _role(api, admin)
    sids = [_invite(api, admin, role, name)["session_id"] for name in ("Cy One", "Di Two")]
    elsewhere = api.login("admin@other.test")
    outsider = _invite(api, elsewhere, _role(api, elsewhere), "Ed Out")
    manager = api.login("hiring_manager@acme.test")
    out = api.client.get(
        f"{V1}/sessions.csv", params={"role_id": role["id"], "q": "Cy One Secret"}, headers=manager
    )
    assert out.status_code == 200
    out = api.client.get(f"{V1}/sessions.csv", params={"role_id": role["id"]}, headers=manager)
    assert out.status_code == 200 and out.text.count("\n") == 1 + 2

    exports = _events(api, "sessions.export")
    manager_id = _user_id(api, "hiring_manager@acme.test")
    assert [e.detail["rows"] for e in exports] == [0, 2]
    for e in exports:
        assert e.actor == f"user:{manager_id}" and e.detail["ip"] == CLIENT
        assert e.detail["filters"]["role_id"] == role["id"]
    # The search text can hold a candidate's name: the audit keeps that one searched, not what.
    assert "Secret" not in str(exports[0].detail) and exports[0].detail["filters"]["q"] is True
    rows = _events(api, "session.in_export")
    assert sorted(e.subject for e in rows) == sorted(f"session:{s}" for s in sids)
    assert {e.detail["export"] for e in rows} == {exports[1].id}
    assert f"session:{outsider['session_id']}" not in {e.subject for e in rows}
    trail = api.client.get(f"{V1}/sessions/{sids[0]}/audit", headers=manager).json()
    assert "session.in_export" in [e["action"] for e in trail]
