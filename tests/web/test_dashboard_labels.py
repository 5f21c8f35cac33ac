"""A real Chromium on the HR dashboard: the integrity column says how much needs a person's
look, not a verdict on honesty, in English and Chinese. The list's rows are served at the
route (three interviews at each level), so no interview has to be scored."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import PASSWORD
from tests.web.test_browser import ARGS, CHROMIUM
from tests.web.test_recording import Site


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is needed (make test installs it)")
    s = Site(tmp_path_factory.mktemp("site-labels"))
    yield s
    try:
        s.server.stop()
    except subprocess.TimeoutExpired:
        s.server.kill()
    s.db.dispose()


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
