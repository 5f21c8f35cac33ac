"""Recorded answers in chunks, browser events, enrollment photos and question shown times.

The stand-in recording is a live WebM (VP8 + Opus, written to a pipe like a browser's
MediaRecorder, so its duration reads N/A) of the test clip with JFK's speech, cut into byte
ranges: MediaRecorder chunks are byte ranges of one stream too.
"""

from __future__ import annotations

import importlib.util
import io
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import av
import httpx
import pytest
from sqlalchemy import select

from bench.load import make_recording
from interview.candidate import uploads
from interview.candidate.events import browser_evidence, session_events
from interview.errors import InvalidInput
from interview.integrity.events import event_flags
from interview.integrity.recording import PerceivedAnswer
from interview.pipeline import is_perceived, live_transcript
from interview.storage.blobs import FileBlobStore
from interview.storage.jobs import PERCEIVE_JOB, SCORE_JOB
from interview.storage.tables import (
    Answer,
    FollowUpPrompt,
    IntegrityEvent,
    Job,
    RecordingChunk,
    Score,
)
from tests.api.conftest import Api
from tests.conftest import SHARED

CLIP = SHARED / "data" / "video" / "one_person_center.mp4"
JFK = SHARED / "data" / "audio" / "jfk.flac"
CHUNK = 60_000  # bytes per stand-in chunk


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-v", "error", "-y", *args], check=True, timeout=120)


@pytest.fixture(scope="module")
def live_webm(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return make_recording(tmp_path_factory.mktemp("chunks") / "live.webm", seconds=6.0)


@pytest.fixture(scope="module")
def photos(tmp_path_factory: pytest.TempPathFactory) -> dict[str, bytes]:
    out = tmp_path_factory.mktemp("photos")
    one = out / "one.jpg"
    _ffmpeg("-ss", "2", "-i", str(CLIP), "-frames:v", "1", str(one))
    group = SHARED / "data" / "images" / "four_people_selfie.jpg"
    return {"one": one.read_bytes(), "group": group.read_bytes()}


def _parts(data: bytes) -> list[bytes]:
    return [data[i : i + CHUNK] for i in range(0, len(data), CHUNK)]


def _role(api: Api) -> dict[str, Any]:
    """One role per test (building a role's competency model takes seconds on this CPU)."""
    r = api.client.post(
        "/api/v1/roles",
        headers=api.login(),
        json={"title": "Customer service agent", "max_questions": 1, "choice_items": 1},
    )
    assert r.status_code == 201, r.text
    return dict(r.json())


def _interview(
    api: Api, role: dict[str, Any], consent: dict[str, bool] | None = None
) -> tuple[str, list[dict[str, Any]]]:
    """A fresh invitation (token, questions), with consent given unless `consent` is {}."""
    inv = api.client.post(
        f"/api/v1/roles/{role['id']}/invitations",
        json={"candidate_name": "Jo"},
        headers=api.login(),
    ).json()
    t = inv["token"]
    given = {"recording": True, "ai_assessment": True} if consent is None else consent
    if given:
        r = api.client.post(f"/api/v1/interview/{t}/consent", json=given)
        assert r.status_code == 201, r.text
    return t, role["questions"]


def _open_question(questions: list[dict[str, Any]]) -> str:
    return next(q["id"] for q in questions if q["kind"] in ("behavioural", "situational"))


def _put(api: Api, t: str, qid: str, seq: int, body: bytes, take: int = 1) -> httpx.Response:
    return api.client.put(
        f"/api/v1/interview/{t}/recordings/{qid}/chunks/{seq}?take={take}",
        content=body,
        headers={"Content-Type": "video/webm"},
    )


def _finish(api: Api, t: str, qid: str, chunks: int, take: int = 1) -> httpx.Response:
    return api.client.post(
        f"/api/v1/interview/{t}/recordings/{qid}/finish", json={"chunks": chunks, "take": take}
    )


def _record(api: Api, t: str, qid: str, data: bytes) -> httpx.Response:
    """Upload `data` as take 1 of `qid` in chunks, then finish it."""
    parts = _parts(data)
    for seq, part in enumerate(parts):
        assert _put(api, t, qid, seq, part).status_code == 201
    return _finish(api, t, qid, len(parts))


def _message(r: httpx.Response) -> str:
    return str(r.json()["error"]["message"])


def test_chunked_recording_is_resumable_idempotent_and_assembled(
    api: Api, live_webm: bytes
) -> None:
    role = _role(api)
    t, questions = _interview(api, role)
    qid = _open_question(questions)
    parts = _parts(live_webm)
    n = len(parts)
    assert n >= 5
    # Out of order, and one (seq 2) held back.
    order = [3, 0, *range(4, n), 1]
    for seq in order:
        r = _put(api, t, qid, seq, parts[seq])
        assert r.status_code == 201, r.text
        assert r.json() == {
            "question_id": qid,
            "take": 1,
            "seq": seq,
            "size": len(parts[seq]),
            "stored": True,
        }
    # The same bytes again: a no-op.
    again = _put(api, t, qid, 3, parts[3])
    assert again.status_code == 200 and again.json()["size"] == len(parts[3])
    # Other bytes under a stored number: a conflict naming it, and nothing changes.
    clash = _put(api, t, qid, 3, parts[4])
    assert clash.status_code == 409 and "chunk 3" in _message(clash)
    # A reloaded page learns what is stored.
    status = api.client.get(f"/api/v1/interview/{t}/recordings/{qid}").json()
    (take,) = status["takes"]
    assert take["status"] == "open" and status["answered"] is False
    assert {c["seq"]: c["size"] for c in take["chunks"]} == {
        s: len(parts[s]) for s in range(n) if s != 2
    }
    # Finishing with a chunk missing names it; nothing is stored.
    missing = _finish(api, t, qid, n)
    assert missing.status_code == 409 and "chunks 2 are missing" in _message(missing)
    with api.db.session() as s:
        assert s.scalars(select(Answer)).all() == []

    assert _put(api, t, qid, 2, parts[2]).status_code == 201
    ack = _finish(api, t, qid, n)
    assert ack.status_code == 201, ack.text
    body = ack.json()
    assert body["question_id"] == qid and body["stored"] is True
    assert "score" not in ack.text and "flag" not in ack.text
    ctx = api.client.app.state.ctx  # type: ignore[attr-defined]
    with api.db.session() as s:
        row = s.get(Answer, body["answer_id"])
        assert row is not None and row.kind == "video" and row.media_type == "video/webm"
        stored = ctx.blobs.open(row.media[0]).read()
        chunk_keys = s.scalars(select(RecordingChunk.blob_key)).all()
    assert stored != live_webm  # remuxed, not just joined
    with av.open(io.BytesIO(stored)) as c:
        assert c.duration is not None and 5.5 < c.duration / 1_000_000 < 6.5
        assert {st.type for st in c.streams} == {"audio", "video"}
        frames = sum(1 for _ in c.decode(video=0))
        assert frames > 30
    assert not any(ctx.blobs.exists(k) for k in chunk_keys)  # the answer holds the bytes now
    # The follow-up was decided on the real transcript: JFK's lines tell no story.
    transcript_words = body["followup"]
    with api.db.session() as s:
        prompts = s.scalars(select(FollowUpPrompt)).all()
    assert transcript_words is not None and len(prompts) == 1
    assert transcript_words["id"] == f"{qid}~f1"

    # Finishing again returns the same ack; a resent chunk is still a no-op.
    second = _finish(api, t, qid, n)
    assert second.status_code == 200
    assert {k: second.json()[k] for k in ("answer_id", "attempt", "followup")} == {
        k: body[k] for k in ("answer_id", "attempt", "followup")
    }
    assert _finish(api, t, qid, n + 1).status_code == 409
    assert _put(api, t, qid, 0, parts[0]).status_code == 200
    late = _put(api, t, qid, n, parts[0])
    assert late.status_code == 409 and "retake" in _message(late)
    # A retake is the next take; a gap in take numbers is refused.
    assert _put(api, t, qid, 0, parts[0], take=3).status_code == 409
    assert _put(api, t, qid, 0, parts[0], take=2).status_code == 201
    status = api.client.get(f"/api/v1/interview/{t}/recordings/{qid}").json()
    assert [k["status"] for k in status["takes"]] == ["finished", "open"]
    assert status["answered"] is True and status["next_take"] == 3
    with api.db.session() as s:
        assert len(s.scalars(select(Answer)).all()) == 1


def test_chunk_uploads_are_checked(
    api: Api, live_webm: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    role = _role(api)
    t, questions = _interview(api, role)
    qid = _open_question(questions)
    choice = next(q["id"] for q in questions if q["choices"])
    parts = _parts(live_webm)

    not_media = _put(api, t, qid, 0, b"MZ\x90\x00" * 100)
    assert not_media.status_code == 422 and "not a recording" in _message(not_media)
    empty = _put(api, t, qid, 0, b"")
    assert empty.status_code == 422 and "empty" in _message(empty)
    too_big = _put(api, t, qid, 0, b"\x1a\x45\xdf\xa3" + bytes(api.settings.max_body_bytes))
    assert too_big.status_code == 413
    unknown = _put(api, t, "no-such-question", 0, parts[0])
    assert unknown.status_code == 404 and "no-such-question" in _message(unknown)
    multiple = _put(api, t, choice, 0, parts[0])
    assert multiple.status_code == 422 and "multiple choice" in _message(multiple)
    assert _put(api, "not-a-token", qid, 0, parts[0]).status_code == 404
    assert _finish(api, t, qid, 3).status_code == 404  # nothing uploaded yet

    monkeypatch.setattr(uploads, "MAX_RECORDING_BYTES", len(parts[0]) + len(parts[1]) - 1)
    assert _put(api, t, qid, 0, parts[0]).status_code == 201
    over = _put(api, t, qid, 1, parts[1])
    assert over.status_code == 413 and "at most" in _message(over)

    # Joined bytes that do not decode are refused at finish; the take stays open.
    t2, q2 = _interview(api, role)
    qid2 = _open_question(q2)
    monkeypatch.setattr(uploads, "MAX_RECORDING_BYTES", 10**9)
    assert _put(api, t2, qid2, 0, live_webm[:200]).status_code == 201
    assert _put(api, t2, qid2, 1, bytes(range(256)) * 40).status_code == 201
    broken = _finish(api, t2, qid2, 2)
    assert broken.status_code == 422, broken.text
    status = api.client.get(f"/api/v1/interview/{t2}/recordings/{qid2}").json()
    assert status["takes"][0]["status"] == "open"

    # Recording needs consent to recording; each token sees only its own session.
    t3, q3 = _interview(api, role, {"recording": False, "ai_assessment": True})
    refused = _put(api, t3, _open_question(q3), 0, parts[0])
    assert refused.status_code == 409 and "recording" in _message(refused)
    t4, _ = _interview(api, role, {})
    assert _put(api, t4, qid, 0, parts[0]).status_code == 409  # no consent at all
    mine = api.client.get(f"/api/v1/interview/{t4}/recordings/{qid}").json()
    assert mine["takes"] == []


def test_browser_events_are_validated_and_stored(api: Api) -> None:
    role = _role(api)
    t, questions = _interview(api, role)
    qid = _open_question(questions)
    url = f"/api/v1/interview/{t}/events"
    events = [
        {"kind": "answer_start", "question_id": qid, "client_time": 1_780_000_000_000},
        {"kind": "tab_hidden", "question_id": qid, "client_time": 1_780_000_001_000},
        {"kind": "tab_visible", "question_id": qid, "client_time": 1_780_000_004_500},
        {
            "kind": "paste",
            "question_id": qid,
            "client_time": 1_780_000_005_000,
            "detail": {"chars": 412},
        },
    ]
    r = api.client.post(url, json={"events": events})
    assert r.status_code == 201 and r.json() == {"stored": 4}
    bad = [
        ({"events": [{"kind": "screenshot", "client_time": 1}]}, "kind"),
        ({"events": []}, "events"),
        ({"events": [events[0]] * 101}, "events"),
        (
            {"events": [{**events[3], "detail": {"text": "my pasted answer"}}]},
            "never text",
        ),
        ({"events": [{**events[0], "question_id": "nope"}]}, "nope"),
        ({"events": [{**events[0], "client_time": -5}]}, "client_time"),
    ]
    for body, why in bad:
        rejected = api.client.post(url, json=body)
        assert rejected.status_code == 422, (body, rejected.text)
        assert why in _message(rejected), rejected.text
    with api.db.session() as s:
        sess_id = s.scalars(select(IntegrityEvent.session_id)).first()
        assert sess_id is not None
        stored = session_events(s, sess_id)
    assert [e.kind for e in stored] == ["answer_start", "tab_hidden", "tab_visible", "paste"]
    assert stored[3].detail == {"chars": 412} and stored[1].client_ms == 1_780_000_001_000
    assert all(e.question_id == qid and e.received_at.tzinfo is not None for e in stored)
    t2, _ = _interview(api, role, {})
    assert (
        api.client.post(f"/api/v1/interview/{t2}/events", json={"events": events}).status_code
        == 409
    )


def test_a_reload_reported_by_the_page_reads_as_a_reload(api: Api) -> None:
    """The page hides as it unloads and says page_load when it is back: the gap becomes a
    low page_reload flag, not a long absence from the page."""
    role = _role(api)
    t, questions = _interview(api, role)
    qid = _open_question(questions)
    events = [
        {"kind": "tab_hidden", "question_id": qid, "client_time": 1_780_000_001_000},
        {
            "kind": "page_load",
            "client_time": 1_780_000_004_000,
            "detail": {"navigation": "reload", "away_ms": 3000},
        },
    ]
    r = api.client.post(f"/api/v1/interview/{t}/events", json={"events": events})
    assert r.status_code == 201, r.text
    with api.db.session() as s:
        sess_id = s.scalars(select(IntegrityEvent.session_id)).first()
        assert sess_id is not None
        seen, shown = browser_evidence(s, sess_id)
    [flag] = event_flags(seen, shown, end=seen[0].at + 326)
    assert flag.kind == "page_reload" and flag.severity == "low"
    assert flag.evidence["away_s"] == 3.0 and flag.question_id == qid


def test_question_shown_keeps_the_first_time(api: Api) -> None:
    role = _role(api)
    t, questions = _interview(api, role)
    qid = _open_question(questions)
    first = api.client.post(f"/api/v1/interview/{t}/questions/{qid}/shown")
    second = api.client.post(f"/api/v1/interview/{t}/questions/{qid}/shown")
    assert first.status_code == second.status_code == 200
    assert first.json()["shown_at"] == second.json()["shown_at"]
    assert api.client.post(f"/api/v1/interview/{t}/questions/nope/shown").status_code == 404
    t2, _ = _interview(api, role, {})
    assert api.client.post(f"/api/v1/interview/{t2}/questions/{qid}/shown").status_code == 409


@pytest.mark.one_database
def test_enrollment_photo(api: Api, photos: dict[str, bytes]) -> None:
    url = "/api/v1/interview/{}/enrollment"
    role = _role(api)
    t0, _ = _interview(api, role)  # no biometric consent
    refused = api.client.post(url.format(t0), content=photos["one"])
    assert refused.status_code == 409 and "biometric" in _message(refused)

    t, _ = _interview(api, role, {"recording": True, "ai_assessment": True, "biometric": True})
    for body, why in (
        (b"", "empty"),
        (b"%PDF-1.7 not a photo", "not a JPEG or PNG"),
        (photos["one"][:40], "damaged JPEG"),
    ):
        bad = api.client.post(url.format(t), content=body)
        assert bad.status_code == 422 and why in _message(bad), bad.text
    huge = api.client.post(url.format(t), content=b"\xff\xd8\xff" + bytes(9 * 1024 * 1024))
    assert huge.status_code == 413
    assert api.client.get(f"/api/v1/interview/{t}").json()["enrolled"] is False

    checked = importlib.util.find_spec("interview.integrity.identity") is not None
    ok = api.client.post(
        url.format(t), content=photos["one"], headers={"Content-Type": "image/jpeg"}
    )
    assert ok.status_code == 201, ok.text
    assert ok.json() == {"stored": True, "checked": checked}
    shown = api.client.get(f"/api/v1/interview/{t}").json()
    assert shown["enrolled"] is True and shown["biometric_consent"] is True
    assert shown["answer_modes"] == ["video", "audio", "text"]
    page = api.client.get(f"/api/v1/interview/{t}").text.lower()
    assert "score" not in page and "overall" not in page and "flag" not in page
    group = api.client.post(url.format(t), content=photos["group"])
    if checked:  # the identity check refuses a photo of several people, in words
        assert group.status_code == 422 and _message(group)
    else:
        assert group.status_code == 201


def test_remux_gives_a_duration_and_keeps_a_cut_off_recording(live_webm: bytes) -> None:
    def seconds(data: bytes) -> float:
        with av.open(io.BytesIO(data)) as c:
            assert c.duration is not None
            return float(c.duration) / 1_000_000

    with av.open(io.BytesIO(live_webm)) as c:
        assert c.duration is None  # a browser's live WebM: no duration until remuxed
    whole = uploads.remux(live_webm, "webm")
    assert 5.5 < seconds(whole) < 6.5
    # The page closed mid-recording: the bytes end inside a block.
    cut = live_webm[: int(len(live_webm) * 0.6) + 13]
    part = uploads.remux(cut, "webm")
    assert 2.0 < seconds(part) < seconds(whole) - 1.0
    with pytest.raises(InvalidInput, match="could not be read|no sound or picture"):
        uploads.remux(live_webm[:300], "webm")
    assert uploads.remux(b"RIFF....WAVE", "wav") == b"RIFF....WAVE"  # nothing to fix in WAV


@pytest.mark.one_database
def test_chunks_sent_in_order_are_transcribed_while_they_arrive(
    api: Api, live_webm: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The finish decides the follow-up from the live transcript built as the chunks came."""
    from interview.candidate.live import live_sessions

    _wait_for_the_live_transcript(api, monkeypatch)
    role = _role(api)
    t, questions = _interview(api, role)
    qid = _open_question(questions)
    parts = _parts(live_webm)
    live = live_sessions(api.client.app.state.ctx.backend)  # type: ignore[attr-defined]
    before = dict(live.counts)
    for seq, part in enumerate(parts):
        assert _put(api, t, qid, seq, part).status_code == 201
    ack = _finish(api, t, qid, len(parts))
    assert ack.status_code == 201, ack.text
    assert ack.json()["followup"] is not None  # JFK's lines tell no story: a probe
    assert live.counts["finished_live"] + live.counts["finished_fallback"] == (
        before["finished_live"] + before["finished_fallback"] + 1
    )
    assert live.counts["finished_whole"] == before["finished_whole"]


def test_a_chunk_acknowledged_while_a_take_of_the_same_bytes_finishes_keeps_its_blob(
    api: Api, live_webm: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Blobs are shared by content. Candidate B's chunk is put (its blob was already there,
    from A) and, before B's row is committed, A finishes a take of the same bytes and releases
    its chunk blobs: A could not see B's row, and deleted the blob B was then told is stored
    (bench/load.py under a CPU hog, where every candidate sends the same recording)."""
    role = _role(api)
    ta, questions = _interview(api, role)
    tb, _ = _interview(api, role)
    qid = _open_question(questions)
    parts = _parts(live_webm)
    for seq, part in enumerate(parts):
        assert _put(api, ta, qid, seq, part).status_code == 201

    put_done, go_on = threading.Event(), threading.Event()
    real_put = FileBlobStore.put

    def put_then_wait(self: FileBlobStore, data: Any) -> str:
        key = real_put(self, data)
        if data == parts[0] and not put_done.is_set():  # B's chunk 0, before its commit
            put_done.set()
            go_on.wait(60)
        return key

    monkeypatch.setattr(FileBlobStore, "put", put_then_wait)
    with ThreadPoolExecutor(1) as pool:
        b_chunk = pool.submit(_put, api, tb, qid, 0, parts[0])
        assert put_done.wait(60)
        finished = _finish(api, ta, qid, len(parts))
        go_on.set()
        assert b_chunk.result(60).status_code == 201
    assert finished.status_code == 201, finished.text
    ctx = api.client.app.state.ctx  # type: ignore[attr-defined]
    key = uploads.sha256_hex(parts[0])
    assert ctx.blobs.exists(key), "B's acknowledged chunk lost its bytes"
    # B's take still finishes from what was acknowledged.
    for seq, part in enumerate(parts[1:], start=1):
        assert _put(api, tb, qid, seq, part).status_code == 201
    assert _finish(api, tb, qid, len(parts)).status_code == 201


def _job(api: Api, kind: str, timeout_s: float = 180.0) -> Job:
    """The one job of `kind`, once it has finished (done or failed)."""
    deadline = time.monotonic() + timeout_s
    while True:
        with api.db.session() as s:
            job = s.scalars(select(Job).where(Job.kind == kind)).one()
            if job.status in ("done", "failed") or time.monotonic() > deadline:
                s.expunge(job)
                return job
        time.sleep(0.1)


def _wait_for_the_live_transcript(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    """The finish waits for the live transcript however busy the machine is (in the product
    it gives up after followup_wait_s, and perception transcribes the recording itself)."""
    ctx = api.client.app.state.ctx  # type: ignore[attr-defined]
    monkeypatch.setattr(ctx, "settings", ctx.settings.model_copy(update={"followup_wait_s": 300}))


@pytest.mark.one_database
@pytest.mark.perceive_on_store
def test_a_stored_recording_is_perceived_while_the_interview_goes_on(
    api: Api, live_webm: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The finished take is perceived by a job at once, reusing the live transcript (Whisper
    is not run on it again); scoring after the last answer reads that perception."""
    import interview.integrity.recording as recording

    transcribed: list[float] = []
    whole = recording.transcribe

    def counted(*args: Any, **kwargs: Any) -> Any:
        transcribed.append(time.monotonic())
        return whole(*args, **kwargs)

    monkeypatch.setattr(recording, "transcribe", counted)
    _wait_for_the_live_transcript(api, monkeypatch)
    role = _role(api)
    t, questions = _interview(api, role)
    qid = _open_question(questions)
    ack = _record(api, t, qid, live_webm)
    assert ack.status_code == 201, ack.text
    job = _job(api, PERCEIVE_JOB)
    assert job.status == "done", job.error
    assert job.payload["answer_id"] == ack.json()["answer_id"] and job.result
    assert job.result["transcript"] == "ok"
    with api.db.session() as s:
        row = s.get(Answer, ack.json()["answer_id"])
        assert row is not None and is_perceived(row.transcript)
        perceived = PerceivedAnswer.model_validate(row.transcript)
    assert "americans" in perceived.transcript.text.lower(), perceived.transcript
    assert perceived.speech is not None and perceived.video is not None
    assert perceived.integrity_checked
    assert transcribed == []  # the live transcript was reused
    # The last answer: the interview ends, and scoring only reads the stored perception.
    assert api.client.post(f"/api/v1/interview/{t}/complete").status_code == 202
    scored = _job(api, SCORE_JOB)
    assert scored.status == "done", scored.error
    assert transcribed == []
    with api.db.session() as s:
        answer = s.get(Answer, ack.json()["answer_id"])
        assert answer is not None
        scores = s.scalars(select(Score).where(Score.session_id == answer.session_id)).all()
        cited = [e for sc in scores for e in sc.evidence if "americans" in str(e).lower()]
        assert cited, [sc.evidence for sc in scores]  # scored from the stored transcript


@pytest.mark.one_database
def test_perception_waits_for_consent_and_keeps_nothing_once_it_is_withdrawn(
    api: Api, live_webm: bytes, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No model perceives a recording without consent to AI assessment; a withdrawal while
    the job works keeps nothing. The perceiver here is a stand-in that counts its calls."""
    from interview.pipeline import perceive_job_handler

    _wait_for_the_live_transcript(api, monkeypatch)
    role = _role(api)
    t, questions = _interview(api, role)
    qid = _open_question(questions)
    ack = _record(api, t, qid, live_webm)
    answer_id = ack.json()["answer_id"]
    with api.db.session() as s:  # the live transcript was kept on the answer
        row = s.get(Answer, answer_id)
        assert row is not None and not is_perceived(row.transcript)
        live = live_transcript(row.transcript)
    assert live is not None and "americans" in live.text.lower()
    calls: list[Any] = []

    def perceiver(data: bytes, language: str, video: bool, enrollment: Any, heard: Any) -> Any:
        calls.append(heard)
        withdraw = {"recording": True, "ai_assessment": False}
        assert api.client.post(f"/api/v1/interview/{t}/consent", json=withdraw).status_code == 201
        return PerceivedAnswer(transcript=heard)

    blobs = FileBlobStore(api.settings.blob_dir)
    handle = perceive_job_handler(api.db, perceiver, blobs)
    with api.db.session() as s:
        assert handle({"answer_id": answer_id})(s) == {
            "skipped": "erased or consent withdrawn while perceiving"
        }
        s.commit()
    assert calls == [live]  # given the live transcript, then withdrawn while it worked
    with api.db.session() as s:
        row = s.get(Answer, answer_id)
        assert row is not None and not is_perceived(row.transcript)
        assert handle({"answer_id": answer_id})(s) == {"skipped": "no consent to AI assessment"}
    assert len(calls) == 1  # not asked again
