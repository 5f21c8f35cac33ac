"""A real Chromium with a fake camera and microphone whose stream ends mid-interview (the
track's 'ended' event, as when a camera is unplugged): the page says what happened and both
ways on work, the device again and writing instead."""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import module_site
from tests.web.test_recording import Site, consent, device_check, fake_media, media_browser

__all__ = ["fake_media"]  # the module fixture, used by name

ARTIFACTS = Path(os.environ.get("INTERVIEW_TEST_ARTIFACTS") or tempfile.gettempdir()) / (
    "interview-device-lost"
)
END_CAMERA = """() => {
    const track = document.querySelector('#rec-preview').srcObject.getVideoTracks()[0];
    track.stop();  // stop() alone fires no 'ended': the device going away does
    track.dispatchEvent(new Event('ended'));
}"""


@pytest.fixture(scope="module")
def browser(fake_media: dict[str, Path]) -> Iterator[Any]:
    with media_browser(fake_media["cam"], fake_media["wav"]) as b:
        yield b


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, fake_media: dict[str, Path]) -> Iterator[Site]:
    yield from module_site(tmp_path_factory, "site-device-lost")


def test_a_camera_that_stops_is_said_and_can_be_retried_or_replaced_by_writing(
    site: Site, browser: Any
) -> None:
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(site.invite("Unplugged Candidate"))
    consent(page, biometric=False)
    device_check(page, test_clip=False, name="0-device-check")
    page.wait_for_selector("#rec-start", state="visible", timeout=20_000)

    page.evaluate(END_CAMERA)
    page.wait_for_selector("#rec-device-retry", state="visible")
    assert "camera stopped" in page.inner_text("#rec-status")
    assert not page.is_visible("#rec-start") and page.is_visible("#rec-write")
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "camera-stopped-390x844.png"))

    # Try again: the device opens afresh and recording can start.
    page.click("#rec-device-retry")
    page.wait_for_selector("#rec-start", state="visible", timeout=20_000)
    assert not page.is_visible("#rec-device-retry")
    assert "camera stopped" not in page.inner_text("#rec-status")
    live = "() => document.querySelector('#rec-preview').srcObject.getVideoTracks()[0].readyState"
    assert page.evaluate(live) == "live"

    # It stops again: writing instead opens the answer box, with no offer to record.
    page.evaluate(END_CAMERA)
    page.wait_for_selector("#rec-device-retry", state="visible")
    page.click("#rec-write")
    page.wait_for_selector("#answer-text", state="visible")
    assert not page.is_visible("#answer-record") and not page.is_visible("#recorder")
    page.fill("#answer-text", "I split the floor into zones and served everyone before closing.")
    page.click("#answer-submit")
    page.wait_for_function(
        "() => !document.querySelector('#finish').hidden || "
        "!document.querySelector('#question-context').hidden"
    )
    page.close()
