"""A real Chromium on the role page's anchors and indicators, in English and Chinese: an
admin opens a role, rewords a rating anchor and an indicator, saves, and sees the new model
version; a reviewer reads the wording without edit controls. The question counts say the
same as "Open questions", and the Fairness page says why it is empty (the voluntary group
question is off, or on with too few answers). Screenshots go to $INTERVIEW_TEST_SHOTS
(default /tmp/shots-helper/roles)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.api.conftest import PASSWORD
from tests.web.conftest import module_site
from tests.web.test_browser import ARGS, CHROMIUM
from tests.web.test_recording import Site

SHOTS = Path(os.environ.get("INTERVIEW_TEST_SHOTS") or "/tmp/shots-helper/roles")
NEW_ANCHOR = "Solves the customer's problem and says plainly what was done."
NEW_INDICATOR = "Offers a repair or a refund before the customer has to ask"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    yield from module_site(tmp_path_factory, "site-rubrics")


def shot(page: Any, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def sign_in(b: Any, site: Site, email: str, lang: str) -> Any:
    page = b.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{site.server.base}/web/hr.html")
    page.fill("#login-email", email)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("[data-testid=candidates-panel]", state="visible")
    page.select_option("#lang-switch", lang)
    return page


def test_role_page_edits_anchors_as_a_new_version_and_fairness_says_why_empty(site) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import sync_playwright

    # A role with multiple-choice items, so the counts have something to tell apart.
    role = site.client().post(
        "/roles",
        json={"title": "Shop cashier", "max_questions": 3, "choice_items": 2},
        headers=site.hr,
    )
    assert role.status_code == 201, role.text
    role_id = role.json()["id"]
    kinds = [q["kind"] for q in role.json()["questions"]]
    open_n = sum(k in ("behavioural", "situational") for k in kinds)
    choice_n = sum(k in ("sjt", "picture") for k in kinds)
    assert choice_n >= 1

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page = sign_in(b, site, "admin@acme.test", "en")
            missing = page.evaluate("() => import('/web/hr-i18n.js').then(m => m.MISSING_ZH)")
            mine = ("rubric.", "fair.off", "fair.few", "setup.question", "setup.max_questions")
            assert not [k for k in missing if k.startswith(mine)], missing
            page.goto(f"{site.server.base}/web/hr.html#/role/{role_id}")
            page.wait_for_selector("[data-testid=rubric-editor]")
            # "Open questions" and the list's heading count the same thing.
            assert page.input_value("[data-testid=max-questions]") == str(open_n)
            heading = page.text_content("[data-testid=role-question-counts]") or ""
            assert f"{open_n} open, {choice_n} multiple-choice" in heading, heading
            assert "(version 1)" in (page.text_content("[data-testid=competency-editor] h3") or "")

            first = page.locator("[data-testid=rubric]").first
            first.locator("summary").click()
            assert first.locator("[data-testid=anchor-input]").count() == 5
            level3 = first.locator("[data-testid=anchor-input]").nth(2)
            level3.fill("  ")
            first.locator("[data-testid=save-rubric]").click()
            page.wait_for_selector("#error:not([hidden])")
            assert "level 3" in (page.text_content("#error") or "")

            level3.fill(NEW_ANCHOR)
            positive = first.locator("[data-testid=indicators-positive]").first
            rest = positive.input_value().split("\n")[1:]
            positive.fill("\n".join([NEW_INDICATOR, *rest]))
            first.locator("[data-testid=save-rubric]").click()
            page.wait_for_selector("[data-testid=competency-editor] h3 >> text=/version 2/")
            page.wait_for_selector("[data-testid=rubric-edited]")
            first = page.locator("[data-testid=rubric]").first
            first.locator("summary").click()
            assert first.locator("[data-testid=anchor-input]").nth(2).input_value() == NEW_ANCHOR
            shot(page, "en-role-rubric-saved")
            versions = site.client().get(f"/roles/{role_id}/versions", headers=site.hr).json()
            assert [v["version"] for v in versions] == [1, 2]

            # The Fairness page: the group question is off, and an admin is told where to
            # switch it on.
            page.goto(f"{site.server.base}/web/hr.html#/fairness/{role_id}")
            page.wait_for_selector("[data-testid=fairness-off]")
            assert (
                page.locator("[data-testid=fairness-settings-link]").get_attribute("href")
                == "#/settings"
            )
            shot(page, "en-fairness-off")

            page.select_option("#lang-switch", "zh")
            page.goto(f"{site.server.base}/web/hr.html#/role/{role_id}")
            # (the page shown before may still be there in English until the new one is drawn)
            page.wait_for_selector("[data-testid=rubric-editor] >> text=评分锚点与行为指标")
            heading = page.text_content("[data-testid=role-question-counts]") or ""
            assert f"开放题 {open_n} 道，选择题 {choice_n} 道" in heading, heading
            assert "评分锚点与行为指标" in (page.text_content("[data-testid=rubric-editor]") or "")
            # A Chinese role's anchors and indicators are shown in Chinese.
            zh_role = site.client().post(
                "/roles",
                json={"title": "收银员", "language": "zh", "max_questions": 2, "choice_items": 1},
                headers=site.hr,
            )
            assert zh_role.status_code == 201, zh_role.text
            page.goto(f"{site.server.base}/web/hr.html#/role/{zh_role.json()['id']}")
            page.wait_for_selector("[data-testid=setup-title] >> text=收银员")
            zh_first = page.locator("[data-testid=rubric]").first
            zh_first.locator("summary").click()
            assert "等级" in (zh_first.locator("[data-testid=anchor]").first.text_content() or "")
            assert any(
                "\u4e00" <= ch <= "\u9fff"
                for ch in zh_first.locator("[data-testid=anchor-input]").first.input_value()
            )
            layers = page.locator("[data-testid=competency-layer]").all_text_contents()
            assert layers and all(  # the iceberg layer in Chinese, never "social role"
                any("\u4e00" <= ch <= "\u9fff" for ch in x) for x in layers
            ), layers
            shot(page, "zh-role-rubric")
            page.goto(f"{site.server.base}/web/hr.html#/fairness/{role_id}")
            page.wait_for_selector("[data-testid=fairness-off] >> text=/设置/")
            assert "设置" in (page.text_content("[data-testid=fairness-off]") or "")
            shot(page, "zh-fairness-off")

            # Switched on with no answers yet: the page says too few have answered.
            groups = {"groups": ["Under 40", "40 or over"]}
            r = site.client().put("/organization/self-report-groups", json=groups, headers=site.hr)
            assert r.status_code == 200, r.text
            page.reload()
            page.wait_for_selector("[data-testid=fairness-few]")
            assert not page.locator("[data-testid=fairness-off]").count()
            shot(page, "zh-fairness-few")
            page.close()

            # A reviewer reads the anchors and indicators with no edit controls.
            page = sign_in(b, site, "reviewer@acme.test", "en")
            page.goto(f"{site.server.base}/web/hr.html#/role/{role_id}")
            page.wait_for_selector("[data-testid=rubric-editor]")
            first = page.locator("[data-testid=rubric]").first
            first.locator("summary").click()
            assert NEW_ANCHOR in (first.text_content() or "")
            assert NEW_INDICATOR in (first.text_content() or "")
            assert first.locator("textarea, [data-testid=save-rubric]").count() == 0
            first.scroll_into_view_if_needed()
            shot(page, "en-reviewer-role")
            page.goto(f"{site.server.base}/web/hr.html#/fairness/{role_id}")
            page.wait_for_selector("[data-testid=fairness-few]")
            shot(page, "en-reviewer-fairness-few")
        finally:
            b.close()
