"""The pages work under their Content-Security-Policy: a real Chromium reports no violation
while HR signs in and opens a report and a candidate consents and answers."""

from __future__ import annotations

from typing import Any

from tests.web.test_browser import ANSWER, demo  # noqa: F401  (fixtures)

WATCH = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  const what = e.blockedURI || "inline";
  window.__csp.push(`${e.violatedDirective} blocked ${what} in ${e.sourceFile}`);
});
"""


def _page(browser: Any, **kw: Any) -> tuple[Any, list[str]]:  # noqa: F811
    page = browser.new_page(**kw)
    console: list[str] = []
    page.on(
        "console",
        lambda m: console.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(WATCH)
    return page, console


def _violations(page: Any, console: list[str]) -> list[str]:
    return list(page.evaluate("window.__csp")) + console


def test_the_pages_run_under_the_policy(demo, browser) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    server, login = demo
    hr, hr_console = _page(browser, viewport={"width": 1280, "height": 900})
    r = hr.goto(login["hr_url"])
    assert "default-src 'self'" in r.headers["content-security-policy"]
    hr.fill("#login-email", login["email"])
    hr.fill("#login-password", login["password"])
    hr.click("#login-submit")
    hr.wait_for_selector("[data-testid=session-row]")
    scored = hr.locator("[data-testid=session-row][data-status=scored]")
    if scored.count():
        scored.first.locator("[data-testid=report-button]").click()
        hr.wait_for_selector("#report-overall")
    assert _violations(hr, hr_console) == []

    cand, cand_console = _page(browser, viewport={"width": 390, "height": 800})
    cand.goto(login["invite_link"])
    cand.check("#consent-recording")
    cand.check("#consent-ai")
    cand.click("#consent-submit")
    cand.wait_for_selector("#device-status[data-state=problem]")
    cand.click("#device-text")
    cand.wait_for_selector("#question-text")
    first = cand.text_content("#question-text")
    cand.fill("#answer-text", ANSWER)
    cand.click("#answer-submit")
    cand.wait_for_function(
        "q => document.querySelector('#question-text').textContent !== q", arg=first
    )
    assert _violations(cand, cand_console) == []
