"""The HR dashboard in a real Chromium against a real server process.

One scored interview with a video answer (the shared clip's picture with JFK's speech, as
VP8/Opus WebM, perceived and scored by the real models) is made through the API first. Then
an admin signs in, creates a role from a job description, invites a candidate, opens the
scored report, plays the answer and jumps to an evidence quote, changes a level with a
reason, records the decision, downloads the PDF and exports the CSV, and visits compare,
fairness, users and settings, in English and Chinese. A reviewer cannot reach the admin
pages and a hiring manager cannot change scores, in the page and through the API.
Screenshots of every page go to $INTERVIEW_TEST_ARTIFACTS/interview-dashboard (or /tmp).
"""

from __future__ import annotations

import csv
import io
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from pypdf import PdfReader

from interview.storage.db import Database
from interview.storage.tables import InterviewSession, Report
from tests.api.conftest import PASSWORD, seed_org
from tests.api.test_flow import FULL_STAR, STRONG
from tests.conftest import SHARED
from tests.report.test_review import _report
from tests.server import Server
from tests.web.test_browser import ARGS, CHROMIUM

CLIP = SHARED / "data" / "video" / "one_person_center.mp4"
JFK = SHARED / "data" / "audio" / "jfk.flac"
ARTIFACTS = Path(os.environ.get("INTERVIEW_TEST_ARTIFACTS") or tempfile.gettempdir()) / (
    "interview-dashboard"
)
JOB_DESCRIPTION = (
    "Answer customer calls and chats about orders, deliveries and refunds. Calm upset "
    "customers, solve problems on the first contact where possible, log every case and "
    "work with the warehouse team on late parcels. Shifts include weekends."
)
REASON = "The answer gives a concrete situation and a measurable result."


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


class Site:
    """A server process with the Acme organization (one user per HR role) and one scored
    interview whose first answer is a video."""

    def __init__(self, root: Path, webm: bytes) -> None:
        self.server = Server(root / "var", INTERVIEW_INTEGRITY_TEXT_CHECKS="0")
        self.db = Database(self.server.database_url)
        self.db.upgrade()
        seed_org(self.db, "Acme", "acme.test")
        self.server.start()
        self.api = httpx.Client(base_url=f"{self.server.base}/api/v1", timeout=120)
        self.hr = self.headers("admin@acme.test")
        role = self.api.post(
            "/roles",
            json={"title": "Customer service agent", "max_questions": 3, "choice_items": 0},
            headers=self.hr,
        )
        assert role.status_code == 201, role.text
        self.role = role.json()
        inv = self.api.post(
            f"/roles/{self.role['id']}/invitations",
            json={"candidate_name": "Jo Video", "email": "jo@example.com"},
            headers=self.hr,
        ).json()
        self.session_id, token = inv["session_id"], inv["token"]
        self.api.post(
            f"/interview/{token}/consent", json={"recording": True, "ai_assessment": True}
        )
        q1, q2, q3 = (q["id"] for q in self.role["questions"])
        up = self.api.post(
            f"/interview/{token}/media",
            data={"question_id": q1},
            files={"file": ("answer.webm", webm, "video/webm")},
        )
        assert up.status_code == 201, up.text
        for q, text in ((q2, STRONG), (q3, FULL_STAR)):
            typed = self.api.post(
                f"/interview/{token}/answers", json={"question_id": q, "text": text}
            )
            assert typed.status_code == 201, typed.text
        job = self.api.post(f"/interview/{token}/complete").json()["job_id"]
        deadline = time.time() + 300
        while time.time() < deadline:
            state = self.api.get(f"/jobs/{job}", headers=self.hr).json()
            if state["status"] in ("done", "failed"):
                break
            time.sleep(0.5)
        assert state["status"] == "done", (state, self.server.tail())
        self.video_question = q1
        self.token = token
        self.fair_role = self.seed_fairness()

    def seed_fairness(self) -> dict[str, Any]:
        """A second role whose candidates reported groups, with reports written directly:
        Group A 6 of 10 advanced, Group B 3 of 10 (ratio 0.5), Group C 3 (too few to show)."""
        persona = {"name": "Alex Chen", "greeting": {"en": "Hi, I'm Alex. Take your time."}}
        r = self.api.put("/organization/persona", json=persona, headers=self.hr)
        assert r.status_code == 200, r.text
        groups = {"groups": ["Group A", "Group B", "Group C"]}
        r = self.api.put("/organization/self-report-groups", json=groups, headers=self.hr)
        assert r.status_code == 200, r.text
        role = self.api.post(
            "/roles", json={"title": "Warehouse picker", "max_questions": 1}, headers=self.hr
        ).json()
        body = _report().model_dump(mode="json")
        now = datetime.now(UTC)
        for group, n, advanced in (("Group A", 10, 6), ("Group B", 10, 3), ("Group C", 3, 1)):
            for i in range(n):
                inv = self.api.post(
                    f"/roles/{role['id']}/invitations",
                    json={"candidate_name": f"{group} {i}"},
                    headers=self.hr,
                ).json()
                self.api.post(f"/interview/{inv['token']}/self-report", json={"group": group})
                band = "advance" if i < advanced else "not_now"
                with self.db.session() as s:
                    s.add(
                        Report(
                            session_id=inv["session_id"],
                            overall=80.0 if i < advanced else 30.0,
                            body={**body, "session_id": inv["session_id"], "band": band},
                            created_at=now,
                        )
                    )
                    sess = s.get(InterviewSession, inv["session_id"])
                    assert sess is not None
                    sess.status = "scored"
        return role  # type: ignore[no-any-return]

    def headers(self, email: str) -> dict[str, str]:
        r = self.api.post("/auth/login", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}

    @property
    def hr_url(self) -> str:
        return f"{self.server.base}/web/hr.html"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is not installed (make test installs it)")
    root = tmp_path_factory.mktemp("dashboard")
    webm = root / "answer.webm"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", "-i", str(CLIP), "-i", str(JFK), "-map", "0:v",
         "-map", "1:a", "-vf", "scale=-2:360,fps=15", "-c:v", "libvpx", "-deadline", "realtime",
         "-cpu-used", "8", "-b:v", "400k", "-c:a", "libopus", "-b:a", "48k", "-ac", "1",
         "-shortest", str(webm)],
        check=True,
        timeout=120,
    )  # fmt: skip
    s = Site(root, webm.read_bytes())
    yield s
    s.server.stop()
    s.db.dispose()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM, args=[*ARGS, "--autoplay-policy=no-user-gesture-required"]
        )
        yield b
        b.close()


def sign_in(browser: Any, site: Site, email: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.goto(site.hr_url)
    page.fill("#login-email", email)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("[data-testid=candidates-panel]", state="visible")
    return page


def api_status(page: Any, method: str, path: str, body: object = None) -> int:
    """An API call from inside the page, with the token the page holds."""
    return int(
        page.evaluate(
            """async ([method, path, body]) => {
                const token = sessionStorage.getItem('interview.hr.token');
                const r = await fetch('/api/v1' + path, {method, headers: {
                    'Authorization': 'Bearer ' + token, 'Content-Type': 'application/json'},
                    body: body === null ? undefined : JSON.stringify(body)});
                return r.status;
            }""",
            [method, path, body],
        )
    )


def test_admin_sets_up_invites_reviews_and_downloads(site: Site, browser: Any) -> None:
    page = sign_in(browser, site, "admin@acme.test")
    shot(page, "01-home")

    # A role from a job description: a competency model and questions to edit.
    page.click("[data-testid=role-create] summary")
    page.fill("#role-title", "Online customer support")
    page.fill("#role-description", JOB_DESCRIPTION)
    page.click("#role-submit")
    page.wait_for_selector("[data-testid=setup-title]", state="visible", timeout=60_000)
    assert page.text_content("[data-testid=setup-title]") == "Online customer support"
    assert page.locator("[data-testid=competency-row]").count() >= 2
    assert page.locator("[data-testid=role-questions] [data-testid=question-item]").count() >= 2
    first_weight = page.locator("[data-testid=weight-input]").first
    first_weight.fill("60")
    first_weight.dispatch_event("change")
    coverage = page.locator("[data-testid=role-coverage-text]")
    assert coverage.get_attribute("data-complete") == "yes", coverage.text_content()
    # Where the job is done: what the questions were chosen for.
    assert "contact centre" in (page.text_content("[data-testid=role-coverage]") or "")
    page.fill("[data-testid=max-questions]", "1")
    page.click("[data-testid=preview-plan]")
    page.wait_for_selector("[data-testid=preview-questions] [data-testid=question-item]")
    # One open question cannot cover the role: the preview names what would not be asked.
    short = page.locator("[data-testid=preview-coverage-text]")
    assert short.get_attribute("data-complete") == "no"
    assert "Not asked:" in (short.text_content() or "")
    page.select_option("[data-testid=scoring-profile]", "eu")
    assert page.is_disabled("[data-testid=scoring-presence]")
    assert page.input_value("[data-testid=weight-presence]") == "0"
    shot(page, "02-role-setup")

    # Invite a candidate: a link to copy, with its expiry.
    page.fill("#view-role [data-testid=invite-name]", "Mei Lin")
    page.fill("#view-role [data-testid=invite-days]", "7")
    page.click("#view-role [data-testid=invite-submit]")
    page.wait_for_selector("#view-role [data-testid=invite-link]")
    link = page.input_value("#view-role [data-testid=invite-link]")
    assert "/web/interview.html#" in link
    token = link.rsplit("#", 1)[1]
    assert httpx.get(f"{site.server.base}/api/v1/interview/{token}").status_code == 200
    shot(page, "03-invited")

    # The scored report: radar, integrity, the video and its evidence.
    page.goto(f"{site.hr_url}#/")
    page.wait_for_selector("#page-info >> text=/of 2/")  # 24 seeded + 2: two pages of 20
    shot(page, "04-candidates")
    page.fill("#filter-search", "mei")
    page.wait_for_function(
        "() => document.querySelectorAll('[data-testid=session-row]').length === 1"
    )
    assert "Mei Lin" in (page.text_content("[data-testid=session-row][data-status=invited]") or "")
    # A new link for her: the old one stops working, the new one opens her interview, where
    # the organization's interviewer persona greets her.
    page.click("[data-testid=session-row] [data-testid=renew-link]")
    fresh = page.input_value("[data-testid=session-row] [data-testid=invite-link]")
    assert fresh != link and "/web/interview.html#" in fresh
    assert httpx.get(f"{site.server.base}/api/v1/interview/{token}").status_code == 404
    candidate = browser.new_page(viewport={"width": 390, "height": 800})
    candidate.goto(fresh)
    candidate.wait_for_selector("[data-testid=persona-name]", state="visible")
    assert candidate.text_content("[data-testid=persona-name]") == "Alex Chen"
    shot(candidate, "04b-candidate-persona")
    candidate.close()
    page.fill("#filter-search", "")
    page.wait_for_selector(f"#filter-role option[value='{site.role['id']}']", state="attached")
    page.select_option("#filter-role", site.role["id"])
    row = f"[data-testid=session-row][data-session-id='{site.session_id}']"
    page.wait_for_selector(row)
    page.click(f"{row} [data-testid=report-button]")
    page.wait_for_selector("#report-overall")
    assert page.locator("[data-testid=radar] [data-testid=radar-machine]").count() == 1
    assert page.text_content("[data-testid=report-candidate]") == "Jo Video"
    play = page.locator(
        f"[data-testid=evidence-play][data-question-id='{site.video_question}']"
    ).first
    start = float(play.get_attribute("data-start") or "nan")
    assert 0 <= start <= 12
    page.wait_for_function(
        "() => { const v = document.querySelector('#player'); return v && v.readyState >= 1; }"
    )
    play.click()
    page.wait_for_function(
        """(start) => { const v = document.querySelector('#player');
            return !v.seeking && v.readyState >= 2 && Math.abs(v.currentTime - start) < 1.5; }""",
        arg=start,
        timeout=20_000,
    )
    current = page.evaluate("() => document.querySelector('#player').currentTime")
    assert abs(current - start) < 1.5, (current, start)
    page.wait_for_selector("[data-testid=transcript-word].on", timeout=20_000)  # words follow
    assert page.locator("[data-testid=transcript-word]").count() > 10
    page.evaluate("() => document.querySelector('#player').pause()")
    shot(page, "05-report")

    # A level changed with a reason: the short reason is refused, the real one kept.
    comp = page.locator("[data-testid=report-competency]").first
    level = int((comp.locator("[data-testid=competency-level]").text_content() or "")[6])
    new = 5 if level < 5 else 1
    comp.locator("[data-testid=override-toggle]").click()
    comp.locator("[data-testid=override-level]").select_option(str(new))
    comp.locator("[data-testid=override-reason]").fill("too short")
    comp.locator("[data-testid=override-submit]").click()
    assert "10" in (page.text_content("#error") or "")
    comp.locator("[data-testid=override-reason]").fill(REASON)
    comp.locator("[data-testid=override-submit]").click()
    page.wait_for_selector("[data-testid=competency-reviewed-level]")
    assert REASON in (page.text_content("[data-testid=review-changes]") or "")
    assert page.locator("[data-testid=report-reviewed-overall]").count() == 1
    assert page.locator("[data-testid=radar-reviewed]").count() == 1
    page.select_option("[data-testid=decision-choice]", "advance")
    page.fill("[data-testid=decision-reason]", "Strong, specific examples in both answers.")
    page.click("[data-testid=decision-submit]")
    page.wait_for_selector("[data-testid=review-decision][data-decision=advance]")
    page.click("[data-testid=review-panel] details.audit summary")
    actions = page.locator("[data-testid=audit-trail] li").evaluate_all(
        "els => els.map(e => e.dataset.action)"
    )
    assert "review.override" in actions and "review.decision" in actions
    # Who looked is there too: the report views and the recording played, with the address.
    assert "report.view" in actions and "media.open" in actions
    assert page.locator("[data-testid=audit-ip]").count() >= 2
    shot(page, "06-reviewed")

    # Downloads: the PDF holds the name and scores; the JSON the review.
    with page.expect_download() as dl:
        page.click("[data-testid=download-pdf]")
    pdf = Path(dl.value.path()).read_bytes()
    assert pdf.startswith(b"%PDF")
    text = " ".join(" ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages).split())
    assert "Jo Video" in text and (page.text_content("#report-overall") or "x") in text
    with page.expect_download() as dl:
        page.click("[data-testid=download-json]")
    assert '"decision": "advance"' in Path(dl.value.path()).read_text()

    # The progress list: filter, then export what is shown as CSV.
    page.goto(f"{site.hr_url}#/")
    page.wait_for_selector("[data-testid=session-row]")
    page.select_option("#filter-status", "reviewed")
    page.wait_for_function(
        "() => [...document.querySelectorAll('[data-testid=session-row]')]"
        ".every(r => r.dataset.status === 'reviewed')"
    )
    with page.expect_download() as dl:
        page.click("#sessions-export")
    rows = list(csv.reader(io.StringIO(Path(dl.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][0] == "candidate" and [r[0] for r in rows[1:]] == ["Jo Video"]
    assert rows[1][rows[0].index("decision")] == "advance"
    shot(page, "07-filtered")

    page.goto(f"{site.hr_url}#/compare/{site.role['id']}")
    page.wait_for_selector("[data-testid=compare-row]")
    assert "✎" in (page.text_content("[data-testid=compare-table]") or "")
    shot(page, "08-compare")
    page.goto(f"{site.hr_url}#/fairness/{site.fair_role['id']}")
    page.wait_for_selector("[data-testid=fairness-warning]", state="visible")
    ratios = {
        row.get_attribute("data-group"): row.locator("[data-testid=fairness-ratio]").text_content()
        for row in page.locator("[data-testid=fairness-row][data-suppressed=false]").all()
    }
    assert ratios == {"Group A": "1.00", "Group B": "0.50"}
    suppressed = page.locator("[data-testid=fairness-row][data-suppressed=true]")
    assert suppressed.get_attribute("data-group") == "Group C"
    assert "5" in (suppressed.text_content() or "")
    shot(page, "09-fairness")
    page.goto(f"{site.hr_url}#/users")
    page.wait_for_selector("[data-testid=user-row]")
    assert page.locator("[data-testid=user-row]").count() == 4
    shot(page, "10-users")
    page.goto(f"{site.hr_url}#/settings")
    page.wait_for_selector("#view-settings [data-testid=persona-editor]")
    shot(page, "11-settings")

    # Chinese: the same report, every label translated.
    page.select_option("#lang-switch", "zh")
    page.goto(f"{site.hr_url}#/report/{site.session_id}")
    page.wait_for_selector("#report-overall")
    assert page.text_content("[data-testid=nav-home]") == "候选人"
    assert "人工复核" in (page.text_content("[data-testid=review-panel]") or "")
    shot(page, "12-report-zh")
    page.select_option("#lang-switch", "en")
    page.close()


def test_reviewer_and_hiring_manager_are_kept_to_their_part(site: Site, browser: Any) -> None:
    reviewer = sign_in(browser, site, "reviewer@acme.test")
    missing = reviewer.evaluate("() => import('/web/hr-i18n.js').then(m => m.MISSING_ZH)")
    assert missing == []  # every dashboard string has its Chinese
    assert reviewer.is_hidden("[data-testid=nav-users]")
    assert reviewer.is_hidden("[data-testid=role-create]")
    assert reviewer.locator("[data-testid=invite-toggle]").count() == 0
    for page_name in ("users", "settings"):
        reviewer.goto(f"{site.hr_url}#/{page_name}")
        reviewer.wait_for_selector("[data-testid=denied]", state="visible")
    shot(reviewer, "13-reviewer-denied")
    assert api_status(reviewer, "GET", "/users") == 403
    assert api_status(reviewer, "POST", "/roles", {"title": "Nurse"}) == 403
    reviewer.goto(f"{site.hr_url}#/role/{site.role['id']}")
    reviewer.wait_for_selector("[data-testid=setup-readonly]")
    assert reviewer.locator("[data-testid=save-competencies]").count() == 0
    reviewer.close()

    manager = sign_in(browser, site, "hiring_manager@acme.test")
    manager.goto(f"{site.hr_url}#/report/{site.session_id}")
    manager.wait_for_selector("#report-overall")
    assert manager.locator("[data-testid=override]").count() == 0
    assert manager.locator("[data-testid=decision-form]").count() == 0
    assert manager.is_visible("[data-testid=review-readonly]")
    comp = site.api.get(f"/sessions/{site.session_id}/report", headers=site.hr).json()
    cid = comp["competencies"][0]["competency_id"]
    status = api_status(
        manager,
        "POST",
        f"/sessions/{site.session_id}/overrides",
        {"competency_id": cid, "level": 2, "reason": "I would like it lower, please."},
    )
    assert status == 403
    shot(manager, "14-manager-report")
    # Signing out ends the token on the server: a copy of it kept elsewhere stops working.
    token = manager.evaluate("() => sessionStorage.getItem('interview.hr.token')")
    manager.click("#signout")
    manager.wait_for_selector("#login-form", state="visible")
    mine = {"Authorization": f"Bearer {token}"}
    manager.wait_for_function("() => sessionStorage.getItem('interview.hr.token') === null")
    assert site.api.get("/auth/me", headers=mine).status_code == 401
    manager.close()

    # The candidate's voluntary self-report, on their thank-you page.
    candidate = browser.new_page(viewport={"width": 390, "height": 800})
    candidate.goto(f"{site.server.base}/web/interview.html#{site.token}")
    candidate.wait_for_selector("[data-testid=self-report]", state="visible")
    candidate.check("[data-testid=self-report] input[value='Group B']")
    candidate.click("[data-testid=self-report-submit]")
    candidate.wait_for_selector("[data-testid=self-report-done]", state="visible")
    shot(candidate, "15-candidate-self-report")
    mine = site.api.get(f"/interview/{site.token}/self-report").json()
    assert mine["chosen"] == "Group B"
    candidate.close()
