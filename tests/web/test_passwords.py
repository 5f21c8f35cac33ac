"""Passwords on the HR dashboard in a real Chromium: a user changes their own password (the
page stays signed in, other sessions end) and an admin resets another user's password."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from interview.storage.db import Database
from tests.api.conftest import PASSWORD, seed_org
from tests.server import Server
from tests.web.test_browser import CHROMIUM

NEW = "plum orchard lantern seven"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    if not shutil.which(CHROMIUM):
        pytest.skip("Debian chromium is not installed (make test installs it)")
    root: Path = tmp_path_factory.mktemp("passwords")
    srv = Server(root / "var")
    db = Database(srv.database_url)
    db.upgrade()
    seed_org(db, "Acme", "acme.test")
    db.dispose()
    srv.start()
    yield srv
    srv.stop()


def _login(server: Server, email: str, password: str) -> httpx.Response:
    return httpx.post(
        f"{server.base}/api/v1/auth/login", json={"email": email, "password": password}
    )


def _page(browser: Any, server: Server, email: str) -> Any:
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(f"{server.base}/web/hr.html")
    page.fill("#login-email", email)
    page.fill("#login-password", PASSWORD)
    page.click("#login-submit")
    page.wait_for_selector("[data-testid=candidates-panel]", state="visible")
    return page


def _me_status(page: Any) -> int:
    return int(
        page.evaluate(
            """async () => {
                const token = sessionStorage.getItem('interview.hr.token');
                const headers = {Authorization: 'Bearer ' + token};
                const r = await fetch('/api/v1/auth/me', {headers});
                return r.status;
            }"""
        )
    )


def test_a_user_changes_their_password_in_the_page(server: Server, browser: Any) -> None:
    other_session = _login(server, "reviewer@acme.test", PASSWORD).json()["token"]
    page = _page(browser, server, "reviewer@acme.test")
    page.click("[data-testid=account-link]")
    page.wait_for_selector("[data-testid=password-form]", state="visible")
    # A mistyped current password: an error, and the page stays signed in.
    page.fill("[data-testid=current-password]", "not my password")
    page.fill("[data-testid=new-password]", NEW)
    page.click("[data-testid=change-password]")
    page.wait_for_selector("[data-testid=error]", state="visible")
    assert "current password" in (page.text_content("[data-testid=error]") or "")
    assert page.is_visible("[data-testid=password-form]")
    # A common password: the server's reason is shown.
    page.fill("[data-testid=current-password]", PASSWORD)
    page.fill("[data-testid=new-password]", "password1234")
    page.click("[data-testid=change-password]")
    page.wait_for_function(
        "() => document.querySelector('[data-testid=error]').textContent.includes('common')"
    )
    page.fill("[data-testid=current-password]", PASSWORD)
    page.fill("[data-testid=new-password]", NEW)
    page.click("[data-testid=change-password]")
    page.wait_for_selector("[data-testid=notice]", state="visible")
    assert _me_status(page) == 200  # this page holds the fresh token
    page.click("[data-testid=nav-home]")
    page.wait_for_selector("[data-testid=candidates-panel]", state="visible")
    bearer = {"Authorization": f"Bearer {other_session}"}
    assert httpx.get(f"{server.base}/api/v1/auth/me", headers=bearer).status_code == 401
    assert _login(server, "reviewer@acme.test", NEW).status_code == 200
    page.close()


def test_an_admin_resets_a_password_in_the_page(server: Server, browser: Any) -> None:
    page = _page(browser, server, "admin@acme.test")
    page.goto(f"{server.base}/web/hr.html#/users")
    row = page.locator("[data-testid=user-row][data-email='recruiter@acme.test']")
    row.wait_for()
    # The admin's own row has no reset: their password goes through the change form.
    own = page.locator("[data-testid=user-row][data-email='admin@acme.test']")
    assert own.locator("[data-testid=reset-password]").count() == 0
    row.locator("[data-testid=reset-password]").click()  # arms
    assert _login(server, "recruiter@acme.test", PASSWORD).status_code == 200  # not yet
    row.locator("[data-testid=reset-password]").click()  # confirms
    shown = row.locator("[data-testid=reset-result]")
    shown.wait_for()
    generated = shown.input_value()
    assert len(generated) >= 16
    assert _login(server, "recruiter@acme.test", PASSWORD).status_code == 401
    assert _login(server, "recruiter@acme.test", generated).status_code == 200
    page.close()
