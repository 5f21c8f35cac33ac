"""Recorded answers: checked by content, stored durably, perceived and scored with time spans."""

from __future__ import annotations

import subprocess

import pytest
from sqlalchemy import select

from interview.storage.tables import Answer
from tests.api.conftest import Api
from tests.api.test_flow import _wait_job
from tests.conftest import SHARED

# The subject is the models' and the API's work, not the database: PostgreSQL only
# (tests/web runs the whole product on SQLite; tests/storage both databases).
pytestmark = pytest.mark.one_database

JFK = SHARED / "data" / "audio" / "jfk.flac"
CLIP = SHARED / "data" / "video" / "one_person_center.mp4"


@pytest.fixture(scope="module")
def media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("media")
    wav, mp4 = out / "jfk.wav", out / "answer.mp4"
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(JFK),
            "-ac",
            "1",
            "-ar",
            "16000",
            "-sample_fmt",
            "s16",
            str(wav),
        ],
        check=True,
    )
    # The clip's picture with JFK's speech: a video answer with real speech and a real face.
    subprocess.run(
        [
            "ffmpeg",
            "-v",
            "error",
            "-y",
            "-i",
            str(CLIP),
            "-i",
            str(JFK),
            "-map",
            "0:v",
            "-map",
            "1:a",
            "-c:v",
            "copy",
            "-c:a",
            "aac",
            "-shortest",
            str(mp4),
        ],
        check=True,
    )
    still = out / "me.jpg"  # the candidate's enrollment photo: a frame of the same clip
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-ss", "1", "-i", str(CLIP), "-frames:v", "1", str(still)],
        check=True,
    )
    return {"wav": wav.read_bytes(), "mp4": mp4.read_bytes(), "photo": still.read_bytes()}


def test_recorded_answers_are_perceived_and_scored(api: Api, media: dict[str, bytes]) -> None:
    hr = api.login()
    role = api.client.post(
        "/api/v1/roles",
        headers=hr,
        json={"title": "Customer service agent", "max_questions": 2, "choice_items": 0},
    ).json()
    inv = api.client.post(
        f"/api/v1/roles/{role['id']}/invitations", json={"candidate_name": "Jo"}, headers=hr
    ).json()
    t = inv["token"]
    api.client.post(
        f"/api/v1/interview/{t}/consent",
        json={"recording": True, "ai_assessment": True, "biometric": True},
    )
    enrolled = api.client.post(f"/api/v1/interview/{t}/enrollment", content=media["photo"])
    assert enrolled.status_code == 201 and enrolled.json()["checked"], enrolled.text
    q1, q2 = (q["id"] for q in role["questions"])

    def upload(qid: str, name: str, data: bytes) -> object:
        return api.client.post(
            f"/api/v1/interview/{t}/media",
            data={"question_id": qid},
            files={"file": (name, data, "application/octet-stream")},
        )

    for name, data, why in (
        ("a.webm", b"", "empty"),
        ("a.webm", b"MZ\x90\x00" * 100, "not a"),
        ("a.webm", media["mp4"][: len(media["mp4"]) // 50], ""),
    ):
        bad = upload(q1, name, data)
        assert bad.status_code == 422, (name, bad.text)  # type: ignore[attr-defined]
        assert why in bad.json()["error"]["message"]  # type: ignore[attr-defined]
    ok1 = upload(q1, "answer.wav", media["wav"])
    ok2 = upload(q2, "answer.mp4", media["mp4"])
    assert ok1.status_code == 201 and ok2.status_code == 201, ok2.text  # type: ignore[attr-defined]
    with api.db.session() as s:
        rows = [r for r in s.scalars(select(Answer)).all() if r.media]
        kinds = sorted(r.kind for r in rows)
        assert kinds == ["audio", "video"]
        ctx = api.client.app.state.ctx  # type: ignore[attr-defined]
        assert all(ctx.blobs.exists(r.media[0]) for r in rows)  # stored before acknowledged

    job = api.client.post(f"/api/v1/interview/{t}/complete").json()["job_id"]
    assert _wait_job(api, hr, job, timeout=120)["status"] == "done"
    report = api.client.get(f"/api/v1/sessions/{inv['session_id']}/report", headers=hr).json()
    evidence = [e for c in report["competencies"] for e in c["evidence"]]
    assert evidence and all(e["start_s"] is not None and e["end_s"] <= 12 for e in evidence)
    assert all("country" in e["quote"].lower() or e["quote"] for e in evidence)
    dims = {d["name"]: d for d in report["dimensions"]}
    assert set(dims) == {"delivery", "presence"}
    assert dims["presence"]["value"] >= 4  # the person faces the camera throughout
    # Shown to the reviewer, scored only where the role turns them on: by default content only.
    assert {c["modality"] for c in report["contributions"]} == {"content"}
    with api.db.session() as s:
        stored = [r.transcript for r in s.scalars(select(Answer)) if r.media]
        assert all(p and "ask not" in p["transcript"]["text"].lower() for p in stored)
    # The recordings were checked for integrity too: a real face looking at the lens and an
    # 11 s speech (too short to judge reading aloud) raise nothing.
    assert all(p["integrity_checked"] for p in stored)
    [video] = [p for p in stored if p["identity"]]  # identity needs the picture
    assert video["identity"]["enrolled"] and video["identity"]["distance_median"] < 0.3
    assert "media" in report["integrity_summary"]["checks"]
    assert not [
        f
        for f in report["integrity_flags"]
        if f["kind"] in ("looking_away", "reading_pattern", "read_aloud")
    ]
