"""A real Chromium with a fake camera and microphone records answers in chunks.

The camera plays the shared clip of one person (padded to 640x480), the microphone a WAV of
speech made with espeak-ng. The first test goes through consent, the device check, the
enrollment photo and one recorded answer, and checks what the server stored; the second
kills the server (SIGKILL) while an answer is being recorded, restarts it, reloads the page
and finishes the answer from what the server acknowledged and what the page kept.
"""

from __future__ import annotations

import hashlib
import io
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import av
import httpx
import pytest
from sqlalchemy import select

from interview.candidate.events import session_events
from interview.storage.blobs import FileBlobStore
from interview.storage.db import Database
from interview.storage.tables import (
    Answer,
    EnrollmentPhoto,
    QuestionShown,
    Recording,
    RecordingChunk,
)
from tests.api.conftest import PASSWORD, seed_org
from tests.conftest import SHARED
from tests.server import Server
from tests.web.test_browser import ARGS, CHROMIUM

CLIP = SHARED / "data" / "video" / "one_person_center.mp4"
SPEECH = (
    "Last winter two colleagues were ill on a Saturday. I split the shop floor into zones "
    "and served every customer before closing. Complaints fell from six to one."
)
ARTIFACTS = Path(os.environ.get("INTERVIEW_TEST_ARTIFACTS") or tempfile.gettempdir()) / (
    "interview-recording"
)
RECORD_S = 5.0  # seconds of answer recorded per test


@pytest.fixture(scope="module")
def fake_media(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    if not shutil.which(CHROMIUM) or not shutil.which("espeak-ng"):
        pytest.skip("Debian chromium and espeak-ng are needed (make test installs them)")
    out = tmp_path_factory.mktemp("fake-media")
    wav = out / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en-us", "-s", "150", "-w", str(wav), SPEECH], check=True)
    return {"cam": fake_camera(out), "wav": wav}


def fake_camera(out: Path) -> Path:
    """The shared clip of one person as a 640x480 y4m for Chromium's fake camera."""
    cam = out / "cam.y4m"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(CLIP), "-t", "4", "-vf",
         "scale=-2:480,pad=640:480:(ow-iw)/2:0,fps=15", "-pix_fmt", "yuv420p", str(cam)],
        check=True,
        timeout=120,
    )  # fmt: skip
    return cam


@contextmanager
def media_browser(cam: Path, wav: Path) -> Iterator[Any]:
    """Chromium whose camera plays `cam` and whose microphone plays `wav` (looped)."""
    from playwright.sync_api import sync_playwright

    args = [
        *ARGS,
        "--use-fake-device-for-media-stream",
        "--use-fake-ui-for-media-stream",
        f"--use-file-for-fake-video-capture={cam}",
        f"--use-file-for-fake-audio-capture={wav}",  # loops: each take has speech
        "--autoplay-policy=no-user-gesture-required",
    ]
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=args)
        try:
            yield b
        finally:
            b.close()


@pytest.fixture(scope="module")
def browser(fake_media: dict[str, Path]) -> Iterator[Any]:
    with media_browser(fake_media["cam"], fake_media["wav"]) as b:
        yield b


class Site:
    """A real server process with one organization, a role (one question unless told) in
    `language`, and its HR sign-in; `env` sets the server's INTERVIEW_ settings."""

    def __init__(
        self, root: Path, language: str = "en", max_questions: int = 1, **env: str
    ) -> None:
        self.server = Server(root / "var", **env)
        self.db = Database(self.server.database_url)
        self.db.upgrade()
        seed_org(self.db, "Acme", "acme.test")
        self.server.start()
        self.blobs = FileBlobStore(root / "var" / "blobs")
        c = self.client()
        login = c.post("/auth/login", json={"email": "admin@acme.test", "password": PASSWORD})
        self.hr = {"Authorization": f"Bearer {login.json()['token']}"}
        role = c.post(
            "/roles",
            json={
                "title": "Retail sales assistant",
                "language": language,
                "max_questions": max_questions,
                "choice_items": 0,
            },
            headers=self.hr,
        )
        assert role.status_code == 201, role.text
        self.role = role.json()

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=f"{self.server.base}/api/v1", timeout=60)

    def invite(self, name: str) -> str:
        r = self.client().post(
            f"/roles/{self.role['id']}/invitations",
            json={"candidate_name": name, "language": self.role["language"]},
            headers=self.hr,
        )
        assert r.status_code == 201, r.text
        return f"{self.server.base}/web/interview.html#{r.json()['token']}"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, fake_media: dict[str, Path]) -> Iterator[Site]:
    s = Site(tmp_path_factory.mktemp("site"))
    yield s
    s.server.stop()
    s.db.dispose()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def consent(page: Any, biometric: bool) -> None:
    page.wait_for_selector("#consent", state="visible")
    page.check("#consent-recording")
    page.check("#consent-ai")
    if biometric:
        page.check("#consent-biometric")
    page.click("#consent-submit")


def device_check(page: Any, test_clip: bool, name: str = "2-device-check") -> None:
    page.wait_for_selector("#device-status[data-state=ready]", timeout=20_000)
    # The level meter moves with the fake microphone's speech.
    page.wait_for_function(
        "() => document.querySelector('#mic-level').value > 0.01", timeout=10_000
    )
    if test_clip:
        page.click("#device-test")
        page.wait_for_selector("#device-status[data-state=tested]", timeout=15_000)
        assert int(page.get_attribute("#device-playback", "data-bytes") or 0) > 1000
    shot(page, name)
    page.click("#device-continue")


def record(page: Any, seconds: float) -> None:
    page.wait_for_selector("#rec-start", state="visible", timeout=20_000)
    page.click("#rec-start")
    page.wait_for_selector("#rec-status[data-state=recording]")
    time.sleep(seconds)


def volume_db(data: bytes, tmp: Path) -> float:
    """Mean volume of the recording's sound, by ffmpeg's volumedetect (dBFS)."""
    f = tmp / "answer.webm"
    f.write_bytes(data)
    out = subprocess.run(
        ["ffmpeg", "-v", "info", "-i", str(f), "-map", "0:a", "-af", "volumedetect", "-f",
         "null", "-"],
        capture_output=True,
        text=True,
        timeout=60,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr[-2000:]
    found = re.search(r"mean_volume: (-?[\d.]+) dB", out.stderr)
    assert found, out.stderr[-2000:]
    return float(found.group(1))


def stored_answer(site: Site, answer_id: str | None = None) -> tuple[Answer, bytes]:
    with site.db.session() as s:
        rows = [a for a in s.scalars(select(Answer)).all() if a.media]
        row = next(a for a in rows if answer_id is None or a.id == answer_id)
        with site.blobs.open(row.media[0]) as f:
            return row, f.read()


def open_chunks(site: Site) -> dict[int, tuple[str, int]]:
    """The chunks of the take being recorded (the one open take): seq -> (sha256, bytes)."""
    with site.db.session() as s:
        rows = s.execute(
            select(RecordingChunk.seq, RecordingChunk.blob_key, RecordingChunk.size)
            .join(Recording, Recording.id == RecordingChunk.recording_id)
            .where(Recording.status == "open")
        ).all()
    return {seq: (key, size) for seq, key, size in rows}


def test_candidate_records_a_video_answer(
    site: Site, browser: Any, backend: Any, tmp_path: Path
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})  # a phone
    page.goto(site.invite("Robin"))
    consent(page, biometric=True)
    shot(page, "1-consent-given")
    device_check(page, test_clip=True)

    page.wait_for_selector("#enroll", state="visible")
    shot(page, "3-enrollment")
    page.click("#enroll-capture")
    page.wait_for_selector(
        "#enroll-status[data-state=saved], #enroll-status[data-state=problem]", timeout=60_000
    )
    shot(page, "4-enrollment-result")
    assert page.get_attribute("#enroll-status", "data-state") == "saved", page.text_content(
        "#enroll-status"
    )
    page.click("#enroll-continue")

    question = page.text_content("#question-text") or ""
    assert question.strip()
    record(page, RECORD_S)
    shot(page, "5-recording")
    page.click("#rec-stop")
    page.wait_for_selector("#rec-status[data-state=saved]", timeout=120_000)
    shot(page, "6-saved")
    body = page.text_content("body") or ""
    assert "score" not in body.lower() and "/ 100" not in body

    row, data = stored_answer(site)
    assert row.kind == "video" and row.media_type == "video/webm"
    with av.open(io.BytesIO(data)) as c:
        kinds = sorted(st.type for st in c.streams)
        assert kinds == ["audio", "video"]
        assert c.duration is not None and c.duration / 1e6 > RECORD_S - 1.5
        frame = next(c.decode(video=0))
        assert (frame.width, frame.height) == (640, 480)
    assert volume_db(data, tmp_path) > -45  # speech, not the silence of a missing file
    from interview.integrity.recording import ASR_MODEL
    from interview.perception.transcript import transcribe_media

    transcript = transcribe_media(backend.recognizer(ASR_MODEL), data, "en", ASR_MODEL)
    words = transcript.text.lower().split()
    assert len(words) >= 5, transcript
    assert {"colleagues", "customer", "shop", "winter", "saturday", "complaints"} & {
        w.strip(".,") for w in words
    }, transcript.text
    with site.db.session() as s:
        photo = s.scalars(select(EnrollmentPhoto)).one()
        assert photo.media_type == "image/jpeg" and site.blobs.exists(photo.blob_key)
        shown = s.scalars(select(QuestionShown)).one()
        assert shown.question_id == row.question_id and shown.shown_at < row.created_at

    # Browser events reach the server in batches: a paste is counted, its text never sent.
    page.evaluate(
        """() => { const dt = new DataTransfer(); dt.setData('text/plain', 'twelve chars');
        document.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt})); }"""
    )
    deadline = time.time() + 20
    kinds: list[str] = []
    while time.time() < deadline and "paste" not in kinds:
        time.sleep(0.5)
        with site.db.session() as s:
            events = session_events(s, row.session_id)
        kinds = [e.kind for e in events]
    assert "answer_start" in kinds and "paste" in kinds, kinds
    paste = next(e for e in events if e.kind == "paste")
    assert paste.detail == {"chars": 12} and paste.question_id == row.question_id
    page.close()


def test_server_killed_mid_answer_then_the_page_resumes(site: Site, browser: Any) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    link = site.invite("Sam")
    page.goto(link)
    consent(page, biometric=False)
    device_check(page, test_clip=False)
    record(page, 0)
    page.wait_for_function(
        "() => Number(document.querySelector('#rec-status').dataset.acked || 0) >= 2",
        timeout=30_000,
    )
    acked = open_chunks(site)
    assert len(acked) >= 2
    site.server.kill()  # SIGKILL while the candidate is still talking
    time.sleep(3.0)  # chunks made now cannot be sent: kept in memory and IndexedDB
    page.wait_for_selector("#rec-status[data-state=retrying]", timeout=15_000)
    shot(page, "7-server-down")

    site.server.start()
    after = open_chunks(site)  # what was acknowledged before the kill is intact
    assert {seq: after[seq] for seq in acked} == acked
    for key, size in acked.values():
        with site.blobs.open(key) as f:
            data = f.read()
        assert len(data) == size and hashlib.sha256(data).hexdigest() == key
    page.reload()  # the recorder is gone; the page finds the unfinished take
    page.wait_for_selector("#device-status[data-state=ready], #rec-resume", timeout=30_000)
    if page.is_visible("#device-continue"):
        page.click("#device-continue")
    page.wait_for_selector("#rec-resume", state="visible", timeout=30_000)
    shot(page, "8-resume-offered")
    page.click("#rec-resume")
    page.wait_for_selector("#rec-status[data-state=saved]", timeout=120_000)
    shot(page, "9-resumed-and-saved")

    with site.db.session() as s:
        done = [r for r in s.scalars(select(Recording)).all() if r.status == "finished"]
        mine = [r for r in done if r.answer_id and r.chunk_count and r.chunk_count >= len(acked)]
        assert mine, [(r.status, r.chunk_count) for r in done]
        answer_id = mine[-1].answer_id
        count = mine[-1].chunk_count
    row, data = stored_answer(site, answer_id)
    with av.open(io.BytesIO(data)) as c:
        assert sorted(st.type for st in c.streams) == ["audio", "video"]
        # Every acknowledged chunk is in the answer: ~2.5 s per chunk before the kill.
        assert c.duration is not None and c.duration / 1e6 >= 2.5 * (len(acked) - 1)
    assert count is not None and count >= len(acked)
    page.close()
