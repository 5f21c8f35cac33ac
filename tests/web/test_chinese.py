"""A real Chromium: a whole interview in Chinese, one answer spoken and the rest typed.

The role and the invitation are in Chinese (zh); the browser's own locale is English, so the
page's language must come from the invitation. The fake microphone plays real Mandarin speech
(a 12.4 s meeting clip from ../shared/data, so any five-second take holds speech; espeak-ng's
Mandarin through Opus was sometimes heard as no words at all). Every screen the candidate
sees is checked for Chinese text with no English left over, and for text that fits a phone's
width.
"""

from __future__ import annotations

import io
import re
import shutil
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import av
import pytest
from sqlalchemy import select

from interview.candidate.session import consent_state
from interview.storage.tables import Answer, InterviewSession
from tests.conftest import SHARED
from tests.web.conftest import module_site
from tests.web.test_browser import CHROMIUM
from tests.web.test_recording import (
    ARTIFACTS,
    Site,
    consent,
    device_check,
    fake_camera,
    media_browser,
    record,
    shot,
    volume_db,
)

SPEECH = SHARED / "data" / "audio" / "zh_meeting.wav"  # 16 kHz mono 16-bit: Chromium plays it
TYPED = (
    "那天店里人很多。我先给同事分好区域，自己处理退货，"
    "关门前每位顾客都得到了服务，投诉从六次降到一次。"
)
RECORD_S = 8.0  # with live transcription competing for 2 cores, 5 s takes were sometimes garbled
CJK = re.compile(r"[\u4e00-\u9fff]")
# Latin words allowed on a Chinese page: the organization's name and "AI" in the notice.
LATIN_OK = {"AI", "Acme"}


@pytest.fixture(scope="module")
def zh_browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is needed (make test installs it)")
    out = tmp_path_factory.mktemp("fake-media-zh")
    with media_browser(fake_camera(out), SPEECH) as b:
        yield b


@pytest.fixture(scope="module")
def zh_site(tmp_path_factory: pytest.TempPathFactory, zh_browser: Any) -> Iterator[Site]:
    yield from module_site(tmp_path_factory, "site-zh", language="zh", max_questions=2)


def assert_chinese(page: Any, selector: str) -> str:
    """The visible text of `selector` is Chinese, with no English strings, and fits the page."""
    text = page.locator(selector).inner_text()
    assert CJK.search(text), f"{selector}: {text!r}"
    latin = set(re.findall(r"[A-Za-z]{2,}", text)) - LATIN_OK
    assert not latin, f"{selector} has English left: {sorted(latin)} in {text!r}"
    assert page.evaluate("() => document.documentElement.scrollWidth <= window.innerWidth"), (
        f"{selector}: the page is wider than the screen"
    )
    return text


def test_candidate_interview_in_chinese(
    zh_site: Site, zh_browser: Any, backend: Any, tmp_path: Path
) -> None:
    began = time.time()
    page = zh_browser.new_page(viewport={"width": 390, "height": 844}, locale="en-US")
    page.goto(zh_site.invite("李雷"))
    page.wait_for_selector("#consent", state="visible")
    assert page.get_attribute("html", "lang") == "zh-CN"
    assert CJK.search(page.title()), page.title()
    assert_chinese(page, "#consent")
    assert "同意并开始" in page.text_content("#consent-submit")
    shot(page, "zh-1-consent")
    consent(page, biometric=False)

    page.wait_for_selector("#device-status[data-state=ready]", timeout=20_000)
    assert_chinese(page, "#device")
    device_check(page, test_clip=False, name="zh-2-device-check")

    shown: list[str] = []
    recorded = typed = 0
    for _ in range(10):  # two questions and any follow-up probes
        page.wait_for_selector("#question:not([hidden]), #finish:not([hidden])")
        if page.is_visible("#finish"):
            break
        question = page.text_content("#question-text") or ""
        assert CJK.search(question), question
        shown.append(question)
        if not recorded:
            page.wait_for_selector("#rec-status[data-state=ready]", timeout=20_000)
            assert_chinese(page, "#question")
            assert "最多可以讲" in page.text_content("#question-time")  # the speaking limit
            record(page, RECORD_S)
            assert_chinese(page, "#question")  # the recording status and timer
            shot(page, "zh-3-recording")
            page.click("#rec-stop")
            page.wait_for_selector("#rec-status[data-state=saved]", timeout=120_000)
            assert_chinese(page, "#question")
            recorded += 1
            page.click("#rec-next")
        else:
            if page.is_visible("#rec-write"):
                page.click("#rec-write")
            hint = page.text_content("#question-time") or ""
            assert "字" in hint and "分钟" not in hint  # a length in characters, not a limit
            if not typed:  # an empty answer is refused, in Chinese
                page.fill("#answer-text", "")
                page.click("#answer-submit")
                page.wait_for_selector("#error", state="visible")
                error = assert_chinese(page, "#error")
                assert "请" in error, error
                shot(page, "zh-4-empty-answer")
            assert_chinese(page, "#question")
            page.fill("#answer-text", TYPED)
            typed += 1
            page.click("#answer-submit")
        page.wait_for_function(
            "(q) => !document.querySelector('#finish').hidden || "
            "document.querySelector('#question-text').textContent !== q",
            arg=question,
            timeout=60_000,
        )
    assert recorded == 1 and typed >= 1, (recorded, typed, shown)

    page.wait_for_selector("#finish", state="visible")
    assert_chinese(page, "#finish")
    shot(page, "zh-5-finish")
    page.click("#finish-submit")
    page.wait_for_selector("#thanks", state="visible")
    assert_chinese(page, "#thanks")
    shot(page, "zh-6-thanks")
    body = page.inner_text("body")
    assert not re.search(r"\d+\s*/\s*100", body) and "score" not in body.lower(), body
    assert "得分" not in body and "分数" not in body, body
    page.fill("#review-reason", "第一题录制时我的摄像头卡住了。")
    page.click("#review-submit")
    page.wait_for_selector("[data-testid=review-done]", state="visible")
    assert_chinese(page, "[data-testid=review-done]")
    # Consent to AI assessment can be withdrawn from the last page; a second click confirms.
    page.click("#withdraw-submit")
    assert_chinese(page, "#withdraw-submit")
    assert not page.is_visible("[data-testid=withdraw-done]")  # one click withdraws nothing
    page.click("#withdraw-submit")
    page.wait_for_selector("[data-testid=withdraw-done]", state="visible")
    assert_chinese(page, "[data-testid=withdraw-done]")
    page.reload()  # the page remembers: no button to press again
    page.wait_for_selector("[data-testid=withdraw-done]", state="visible")
    assert not page.is_visible("#withdraw-submit")
    print(f"browser flow took {time.time() - began:.1f} s")

    with zh_site.db.session() as s:
        sess = s.scalars(select(InterviewSession)).one()
        assert sess.language == "zh" and sess.completed_at is not None, sess.status
        assert consent_state(s, sess.id)["ai_assessment"] is False  # withdrawn on the page
        answers = s.scalars(select(Answer).where(Answer.session_id == sess.id)).all()
        texts = [a.text for a in answers if a.kind == "text"]
        spoken = [a for a in answers if a.kind == "video"]
        media = [(a.media[0], a.media_type) for a in spoken]
    assert texts.count(TYPED) == typed, texts
    assert len(media) == 1, [a.kind for a in answers]
    with zh_site.blobs.open(media[0][0]) as f:
        data = f.read()
    with av.open(io.BytesIO(data)) as c:
        assert sorted(st.type for st in c.streams) == ["audio", "video"]
    assert volume_db(data, tmp_path) > -45  # Mandarin speech, not silence
    from interview.integrity.recording import ASR_MODEL
    from interview.perception.transcript import transcribe_media

    transcript = transcribe_media(backend.recognizer(ASR_MODEL), data, "zh", ASR_MODEL)
    # Whisper hears the meeting's Mandarin through Opus, if not every word of it.
    if len(CJK.findall(transcript.text)) < 4:  # keep the take for whoever reads the failure
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "zh-recorded-answer.webm").write_bytes(data)
    assert len(CJK.findall(transcript.text)) >= 4, transcript
    print(f"whole test took {time.time() - began:.1f} s; heard {transcript.text!r}")
    page.close()
