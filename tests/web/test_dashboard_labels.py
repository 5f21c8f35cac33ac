"""A real Chromium on the HR dashboard's labels, in English and Chinese: the integrity column
says how much needs a person's look, not a verdict on honesty (the list's rows served at the
route); candidates' review requests in the list and on the report until answered, whole radar
labels and distinct Compare columns; each interview's progress in the list, refreshed by the
page until the report link appears (reports written directly, so no model runs)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import PASSWORD
from tests.web.conftest import module_site
from tests.web.test_browser import ARGS, CHROMIUM
from tests.web.test_recording import Site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from module_site(tmp_path_factory, "site-labels")


def row(level: str, n: int) -> dict[str, Any]:
    return {
        "id": f"s{n}", "candidate_id": f"c{n}", "candidate_name": f"Candidate {n}",
        "role_id": "r", "role_title": "Cashier", "status": "scored", "language": "en",
        "created_at": "2026-12-01T09:00:00Z", "overall": 70.0, "integrity": level,
    }  # fmt: skip


def test_integrity_column_says_how_much_needs_a_look(site) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    rows = [row(level, n) for n, level in enumerate(["high", "medium", "low"])]

    def serve(route: Any) -> None:
        route.fulfill(
            status=200,
            headers={"Content-Type": "application/json", "X-Total-Count": str(len(rows))},
            body=json.dumps(rows),
        )

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = b.new_page(viewport={"width": 1280, "height": 900})
            page.route("**/api/v1/sessions?*", serve)
            page.goto(f"{site.server.base}/web/hr.html")
            page.fill("#login-email", "admin@acme.test")
            page.fill("#login-password", PASSWORD)
            page.click("#login-submit")
            cells = page.locator("[data-testid=session-integrity]")
            cells.first.wait_for()
            assert cells.all_inner_texts() == ["A lot", "Some", "Little"]
            assert "not a judgement of honesty" in (cells.first.get_attribute("title") or "")
            header = page.locator("th[data-sort=integrity]").inner_text()
            assert header.lower() == "needs a look", header
            options = page.locator("#filter-integrity option").all_inner_texts()
            assert "High" not in options and "A lot" in options

            page.select_option("#lang-switch", "zh")
            page.wait_for_function(
                "() => document.querySelector('[data-testid=session-integrity]')"
                ".textContent === '较多'"
            )
            assert page.locator("[data-testid=session-integrity]").all_inner_texts() == [
                "较多", "一些", "很少",
            ]  # fmt: skip
            assert page.locator("th[data-sort=integrity]").inner_text() == "需人工查看"
            assert "诚信" not in page.locator("#filter-integrity").inner_text()
        finally:
            b.close()


def _seed_scored(site: Site, role: dict[str, Any], name: str, levels: list[int]) -> dict[str, Any]:
    """An invited candidate whose interview is scored with `levels` for the role's competencies
    (the report written directly: no model runs)."""
    from datetime import UTC, datetime

    from interview.storage.tables import InterviewSession, Report
    from tests.report.test_review import _report

    inv = site.client().post(
        f"/roles/{role['id']}/invitations", json={"candidate_name": name}, headers=site.hr
    )
    assert inv.status_code == 201, inv.text
    consent = {"recording": False, "ai_assessment": True}
    r = site.client().post(f"/interview/{inv.json()['token']}/consent", json=consent)
    assert r.status_code == 201, r.text
    body = _report(name=name).model_dump(mode="json")
    template = body["competencies"][0]
    body["competencies"] = [
        {**template, "competency_id": c["id"], "name": c["name"], "weight": c["weight"],
         "level": level, "value": float(level)}
        for c, level in zip(role["competencies"], levels, strict=True)
    ]  # fmt: skip
    body |= {"session_id": inv.json()["session_id"], "language": role["language"],
             "role_title": role["title"], "integrity": "low"}  # fmt: skip
    with site.db.session() as s:
        s.add(Report(session_id=body["session_id"], overall=body["overall"], body=body,
                     created_at=datetime.now(UTC)))  # fmt: skip
        sess = s.get(InterviewSession, body["session_id"])
        assert sess is not None
        sess.status = "scored"
    return inv.json()  # type: ignore[no-any-return]


def test_hr_sees_and_answers_review_requests_reads_every_radar_label_and_compare_column(
    site,  # type: ignore[no-untyped-def]
) -> None:
    """A candidate's request for a human review shows in the list (badge, filter) and on the
    report (reason, when, open) until a person answers it there; the radar's long labels
    ("Sales and persuasion") are whole inside the picture; Compare's columns all differ. In
    English and Chinese, with screenshots."""
    import os
    import tempfile
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    shots = Path(os.environ.get("INTERVIEW_TEST_ARTIFACTS") or tempfile.gettempdir())
    shots /= "interview-review-requests"
    shots.mkdir(parents=True, exist_ok=True)
    c = site.client()
    zh_role = c.post(
        "/roles",
        json={"title": "零售店员", "language": "zh", "max_questions": 1, "choice_items": 0},
        headers=site.hr,
    ).json()
    asker = _seed_scored(site, site.role, "Ana Asker", [4, 3, 4, 2, 3, 4])
    _seed_scored(site, site.role, "Bo Quiet", [3, 3, 3, 3, 3, 3])
    li = _seed_scored(site, zh_role, "李请求", [4, 3, 4, 2, 3, 4])
    for inv, reason in ((asker, "My connection dropped twice."), (li, "网络断了两次。")):
        r = c.post(f"/interview/{inv['token']}/review-request", json={"reason": reason})
        assert r.status_code == 201, r.text

    def badges(page: Any) -> dict[str, str]:
        out = {}
        for row in page.locator("[data-testid=session-row]").all():
            name = row.locator("[data-testid=session-candidate]").inner_text()
            badge = row.locator("[data-testid=session-review-request]")
            out[name] = badge.inner_text() if badge.count() else ""
        return out

    def radar_labels_fit(page: Any) -> list[str]:
        """The radar's labels, each whole and inside the picture's box."""
        return page.evaluate(
            """() => {
              const svg = document.querySelector('[data-testid=radar]');
              const vb = svg.viewBox.baseVal;
              return [...svg.querySelectorAll('.radar-label')].map((t) => {
                const b = t.getBBox();
                const inside = b.x >= vb.x && b.x + b.width <= vb.x + vb.width
                  && b.y >= vb.y && b.y + b.height <= vb.y + vb.height;
                return inside ? [...t.querySelectorAll('tspan')].map((s) => s.textContent).join(' ')
                  : 'CUT: ' + t.textContent;
              });
            }"""
        )

    def headers(page: Any) -> list[str]:
        return [x.strip() for x in page.locator("[data-testid=compare-table] th").all_inner_texts()]

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = b.new_page(viewport={"width": 1280, "height": 900})
            page.add_init_script("localStorage.setItem('interview.hr.lang', 'en')")
            page.goto(f"{site.server.base}/web/hr.html")
            page.fill("#login-email", "admin@acme.test")
            page.fill("#login-password", PASSWORD)
            page.click("#login-submit")
            page.locator("[data-testid=session-review-request]").first.wait_for()
            shown = badges(page)
            assert shown == {"Ana Asker": "Review requested", "Bo Quiet": "",
                             "李请求": "Review requested"}  # fmt: skip
            page.select_option("#filter-review-request", "open")
            page.wait_for_function(
                "() => document.querySelectorAll('[data-testid=session-row]').length === 2"
            )
            assert set(badges(page)) == {"Ana Asker", "李请求"}
            page.screenshot(path=str(shots / "list-en.png"), full_page=True)

            page.goto(f"{site.server.base}/web/hr.html#/report/{asker['session_id']}")
            box = page.locator("[data-testid=review-request]")
            box.wait_for()
            assert "My connection dropped twice." in box.inner_text()
            assert "Asked on" in box.inner_text()
            status = box.locator("[data-testid=review-request-status]")
            assert status.get_attribute("data-state") == "open"
            assert "no person has answered it yet" in status.inner_text()
            labels = radar_labels_fit(page)
            assert "Sales and persuasion" in labels and not any("CUT" in x for x in labels), labels
            page.locator(".report-top").screenshot(path=str(shots / "radar-en.png"))
            box.screenshot(path=str(shots / "request-open-en.png"))
            page.fill("[data-testid=review-request-note]", "too short")
            page.click("[data-testid=review-request-submit]")
            assert "at least 10" in page.locator("#error").inner_text()
            page.fill("[data-testid=review-request-note]", "Watched both recordings; levels stand.")
            page.click("[data-testid=review-request-submit]")
            page.wait_for_selector("[data-testid=review-request-status][data-state=answered]")
            box = page.locator("[data-testid=review-request]")
            assert "Answered by Admin" in box.inner_text()
            assert "Watched both recordings; levels stand." in box.inner_text()
            assert page.locator("[data-testid=review-request-note]").count() == 0
            trail = page.locator("[data-testid=audit-trail]").text_content() or ""
            assert "asked for a human review" in trail and "answered the review request" in trail
            box.screenshot(path=str(shots / "request-answered-en.png"))

            page.goto(f"{site.server.base}/web/hr.html#/compare/{site.role['id']}")
            page.locator(
                f"[data-testid=compare-row][data-session-id='{asker['session_id']}']"
            ).wait_for()
            cols = headers(page)
            assert len(cols) == len(set(cols)), cols
            assert [x.lower() for x in cols].count("integrity") == 1  # the competency
            assert "needs a look" in [x.lower() for x in cols]
            assert page.locator("[data-testid=compare-levels-col]").inner_text().lower() == (
                "competency levels after review (1–5)"
            )
            page.screenshot(path=str(shots / "compare-en.png"), full_page=True)

            page.select_option("#lang-switch", "zh")
            page.goto(f"{site.server.base}/web/hr.html#/")
            page.wait_for_function(
                "() => [...document.querySelectorAll('[data-testid=session-review-request]')]"
                ".some((b) => b.textContent === '请求人工复核')"
            )
            page.select_option("#filter-review-request", "")
            page.wait_for_function(
                "() => document.querySelectorAll('[data-testid=session-row]').length === 3"
            )
            shown = badges(page)
            assert shown == {"Ana Asker": "复核请求已答复", "Bo Quiet": "",
                             "李请求": "请求人工复核"}  # fmt: skip
            options = page.locator("#filter-review-request option").all_inner_texts()
            assert options == ["全部", "已请求，未答复", "已请求，已答复", "已请求复核"]
            page.screenshot(path=str(shots / "list-zh.png"), full_page=True)

            page.goto(f"{site.server.base}/web/hr.html#/report/{li['session_id']}")
            box = page.locator("[data-testid=review-request]")
            box.wait_for()
            assert "候选人请求人工复核" in box.inner_text() and "网络断了两次。" in box.inner_text()
            assert "待答复" in box.inner_text()
            labels = radar_labels_fit(page)
            assert "销售与说服能力" in [x.replace(" ", "") for x in labels], labels
            assert not any("CUT" in x for x in labels), labels
            page.locator(".report-top").screenshot(path=str(shots / "radar-zh.png"))
            box.screenshot(path=str(shots / "request-open-zh.png"))

            page.goto(f"{site.server.base}/web/hr.html#/compare/{zh_role['id']}")
            page.locator(
                f"[data-testid=compare-row][data-session-id='{li['session_id']}']"
            ).wait_for()
            cols = headers(page)
            assert len(cols) == len(set(cols)) and "需人工查看" in cols and "诚信正直" in cols, cols
            assert "复核后的胜任力等级（1–5）" in cols
            page.screenshot(path=str(shots / "compare-zh.png"), full_page=True)
        finally:
            b.close()


def test_progress_cell_moves_on_its_own_and_the_report_link_appears_without_a_reload(
    site,  # type: ignore[no-untyped-def]
) -> None:
    """The list's progress cell for each stage (rows written directly; jobs leased or due
    later, so the server's worker leaves them alone): not started, answering with k of n
    recordings processed, processing answers, scoring, scoring failed (with Score again for
    a writer), report ready. The page asks again by itself while a row is unfinished: a
    perception stored and a report written show up without a reload. English and Chinese,
    with screenshots."""
    import os
    import tempfile
    from datetime import UTC, datetime, timedelta
    from pathlib import Path

    from playwright.sync_api import sync_playwright

    from interview.storage import jobs
    from interview.storage.tables import Answer, InterviewSession, Job

    shots = Path(os.environ.get("INTERVIEW_TEST_ARTIFACTS") or tempfile.gettempdir())
    shots /= "interview-progress"
    shots.mkdir(parents=True, exist_ok=True)
    c = site.client()
    role = c.post(
        "/roles",
        json={"title": "Barista", "language": "en", "max_questions": 1, "choice_items": 0},
        headers=site.hr,
    ).json()
    ids = {}
    for name in ("Ida Invited", "Ann Answering", "Pia Processing", "Sam Scoring", "Fay Failed"):
        inv = c.post(
            f"/roles/{role['id']}/invitations", json={"candidate_name": name}, headers=site.hr
        )
        assert inv.status_code == 201, inv.text
        ids[name] = inv.json()["session_id"]
    ready = _seed_scored(site, role, "Rex Ready", [3] * len(role["competencies"]))
    now = datetime.now(UTC)
    later = now + timedelta(hours=1)
    perceived = {"transcript": {"text": "hello", "status": "ok"}}
    with site.db.session() as s:
        for name in ("Ann Answering", "Pia Processing", "Sam Scoring", "Fay Failed"):
            status = "started" if name == "Ann Answering" else "completed"
            sess = s.get(InterviewSession, ids[name])
            assert sess is not None
            sess.status = status
        rows = {}
        for name, qid, transcript in (("Ann Answering", "q1", perceived),
                                      ("Ann Answering", "q2", None),
                                      ("Pia Processing", "q1", perceived),
                                      ("Pia Processing", "q2", None),
                                      ("Pia Processing", "q3", None)):  # fmt: skip
            row = Answer(session_id=ids[name], question_id=qid, kind="audio", media=["ab" * 32],
                         transcript=transcript, created_at=now)  # fmt: skip
            s.add(row)
            s.flush()
            rows[(name, qid)] = row.id
        for kind, key, status in (
            (jobs.PERCEIVE_JOB, f"perceive:{rows[('Pia Processing', 'q2')]}", "running"),
            (jobs.SCORE_JOB, jobs.score_key(ids["Pia Processing"]), "queued"),
            (jobs.SCORE_JOB, jobs.score_key(ids["Sam Scoring"]), "running"),
            (jobs.SCORE_JOB, jobs.score_key(ids["Fay Failed"]), "failed"),
        ):
            lease = later if status == "running" else None
            s.add(Job(kind=kind, key=key, payload={}, status=status, run_after=later,
                      lease_until=lease, created_at=now))  # fmt: skip

    def cells(page: Any) -> dict[str, tuple[str, str]]:
        out = {}
        for row in page.locator("[data-testid=session-row]").all():
            name = row.locator("[data-testid=session-candidate]").inner_text()
            cell = row.locator("[data-testid=session-progress]")
            out[name] = (
                cell.get_attribute("data-state") or "",
                " ".join(cell.inner_text().split()),
            )
        return out

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = b.new_page(viewport={"width": 1280, "height": 900})
            page.add_init_script("localStorage.setItem('interview.hr.lang', 'en')")
            page.goto(f"{site.server.base}/web/hr.html")
            page.fill("#login-email", "admin@acme.test")
            page.fill("#login-password", PASSWORD)
            page.click("#login-submit")
            page.locator("#filter-role option").nth(1).wait_for(state="attached")
            page.select_option("#filter-role", role["id"])
            page.wait_for_function(
                "() => document.querySelectorAll('[data-testid=session-row]').length === 6"
            )
            assert page.locator("th", has_text="Progress").count() == 1
            assert cells(page) == {
                "Ida Invited": ("invited", "Not started"),
                "Ann Answering": ("answering", "Answering 1 of 2 recordings processed"),
                "Pia Processing": ("processing", "Processing answers (1 of 3)"),
                "Sam Scoring": ("scoring", "Scoring…"),
                "Fay Failed": ("failed", "Scoring failed Score again"),
                "Rex Ready": ("ready", "Report ready"),
            }, cells(page)
            link = page.locator(
                f"[data-session-id='{ready['session_id']}'] [data-testid=progress-report-link]"
            )
            assert link.get_attribute("href") == f"#/report/{ready['session_id']}"
            page.screenshot(path=str(shots / "list-en.png"), full_page=True)

            # The candidate's second recording is perceived; Sam's report is written. No reload.
            page.evaluate("window.__sameDocument = true")
            with site.db.session() as s:
                answer = s.get(Answer, rows[("Ann Answering", "q2")])
                assert answer is not None
                answer.transcript = perceived
            _write_report(site, ids["Sam Scoring"])
            sam = f"[data-session-id='{ids['Sam Scoring']}']"
            page.locator(f"{sam} [data-testid=progress-report-link]").wait_for(timeout=20_000)
            page.wait_for_function(
                f"""() => document.querySelector("[data-session-id='{ids["Ann Answering"]}'] """
                """[data-testid=session-progress]").textContent.includes('2 of 2')"""
            )
            assert page.evaluate("window.__sameDocument") is True  # no reload happened
            assert page.locator(f"{sam} [data-testid=report-button]").count() == 1
            assert cells(page)["Sam Scoring"] == ("ready", "Report ready")
            page.screenshot(path=str(shots / "list-en-after.png"), full_page=True)

            page.select_option("#lang-switch", "zh")
            page.wait_for_function(
                "() => document.querySelector('[data-testid=session-progress][data-state=failed]')"
                "?.textContent.includes('评分失败')"
            )
            assert page.locator("th", has_text="进度").count() == 1
            zh = cells(page)
            assert zh["Ida Invited"] == ("invited", "尚未开始")
            assert zh["Ann Answering"] == ("answering", "作答中 已处理 2 / 2 段录音")
            assert zh["Pia Processing"] == ("processing", "正在处理回答（1 / 3）")
            assert zh["Fay Failed"] == ("failed", "评分失败 重新评分")
            assert zh["Rex Ready"] == zh["Sam Scoring"] == ("ready", "报告已就绪")
            page.screenshot(path=str(shots / "list-zh.png"), full_page=True)
        finally:
            b.close()


def _write_report(site: Site, session_id: str) -> None:
    """What the score job writes when it is done: the report, the status, the job done."""
    from datetime import UTC, datetime

    from sqlalchemy import select

    from interview.storage import jobs
    from interview.storage.tables import InterviewSession, Job, Report
    from tests.report.test_review import _report

    body = _report(name="Sam Scoring").model_dump(mode="json") | {"session_id": session_id}
    now = datetime.now(UTC)
    with site.db.session() as s:
        s.add(Report(session_id=session_id, overall=body["overall"], body=body, created_at=now))
        sess = s.get(InterviewSession, session_id)
        assert sess is not None
        sess.status = "scored"
        job = s.scalar(select(Job).where(Job.key == jobs.score_key(session_id)))
        assert job is not None
        job.status, job.finished_at = "done", now
