"""The machine-written-text check of each answer in the HR report, in a real Chromium.

A light page test: no model runs. The server stores a report written directly, whose
integrity summary holds three answers' results (a strong sign, no sign, one too short to
judge), beside the typed answers that name their questions. HR opens it in English and in
Chinese. Screenshots go to $INTERVIEW_TEST_ARTIFACTS/interview-machine-text (or /tmp).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from interview.integrity.summary import summarise
from interview.storage.db import Database
from interview.storage.tables import InterviewSession, Report
from tests.api.conftest import PASSWORD, seed_org
from tests.report.test_review import MACHINE_TEXT, _report
from tests.server import Server
from tests.web.conftest import open_report
from tests.web.test_browser import ARGS, CHROMIUM

ARTIFACTS = Path(os.environ.get("INTERVIEW_TEST_ARTIFACTS") or tempfile.gettempdir()) / (
    "interview-machine-text"
)
TYPED = "Because I like working with customers and I want to keep learning every day."


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, list[str]]]:
    """A server with one scored interview whose report holds the three results."""
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is not installed (make test installs it)")
    server = Server(tmp_path_factory.mktemp("machine-text") / "var")
    db = Database(server.database_url)
    db.upgrade()
    seed_org(db, "Acme", "acme.test")
    server.start()
    try:
        api = httpx.Client(base_url=f"{server.base}/api/v1", timeout=60)
        login = {"email": "admin@acme.test", "password": PASSWORD}
        hr = {"Authorization": f"Bearer {api.post('/auth/login', json=login).json()['token']}"}
        role = api.post(
            "/roles",
            json={"title": "Support agent", "max_questions": 3, "choice_items": 0},
            headers=hr,
        ).json()
        questions = [q for q in role["questions"] if q["kind"] != "choice"][:3]
        assert len(questions) == 3, role["questions"]
        inv = api.post(
            f"/roles/{role['id']}/invitations", json={"candidate_name": "Mo Text"}, headers=hr
        ).json()
        token = inv["token"]
        api.post(f"/interview/{token}/consent", json={"recording": False, "ai_assessment": True})
        for q in questions:
            r = api.post(
                f"/interview/{token}/answers", json={"question_id": q["id"], "text": TYPED}
            )
            assert r.status_code == 201, r.text
        ids = [q["id"] for q in questions]  # the fixture's a, b, c under the role's question ids
        results = {qid: MACHINE_TEXT[k] for qid, k in zip(ids, ("a", "b", "c"), strict=True)}
        summary = summarise([], ["machine_text"], machine_text=results)
        body = _report(name="Mo Text").model_dump(mode="json")
        body |= {
            "session_id": inv["session_id"],
            "integrity_summary": summary.model_dump(mode="json"),
        }
        with db.session() as s:
            s.add(
                Report(
                    session_id=inv["session_id"],
                    overall=62.5,
                    body=body,
                    created_at=datetime.now(UTC),
                )
            )
            sess = s.get(InterviewSession, inv["session_id"])
            assert sess is not None
            sess.status = "scored"
        yield server, inv["session_id"], [q["text"] for q in questions]
    finally:
        server.stop()
        db.dispose()


def _open(browser: Any, server: Server, sid: str, lang: str) -> Any:
    return open_report(browser, server, sid, lang, "[data-testid=machine-text-row]")


@pytest.mark.parametrize(
    ("lang", "bands", "evidence", "reason", "note"),
    [
        (
            "en",
            ["Written like a language model: strong sign",
             "Written like a language model: no sign"],
            ["Binoculars 0.723 (lower: more machine-like)", "score 0.912, flag above 0.800",
             "first 412 tokens, 305 words"],
            "Not judgedtoo short: 31 words, need 50",
            "A prompt for human review, never a verdict",
        ),
        (
            "zh",
            ["写法像语言模型：迹象明显", "写法像语言模型：无迹象"],
            ["Binoculars 值 0.723（越低越像机器所写）", "得分 0.912，超过 0.800 即提示",
             "前 412 个词元，305 词"],
            "未评估过短：31 词，需要 50 词",
            "这只是提请您人工复核的提示，绝非结论",
        ),
    ],
)  # fmt: skip
def test_hr_reads_each_answers_machine_text_check(
    site: tuple[Server, str, list[str]],
    lang: str,
    bands: list[str],
    evidence: list[str],
    reason: str,
    note: str,
) -> None:
    from playwright.sync_api import sync_playwright

    server, sid, questions = site
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = _open(browser, server, sid, lang)
        rows = page.locator("[data-testid=machine-text-row]")
        assert rows.count() == 3
        # Chinese numbers keep to their measure words with no-break spaces: read them as spaces.
        texts = [rows.nth(i).locator("td").all_text_contents() for i in range(3)]
        cells = [[c.replace("\xa0", " ").strip() for c in row] for row in texts]
        # Each row names its question by its text, in the interview's order.
        titles = [rows.nth(i).locator("td").first.get_attribute("title") for i in range(3)]
        assert titles == questions
        assert all(q.startswith(c[0].rstrip("…")) for c, q in zip(cells, questions, strict=True))
        assert [c[1] for c in cells[:2]] == bands
        assert cells[2][1] == reason
        for part in evidence:
            assert part in cells[0][2]
        assert "0.988" in cells[1][2] and "0.723" not in cells[1][2]
        assert note in (page.text_content("[data-testid=machine-text-note]") or "")
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        page.locator("[data-testid=report-integrity]").screenshot(
            path=str(ARTIFACTS / f"integrity-{lang}.png")
        )
        browser.close()
