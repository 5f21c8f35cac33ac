"""A real Chromium on the candidate's page, typed answers only (no camera or microphone).

The typed answer's limit comes from the server (set low here so the test types little): a
live count, a warning near it, a paste cut at it with a note, and a plain refusal without a
"Try again" loop when the server refuses anyway.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.web.conftest import module_site
from tests.web.test_recording import Site

LIMIT = 300  # characters; the server's setting, read by the page
SHOTS = Path(os.environ.get("INTERVIEW_TEST_ARTIFACTS", "/tmp")) / "interview-items"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from module_site(tmp_path_factory, "site-items", INTERVIEW_MAX_ANSWER_CHARS=str(LIMIT))


def open_typed(site: Site, browser: Any, name: str) -> tuple[Any, str]:
    """A new invitation with consent given (no recording), opened at its first question."""
    link = site.invite(name)
    token = link.split("#", 1)[1]
    r = site.client().post(
        f"/interview/{token}/consent", json={"recording": False, "ai_assessment": True}
    )
    assert r.status_code == 201, r.text
    page = browser.new_page(viewport={"width": 390, "height": 800})
    return page, link


def paste(page: Any, text: str) -> None:
    """A paste into the answer box, as the clipboard would deliver it."""
    page.evaluate(
        """text => {
            const box = document.querySelector('#answer-text');
            box.focus();
            box.setSelectionRange(box.value.length, box.value.length);
            const data = new DataTransfer();
            data.setData('text/plain', text);
            box.dispatchEvent(new ClipboardEvent('paste', {
                clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        text,
    )


def stored(page: Any) -> None:
    """The answer was acknowledged: the page moved on (a follow-up or the last page)."""
    page.wait_for_function(
        "() => !document.querySelector('#finish').hidden || "
        "!document.querySelector('#question-context').hidden"
    )
    assert not page.is_visible("#error")


def test_typed_answer_counts_warns_and_stops_at_the_servers_limit(site, browser) -> None:  # type: ignore[no-untyped-def]
    page, link = open_typed(site, browser, "Counter Candidate")
    page.goto(link)
    page.wait_for_selector("#answer-text", state="visible")
    assert page.get_attribute("#answer-text", "maxlength") == str(LIMIT)
    assert page.inner_text("#answer-count") == f"0 / {LIMIT} characters"
    assert not page.is_visible("#answer-note")

    page.fill("#answer-text", "a" * 280)  # over 90 %: a warning
    assert page.inner_text("#answer-count") == f"280 / {LIMIT} characters"
    assert page.get_attribute("#answer-count", "data-state") == "near"
    assert "close to the limit" in page.inner_text("#answer-note")

    paste(page, "b" * 100)  # 20 fit; 80 are left out, and the page says so
    value = page.input_value("#answer-text")
    assert len(value) == LIMIT and value.endswith("b" * 20)
    assert page.inner_text("#answer-count") == f"{LIMIT} / {LIMIT} characters"
    assert page.get_attribute("#answer-count", "data-state") == "full"
    assert "80 characters were left out" in page.inner_text("#answer-note")

    page.keyboard.type("ccc")  # maxlength: typing at the limit adds nothing
    assert len(page.input_value("#answer-text")) == LIMIT

    page.click("#answer-submit")  # at the limit, not over: stored
    stored(page)
    page.close()


def test_a_refused_answer_is_said_plainly_and_submit_stays_submit(site, browser) -> None:  # type: ignore[no-untyped-def]
    page, link = open_typed(site, browser, "Older Page Candidate")

    def larger_limit(route: Any) -> None:
        """An older page's limit: more than the server stores, so the server refuses."""
        response = route.fetch()
        data = response.json()
        data["max_answer_chars"] = 10 * LIMIT
        route.fulfill(response=response, body=json.dumps(data))

    page.route("**/api/v1/interview/*", larger_limit)
    page.goto(link)
    page.wait_for_selector("#answer-text", state="visible")
    page.fill("#answer-text", "a" * (LIMIT + 100))
    page.click("#answer-submit")
    page.wait_for_selector("#error", state="visible")
    message = page.inner_text("#error")
    assert "not accepted" in message and "shorten it by 100 characters" in message, message
    assert page.inner_text("#answer-submit") == "Submit answer"  # not "Try again"
    assert page.is_enabled("#answer-submit")

    page.fill("#answer-text", "a" * LIMIT)  # shortened: accepted
    page.click("#answer-submit")
    stored(page)
    page.close()


def test_each_item_says_what_its_answer_mode_needs(site, browser) -> None:  # type: ignore[no-untyped-def]
    role = site.client().post(
        "/roles",
        json={"title": "Cashier", "language": "en", "max_questions": 1, "choice_items": 1},
        headers=site.hr,
    )
    assert role.status_code == 201, role.text
    invite = site.client().post(
        f"/roles/{role.json()['id']}/invitations",
        json={"candidate_name": "Items Candidate", "language": "en"},
        headers=site.hr,
    )
    token = invite.json()["token"]
    r = site.client().post(
        f"/interview/{token}/consent", json={"recording": False, "ai_assessment": True}
    )
    assert r.status_code == 201, r.text
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{site.server.base}/web/interview.html#{token}")
    page.wait_for_selector("#answer-text", state="visible")
    # A written question: a length in words, not a time.
    hint = page.inner_text("#question-time")
    assert "words" in hint and "minute" not in hint, hint
    for _ in range(3):  # the open question, and a follow-up if one is asked
        if page.is_visible("[data-testid=choice]"):
            break
        before = page.inner_text("#question-text")
        page.fill("#answer-text", "I counted the till twice and called my manager. " * 3)
        page.click("#answer-submit")
        page.wait_for_function(
            "q => document.querySelector('#question-text').textContent !== q", arg=before
        )
    page.wait_for_selector("[data-testid=choice]", state="visible")
    # A timed choice item: it asks a question and shows only its countdown.
    question = page.inner_text("#question-text").strip()
    assert question.endswith("?"), question
    assert not page.is_visible("#question-time")
    assert "minute" not in page.inner_text("#question")
    assert page.is_visible("#countdown") and "s left" in page.inner_text("#countdown")
    # On a phone the Submit button is on screen without scrolling.
    page.evaluate("() => window.scrollTo(0, 0)")
    box = page.locator("#answer-submit").bounding_box()
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / "choice-item-phone-390x844.png"))
    assert box is not None and box["y"] >= 0 and box["y"] + box["height"] <= 844, box
    page.close()


def test_a_reopened_link_says_the_review_request_was_sent(site, browser) -> None:  # type: ignore[no-untyped-def]
    page, link = open_typed(site, browser, "Review Candidate")
    token = link.split("#", 1)[1]
    c = site.client()
    for _ in range(4):  # the question, and a follow-up if one is asked
        shown = c.get(f"/interview/{token}").json()
        assert shown["review_requested_at"] is None
        pending = shown["pending_followup"]
        left = [q["id"] for q in shown["questions"] if q["id"] not in shown["answered"]]
        if not pending and not left:
            break
        qid = pending["id"] if pending else left[0]
        text = "I counted the till twice, found the error and told my manager at once."
        r = c.post(f"/interview/{token}/answers", json={"question_id": qid, "text": text})
        assert r.status_code == 201, r.text
    assert c.post(f"/interview/{token}/complete").status_code == 202

    page.goto(link)
    page.wait_for_selector("#thanks", state="visible")
    assert page.is_visible("#review-submit") and not page.is_visible("#review-done")
    page.fill("#review-reason", "My answer was cut short.")
    page.click("#review-submit")
    page.wait_for_selector("#review-done", state="visible")
    year = str(time.gmtime().tm_year)
    said = page.inner_text("#review-done")
    assert "You asked for a human review on" in said and year in said, said
    assert not page.is_visible("#review-submit")

    page.reload()  # reopened later: the request is remembered by the server, with its date
    page.wait_for_selector("#thanks", state="visible")
    page.wait_for_selector("#review-done", state="visible")
    assert page.inner_text("#review-done") == said
    assert not page.is_visible("#review-submit") and not page.is_visible("#review-reason")
    at = c.get(f"/interview/{token}").json()["review_requested_at"]
    again = c.post(f"/interview/{token}/review-request", json={"reason": "Again."})
    assert again.json()["requested_at"] == at  # asking twice keeps the first request
    page.close()


def test_a_timed_item_keeps_the_choice_when_time_runs_out_and_a_reload_resumes_it(
    site, browser
) -> None:  # type: ignore[no-untyped-def]
    from datetime import timedelta

    from sqlalchemy import select, update

    from interview.storage.tables import Answer, IntegrityEvent, InterviewSession, QuestionShown

    c = site.client()
    role = c.post(
        "/roles",
        json={"title": "Cashier", "language": "en", "max_questions": 1, "choice_items": 1},
        headers=site.hr,
    ).json()
    item = next(q for q in role["questions"] if q["choices"])
    inv = c.post(
        f"/roles/{role['id']}/invitations",
        json={"candidate_name": "Timed Candidate", "language": "en"},
        headers=site.hr,
    ).json()
    token = inv["token"]
    assert c.post(f"/interview/{token}/consent", json={"recording": False, "ai_assessment": True})
    page = browser.new_page(viewport={"width": 390, "height": 844})
    page.goto(f"{site.server.base}/web/interview.html#{token}")
    page.wait_for_selector("#question", state="visible")
    for _ in range(3):  # the open question, and a follow-up if one is asked
        if page.is_visible("[data-testid=choice]"):
            break
        page.wait_for_selector("#answer-text", state="visible")
        before = page.inner_text("#question-text")
        page.fill("#answer-text", "I counted the till twice and called my manager. " * 3)
        page.click("#answer-submit")
        page.wait_for_function(
            "q => document.querySelector('#question-text').textContent !== q", arg=before
        )
    page.wait_for_selector("[data-testid=choice]", state="visible")
    time.sleep(0.5)  # the page marked the item shown
    with site.db.session() as s:  # the item was shown long ago: a few seconds are left
        sid = s.scalar(select(InterviewSession.id).where(InterviewSession.id == inv["session_id"]))
        row = s.scalars(
            select(QuestionShown).where(
                QuestionShown.session_id == sid, QuestionShown.question_id == item["id"]
            )
        ).one()
        back = timedelta(seconds=item["time_limit_s"] - 6)
        s.execute(
            update(QuestionShown)
            .where(QuestionShown.id == row.id)
            .values(shown_at=row.shown_at - back)
        )
        s.commit()
    page.reload()
    page.wait_for_selector("[data-testid=choice]", state="visible")
    page.wait_for_function(
        "() => parseInt(document.querySelector('#countdown').textContent) <= 7"
    )  # resumed from the server's time, not the full limit
    page.locator("[data-testid=choice]").nth(1).check()
    page.wait_for_selector("#notice", state="visible", timeout=20_000)
    assert "your choice was saved" in page.inner_text("#notice")
    assert page.is_visible("#finish")
    with site.db.session() as s:
        answers = s.scalars(select(Answer).where(Answer.session_id == sid)).all()
        kept = [(a.kind, a.text) for a in answers if a.question_id == item["id"]]
        assert kept == [("choice", item["choices"][1]["id"])]
        kinds = set(s.scalars(select(IntegrityEvent.kind).where(IntegrityEvent.session_id == sid)))
    assert "page_load" in kinds  # the reload was said as such
    page.close()
