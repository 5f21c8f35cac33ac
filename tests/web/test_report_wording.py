"""The HR report says in words what the server keeps as keys, in a real Chromium (issue 17).

A light page test: no model runs. A Chinese interview's report is written directly (evidence
of every kind, a chosen option, a medium and a low flag) under the role's real question ids,
beside the candidate's answers that name the questions. HR opens it in Chinese and in
English: no internal id, no raw key, no English reason in the Chinese page. Screenshots go
to $INTERVIEW_TEST_ARTIFACTS/interview-report-wording (or /tmp).
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from interview.storage.db import Database
from interview.storage.tables import InterviewSession, Report
from tests.api.conftest import PASSWORD, seed_org
from tests.report.test_review import _zh_report
from tests.server import Server
from tests.web.conftest import open_report
from tests.web.test_browser import CHROMIUM

ARTIFACTS = Path(os.environ.get("INTERVIEW_TEST_ARTIFACTS") or tempfile.gettempdir()) / (
    "interview-report-wording"
)
TYPED = "那天店里人很多，我先给同事分好区域，自己负责处理退货和投诉。"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Server, str, list[str]]]:
    """A server with one Chinese interview: a typed answer and a chosen option, and a report
    that cites both under the role's question ids."""
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is not installed (make test installs it)")
    server = Server(tmp_path_factory.mktemp("wording") / "var")
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
            json={"title": "餐厅服务员", "language": "zh", "max_questions": 2, "choice_items": 1},
            headers=hr,
        ).json()
        typed = next(q for q in role["questions"] if not q.get("choices"))
        item = next(q for q in role["questions"] if q.get("choices"))
        inv = api.post(
            f"/roles/{role['id']}/invitations",
            json={"candidate_name": "李雷", "language": "zh"},
            headers=hr,
        ).json()
        token = inv["token"]
        api.post(f"/interview/{token}/consent", json={"recording": False, "ai_assessment": True})
        for body in (
            {"question_id": typed["id"], "text": TYPED},
            {"question_id": item["id"], "choice_id": item["choices"][0]["id"]},
        ):
            r = api.post(f"/interview/{token}/answers", json=body)
            assert r.status_code == 201, r.text
        # The fixture's ids become the role's: the page must name them by their words.
        text = _zh_report().model_dump_json()
        text = text.replace("hospitality:s1", typed["id"]).replace("item:sjt_change", item["id"])
        body = json.loads(text) | {"session_id": inv["session_id"]}
        with db.session() as s:
            s.add(
                Report(
                    session_id=inv["session_id"],
                    overall=body["overall"],
                    body=body,
                    created_at=datetime.now(UTC),
                )
            )
            sess = s.get(InterviewSession, inv["session_id"])
            assert sess is not None
            sess.status = "scored"
        yield server, inv["session_id"], [typed["id"], item["id"], typed["text"]]
    finally:
        server.stop()
        db.dispose()


def _open(browser: Any, server: Server, sid: str, lang: str) -> Any:
    return open_report(browser, server, sid, lang, "[data-testid=report-integrity-flags] li")


@pytest.mark.parametrize(
    ("lang", "said", "never"),
    [
        (
            "zh",
            [
                "作答过程核查（供人工复核，不影响评分）",
                "1 条中严重度提示；仅提示人工复核，绝不作为决定",
                "离开页面 (中)",
                "候选人离开面试页面 2 次，共 31 秒",
                "检查原文（英文）：Gaze was off",
                "作答过程核查: 离开页面 (中)",
                "体现行动",
                "正面指标",
                "选项得分 3/3",
                "选择题；所选选项得分 3/3",
                "过短，无法体现行为（保留 12 词，需要 20 词）；"
                "等级上限 2：没有实例：未讲述候选人做过的事",
            ],
            ["诚信（", "a prompt for human review", "medium-severity", "multiple-choice",
             "too short", "capped at",
             "The interview page was left", "clear expression", "[a]", "positive:"],
        ),
        (
            "en",
            [
                "Process checks (for human review; never change a score)",
                "1 medium-severity flag(s); a prompt for human review, never a decision",
                "left the page (medium)",
                "The interview page was left 2 time(s) for 31 s in all",
                "process check: left the page (medium)",
                "Shows the action",
                "Option worth 3 of 3",
                "multiple-choice item; option keyed 3 of 3",
                "too short to show behaviour (12 words kept, need 20); capped at 2: no example",
            ],
            ["Integrity (", "clear expression", "[a]", "positive:"],
        ),
    ],
)  # fmt: skip
def test_hr_reads_words_not_keys_or_ids(
    browser: Any, site: tuple[Server, str, list[str]], lang: str, said: list[str], never: list[str]
) -> None:
    server, sid, (typed_id, item_id, typed_text) = site
    page = _open(browser, server, sid, lang)
    text = " ".join((page.text_content("#report") or "").replace("\xa0", " ").split())
    for part in said:
        assert part in text, (part, text)
    for part in (*never, typed_id, item_id):
        assert part not in text, (part, text)
    # Each evidence quote and flag names its question by its words.
    asked = page.locator("[data-testid=evidence-question]").all_text_contents()
    assert asked and all(typed_text.startswith(q.rstrip("…")) for q in asked[:3]), asked
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-{lang}.png"), full_page=True)
    page.close()
