"""A real Chromium: a candidate answers a text interview; HR signs in and reads the report."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator

import pytest

from tests.server import Server

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
THIN = "Yes, I did that once."
ANSWER = (
    "Last winter two colleagues were off sick on a Saturday. I split the shop floor into "
    "zones, covered the returns desk myself and told each waiting customer how long it "
    "would take. We served everyone before closing and complaints fell from six to one."
)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, dict[str, str]]]:
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is not installed (make test installs it)")
    root = tmp_path_factory.mktemp("web")
    server = Server(root / "var")
    out = subprocess.run(
        [sys.executable, "-m", "interview.cli", "demo", "--format", "json"],
        env={**server.env},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    login = json.loads(out.stdout)
    login["invite_link"] = login["invite_link"].replace(
        "127.0.0.1:8000", f"127.0.0.1:{server.port}"
    )
    login["hr_url"] = login["hr_url"].replace("127.0.0.1:8000", f"127.0.0.1:{server.port}")
    server.start()
    yield server, login
    server.stop()


def test_candidate_answers_then_hr_reads_the_report(demo, browser) -> None:  # type: ignore[no-untyped-def]
    server, login = demo
    page = browser.new_page(viewport={"width": 390, "height": 800})  # a phone
    page.goto(login["invite_link"])
    page.check("#consent-recording")
    page.check("#consent-ai")
    page.click("#consent-submit")
    # No camera or microphone in this browser: the device check says so and offers to
    # answer in writing.
    page.wait_for_selector("#device-status[data-state=problem]")
    assert "camera" in (page.text_content("#device-status") or "").lower()
    page.click("#device-text")
    page.wait_for_selector("#question-text")
    first_question = page.text_content("#question-text")
    page.fill("#answer-text", ANSWER)
    page.click("#answer-submit")
    page.wait_for_function(
        "q => document.querySelector('#question-text') && "
        "document.querySelector('#question-text').textContent !== q",
        arg=first_question,
    )
    # A reload resumes at the next unanswered question.
    page.reload()
    page.wait_for_selector("#question-text")
    assert page.text_content("#question-text") != first_question
    thin, probed = "", False  # the question answered too briefly: its follow-up comes next
    for _ in range(30):
        if page.is_visible("#finish-submit"):
            break
        before = page.text_content("#question-text") or ""
        if thin and not probed:
            # The probe keeps the question in view and stays typed, as the answer was.
            assert page.is_visible("#question-context"), "a follow-up was expected"
            assert thin in (page.text_content("#question-context") or "")
            assert page.is_visible("#answer-text") and not page.is_visible("#recorder")
            probed = True
        if page.is_visible("[data-testid=choice]"):
            page.locator("[data-testid=choice]").first.check()  # a timed multiple-choice item
        elif not thin and not page.is_visible("#question-context"):
            page.fill("#answer-text", THIN)  # too short: one probe
            thin = before
        else:
            page.fill("#answer-text", ANSWER)
        page.click("#answer-submit")
        page.wait_for_function(
            "q => document.querySelector('#finish-submit').offsetParent !== null || "
            "document.querySelector('#question-text').textContent !== q",
            arg=before,
        )
    assert probed, "the brief answer got its follow-up"
    page.click("#finish-submit")
    page.wait_for_selector("#thanks", state="visible")
    body = page.text_content("body") or ""
    assert "/ 100" not in body and "Level" not in body  # the candidate never sees a score
    page.fill("#review-reason", "My camera froze on question two.")
    page.click("#review-submit")
    page.wait_for_selector("[data-testid=review-done]", state="visible")
    assert "review" in (page.text_content("[data-testid=review-done]") or "")

    hr = browser.new_page(viewport={"width": 1280, "height": 900})
    hr.goto(login["hr_url"])
    hr.fill("#login-email", login["email"])
    hr.fill("#login-password", login["password"])
    hr.click("#login-submit")
    row = "[data-testid=session-row][data-status=scored]"
    began = time.time()
    deadline = began + 240  # first use loads the embedder and the integrity LM
    while time.time() < deadline and hr.locator(row).count() < 3:
        hr.click("#sessions-refresh")
        time.sleep(0.5)
    assert hr.locator(row).count() == 3, "the new interview was scored by the worker"
    print(f"scored {time.time() - began:.1f} s after HR signed in")
    hr.locator(row).filter(has_text="Demo Candidate").locator("[data-testid=report-button]").click()
    hr.wait_for_selector("#report-overall")
    overall = float(hr.text_content("#report-overall") or "nan")
    assert 0 <= overall <= 100
    quotes = hr.locator("[data-testid=evidence-quote]").all_text_contents()
    supports = hr.locator("[data-testid=evidence-supports]").all_text_contents()
    # A chosen option is cited by its words, never by its internal letter ("[b] ...").
    chosen = [q for q, s in zip(quotes, supports, strict=True) if s.startswith("Option worth")]
    assert not any(q.startswith("[") for q in chosen), chosen
    spoken = [q.strip() for q, s in zip(quotes, supports, strict=True) if q not in chosen]
    assert spoken and all(q in ANSWER or q in THIN for q in spoken)
    assert "null" not in (hr.text_content("#report") or "")
    # Integrity sits in its own box beside the scores, with what was checked.
    box = hr.locator("[data-testid=report-integrity]")
    assert box.get_attribute("data-level") in ("low", "medium", "high")
    assert "Checked:" in (box.text_content() or "")
    assert hr.locator("[data-testid=session-integrity]").count() == 3


def test_candidate_text_is_shown_as_text_never_markup(demo, browser) -> None:  # type: ignore[no-untyped-def]
    server, login = demo
    hr = browser.new_page()
    hr.goto(login["hr_url"])
    hr.fill("#login-email", login["email"])
    hr.fill("#login-password", login["password"])
    hr.click("#login-submit")
    hr.wait_for_selector("[data-testid=role-item]")
    hr.locator("[data-testid=invite-toggle]").first.click()
    hr.locator("[data-testid=invite-name]").first.fill('<img src=x onerror="window.pwned=1">')
    hr.locator("[data-testid=invite-submit]").first.click()
    hr.wait_for_selector("[data-testid=invite-link]")
    hr.click("#sessions-refresh")
    hr.wait_for_selector("text=<img src=x")
    assert hr.evaluate("window.pwned") is None
