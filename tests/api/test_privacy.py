"""Erasure, export and retention, checked by scanning what is left in storage."""

from __future__ import annotations

import io
import json
import subprocess
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from interview.privacy.erasure import erase_candidate
from interview.privacy.export import MANIFEST, export_candidate
from interview.privacy.retention import apply_retention, set_retention
from interview.storage.blobs import FileBlobStore
from interview.storage.tables import (
    Answer,
    AuditEvent,
    Base,
    Candidate,
    EnrollmentPhoto,
    InterviewSession,
    Recording,
    RecordingChunk,
)
from tests.api.conftest import Api

DATA = Path(__file__).resolve().parents[3] / "shared" / "data"
NAME = "Zelda Quillfeather-Erasable"  # unusual enough to find by scanning raw storage


@pytest.fixture(scope="module")
def recordings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("privacy")
    wav, other, photo = out / "a.wav", out / "b.wav", out / "me.jpg"
    subprocess.run(["espeak-ng", "-w", str(wav), "I handled the complaint calmly."], check=True)
    subprocess.run(["espeak-ng", "-w", str(other), "We shipped the order on time."], check=True)
    clip = DATA / "video" / "one_person_center.mp4"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", "1", "-i", str(clip), "-frames:v", "1", str(photo)],
        check=True,
    )
    return {"own": wav.read_bytes(), "shared": other.read_bytes(), "photo": photo.read_bytes()}


def _candidate(
    api: Api, hr: dict[str, str], role: dict, name: str, media: list[bytes], photo: bytes | None
) -> str:  # type: ignore[type-arg]
    inv = api.client.post(
        f"/api/v1/roles/{role['id']}/invitations", json={"candidate_name": name}, headers=hr
    ).json()
    t = inv["token"]
    consent = {"recording": True, "ai_assessment": True, "biometric": True}
    assert api.client.post(f"/api/v1/interview/{t}/consent", json=consent).status_code == 201
    if photo is not None:
        r = api.client.post(f"/api/v1/interview/{t}/enrollment", content=photo)
        assert r.status_code == 201, r.text
    for q, data in zip(role["questions"], media, strict=False):
        r = api.client.post(
            f"/api/v1/interview/{t}/media",
            data={"question_id": q["id"]},
            files={"file": ("a.wav", data, "audio/wav")},
        )
        assert r.status_code == 201, r.text
    return str(inv["session_id"])


def _scan(api: Api, needle: bytes) -> list[str]:
    """Files under the data dir (database, WAL, blobs) whose bytes contain `needle`."""
    hits = []
    for path in Path(api.settings.data_dir).rglob("*"):
        if path.is_file() and needle in path.read_bytes():
            hits.append(str(path))
    db_path = api.settings.resolved_database_url.removeprefix("sqlite:///")
    for path in (Path(db_path), Path(db_path + "-wal")):
        if (
            api.db.engine.dialect.name == "sqlite"
            and path.is_file()
            and needle in path.read_bytes()
        ):
            hits.append(str(path))
    return hits


def test_erasing_a_candidate_leaves_nothing_of_theirs_and_keeps_shared_blobs(
    api: Api, recordings: dict[str, bytes]
) -> None:
    hr = api.login()
    role = api.client.post(
        "/api/v1/roles",
        headers=hr,
        json={"title": "Customer service agent", "max_questions": 2, "choice_items": 0},
    ).json()
    gone = _candidate(
        api, hr, role, NAME, [recordings["own"], recordings["shared"]], recordings["photo"]
    )
    kept = _candidate(api, hr, role, "Kept Person", [recordings["shared"]], None)
    blobs = FileBlobStore(api.settings.blob_dir)
    with api.db.session() as s:
        sess = s.get(InterviewSession, gone)
        assert sess is not None
        cand_id, org_id = sess.candidate_id, sess.organization_id
        exported = export_candidate(s, blobs, org_id, cand_id)
        their_keys = {f["key"] for f in exported["files"]}
    assert exported["candidate"]["name"] == NAME
    assert {"answer", "consent_record", "enrollment", "interview_session"} <= set(
        exported["tables"]
    )
    assert len(their_keys) == 3  # two recordings and the photo
    assert _scan(api, NAME.encode()) or api.db.engine.dialect.name != "sqlite"

    with api.db.new_session() as s:
        result = erase_candidate(s, blobs, org_id, cand_id, "user:test", datetime.now(UTC))
    assert result.sessions == 1 and result.blobs == 2  # the shared recording stays for Kept

    with api.db.session() as s:
        assert s.get(Candidate, cand_id) is None
        for mapper in Base.registry.mappers:
            table = mapper.local_table
            if "session_id" in table.c:
                left = s.execute(select(table).where(table.c.session_id == gone)).all()
                assert not left, f"{table} still holds rows of the erased session"
        kept_media = [
            m for a in s.scalars(select(Answer).where(Answer.session_id == kept)) for m in a.media
        ]
        assert kept_media and all(blobs.exists(k) for k in kept_media)
        erased = s.scalars(select(AuditEvent).where(AuditEvent.action == "candidate.erase")).one()
        assert NAME not in str(erased.detail) and erased.detail["sessions"] == 1
    left = [k for k in their_keys if blobs.exists(k)]
    assert left == [k for k in kept_media if k in their_keys]
    assert _scan(api, NAME.encode()) == []  # not in the database file, its WAL or any blob


def test_retention_removes_old_recordings_and_transcripts_but_keeps_the_record(
    api: Api, recordings: dict[str, bytes]
) -> None:
    hr = api.login()
    role = api.client.post(
        "/api/v1/roles",
        headers=hr,
        json={"title": "Customer service agent", "max_questions": 1, "choice_items": 0},
    ).json()
    old = _candidate(api, hr, role, "Old Timer", [recordings["own"]], recordings["photo"])
    new = _candidate(api, hr, role, "New Comer", [recordings["shared"]], None)
    blobs = FileBlobStore(api.settings.blob_dir)
    now = datetime.now(UTC)
    with api.db.new_session() as s:
        for sid, age in ((old, 40), (new, 2)):
            sess = s.get(InterviewSession, sid)
            assert sess is not None
            sess.status, sess.completed_at = "completed", now - timedelta(days=age)
        org_id = sess.organization_id
        s.commit()
        old_keys = [
            m for a in s.scalars(select(Answer).where(Answer.session_id == old)) for m in a.media
        ]
        photo_key = s.scalars(
            select(EnrollmentPhoto.blob_key).where(EnrollmentPhoto.session_id == old)
        ).one()
        with pytest.raises(Exception, match="retention_days"):
            set_retention(s, org_id, 0, "user:test", now)
        set_retention(s, org_id, 30, "user:test", now)
        s.commit()
    with api.db.new_session() as s:
        run = apply_retention(s, blobs, now)
    assert run.answers == 1 and run.blobs == 2
    assert not any(blobs.exists(k) for k in [*old_keys, photo_key])
    with api.db.session() as s:
        [a] = s.scalars(select(Answer).where(Answer.session_id == old)).all()
        assert a.media == [] and a.transcript is None
        assert s.get(InterviewSession, old) is not None  # the record of the interview stays
        [b] = s.scalars(select(Answer).where(Answer.session_id == new)).all()
        assert b.media and blobs.exists(b.media[0])
    with api.db.new_session() as s:
        assert apply_retention(s, blobs, now).answers == 0  # idempotent


def test_privacy_routes_are_for_admins_of_the_same_organization(
    api: Api, recordings: dict[str, bytes]
) -> None:
    hr = api.login()
    role = api.client.post(
        "/api/v1/roles",
        headers=hr,
        json={"title": "Customer service agent", "max_questions": 1, "choice_items": 0},
    ).json()
    sid = _candidate(api, hr, role, NAME, [recordings["own"]], None)
    with api.db.session() as s:
        sess = s.get(InterviewSession, sid)
        assert sess is not None
        cand = sess.candidate_id
    recruiter, other = api.login("recruiter@acme.test"), api.login("admin@other.test")
    assert api.client.delete(f"/api/v1/candidates/{cand}", headers=recruiter).status_code == 403
    assert api.client.delete(f"/api/v1/candidates/{cand}", headers=other).status_code == 404
    assert api.client.get(f"/api/v1/candidates/{cand}/export", headers=other).status_code == 404
    assert api.client.delete(f"/api/v1/candidates/{cand}").status_code == 401
    bad = api.client.put("/api/v1/organization/retention", json={"retention_days": 0}, headers=hr)
    assert bad.status_code == 422 and "retention_days" in bad.text
    ok = api.client.put("/api/v1/organization/retention", json={"retention_days": 90}, headers=hr)
    assert ok.status_code == 200 and ok.json() == {"retention_days": 90}

    export = api.client.get(f"/api/v1/candidates/{cand}/export", headers=hr)
    assert export.status_code == 200 and export.headers["content-type"] == "application/zip"
    held = json.loads(zipfile.ZipFile(io.BytesIO(export.content)).read(MANIFEST))
    assert held["candidate"]["name"] == NAME and held["tables"]["answer"][0]["media"]
    done = api.client.delete(f"/api/v1/candidates/{cand}", headers=hr)
    assert done.status_code == 200 and done.json()["sessions"] == 1
    assert api.client.get(f"/api/v1/candidates/{cand}/export", headers=hr).status_code == 404
    assert api.client.get(f"/api/v1/sessions/{sid}/report", headers=hr).status_code == 404
    with api.db.session() as s:
        actions = set(s.scalars(select(AuditEvent.action)))
    assert {"candidate.export", "candidate.erase", "retention.set"} <= actions


def test_a_candidates_request_for_human_review_reaches_the_dashboard(api: Api) -> None:
    hr = api.login()
    role = api.client.post(
        "/api/v1/roles", headers=hr, json={"title": "Retail sales associate", "max_questions": 1}
    ).json()
    inv = api.client.post(
        f"/api/v1/roles/{role['id']}/invitations", json={"candidate_name": "Asker"}, headers=hr
    ).json()
    url = f"/api/v1/interview/{inv['token']}/review-request"
    too_long = api.client.post(url, json={"reason": "x" * 2001})
    assert too_long.status_code == 422
    sent = set()
    for _ in range(2):  # asking twice is harmless, and keeps the first request's date
        r = api.client.post(url, json={"reason": "  I had a bad connection.  "})
        assert r.status_code == 201 and r.json()["requested"] is True
        sent.add(r.json()["requested_at"])
    assert len(sent) == 1
    [req] = api.client.get(
        "/api/v1/review-requests", headers=api.login("reviewer@acme.test")
    ).json()
    assert req["session_id"] == inv["session_id"] and req["candidate_name"] == "Asker"
    assert req["reason"] == "I had a bad connection."
    assert (
        api.client.get("/api/v1/review-requests", headers=api.login("admin@other.test")).json()
        == []
    )
    assert (
        api.client.post("/api/v1/interview/not-a-token/review-request", json={}).status_code == 404
    )


def test_the_export_is_what_we_hold_complete_and_nothing_else(
    api: Api, recordings: dict[str, bytes]
) -> None:
    """Only blobs still stored are listed, each with its bytes in the archive (the recording
    too), and the audit events about the candidate come with it; another's do not."""
    hr = api.login()
    role = api.client.post(
        "/api/v1/roles",
        headers=hr,
        json={"title": "Customer service agent", "max_questions": 1, "choice_items": 0},
    ).json()
    sid = _candidate(api, hr, role, NAME, [recordings["own"]], recordings["photo"])
    other = _candidate(api, hr, role, "Kept Person", [recordings["shared"]], None)
    blobs = FileBlobStore(api.settings.blob_dir)
    open_chunk = blobs.put(b"a chunk of a take not finished yet")
    released = "ab" * 32  # a finished take's chunk: joined into the answer, its blob deleted
    assert not blobs.exists(released)
    with api.db.session() as s:
        sess = s.get(InterviewSession, sid)
        assert sess is not None
        cand = sess.candidate_id
        done = Recording(session_id=sid, question_id="q~f1", take=1, status="finished")
        still = Recording(session_id=sid, question_id="q~f1", take=2)
        s.add_all([done, still])
        s.flush()
        s.add(RecordingChunk(recording_id=done.id, seq=0, blob_key=released, size=12))
        s.add(RecordingChunk(recording_id=still.id, seq=0, blob_key=open_chunk, size=34))
        [answer] = s.scalars(select(Answer).where(Answer.session_id == sid)).all()
        [other_answer] = s.scalars(select(Answer).where(Answer.session_id == other)).all()
        answer_id, other_answer_id = answer.id, other_answer.id
    played = f"/api/v1/sessions/{sid}/answers/{answer_id}/media"
    assert api.client.get(played, headers=hr).content == recordings["own"]
    other_played = f"/api/v1/sessions/{other}/answers/{other_answer_id}/media"
    assert api.client.get(other_played, headers=hr).status_code == 200

    r = api.client.get(f"/api/v1/candidates/{cand}/export", headers=hr)
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert f"candidate-{cand}.zip" in r.headers["content-disposition"]
    archive = zipfile.ZipFile(io.BytesIO(r.content))
    held = json.loads(archive.read(MANIFEST))
    files = {f["key"]: f for f in held["files"]}
    with api.db.session() as s:
        photo = s.scalars(select(EnrollmentPhoto).where(EnrollmentPhoto.session_id == sid)).one()
    assert set(files) == {answer.media[0], photo.blob_key, open_chunk}  # not the released one
    assert released in {c["blob_key"] for c in held["tables"]["recording_chunk"]}  # the row is
    assert set(archive.namelist()) == {MANIFEST, *(f["file"] for f in held["files"])}
    recording = files[answer.media[0]]
    assert archive.read(recording["file"]) == recordings["own"]
    assert recording["size"] == len(recordings["own"]) and recording["media_type"] == "audio/wav"
    assert recording["rows"] == [f"answer:{answer_id}"] and recording["file"].endswith(".wav")
    assert archive.read(files[photo.blob_key]["file"]) == recordings["photo"]
    assert archive.read(files[open_chunk]["file"]) == b"a chunk of a take not finished yet"
    assert ":" not in files[open_chunk]["file"] and "~" not in files[open_chunk]["file"]

    actions = [(e["action"], e["subject"]) for e in held["audit"]]
    assert ("candidate.invite", f"session:{sid}") in actions
    assert ("consent.record", f"session:{sid}") in actions
    assert ("identity.enroll", f"session:{sid}") in actions
    assert ("media.open", f"session:{sid}") in actions
    assert not [e for e in held["audit"] if other in json.dumps(e)]  # nothing of Kept Person
    with api.db.session() as s:
        exported = s.scalars(select(AuditEvent).where(AuditEvent.action == "candidate.export"))
        [event] = exported.all()
    assert event.subject == f"candidate:{cand}" and event.detail["files"] == 3
    assert event.detail["ip"] == "testclient"
