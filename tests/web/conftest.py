"""A plain Chromium for the page tests (one per module). Tests that need a fake camera and
microphone (or other flags) define their own `browser`, which takes precedence. Also: one
module's site (server, database, invitations) and an HR report page opened in a language."""

import shutil
from collections.abc import Iterator
from typing import Any

import pytest

from tests.api.conftest import PASSWORD
from tests.server import Server
from tests.web.test_browser import ARGS, CHROMIUM
from tests.web.test_recording import Site


def module_site(tmp_path_factory: pytest.TempPathFactory, name: str, **kw: Any) -> Iterator[Site]:
    """A Site for one module's tests (Chromium must exist); stopped after them."""
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is needed (make test installs it)")
    s = Site(tmp_path_factory.mktemp(name), **kw)
    yield s
    s.server.stop()
    s.db.dispose()


def open_report(browser: Any, server: Server, sid: str, lang: str, ready: str) -> Any:
    """HR signs in with the page in `lang` and opens the report of session `sid`; returns the
    page once `ready` (a selector) is there."""
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.add_init_script(f"localStorage.setItem('interview.hr.lang', '{lang}')")
    page.goto(f"{server.base}/web/hr.html")
    page.fill("#login-email", "admin@acme.test")
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("[data-testid=candidates-panel]", state="visible")
    page.goto(f"{server.base}/web/hr.html#/report/{sid}")
    page.wait_for_selector(ready)
    return page


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()
