"""Every response carries the security headers; the pages need nothing the policy forbids."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interview.api.app import WEB_DIR
from interview.api.security import DOCS_POLICY, PAGE_POLICY
from tests.api.conftest import Api


@pytest.fixture
def db_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'test.db'}"  # headers do not depend on the database


def _directives(policy: str) -> dict[str, set[str]]:
    out = {}
    for part in policy.split(";"):
        name, *values = part.split()
        out[name] = set(values)
    return out


def test_every_kind_of_response_has_the_headers(api: Api) -> None:
    hr = api.login()
    big = {"Content-Length": str(api.settings.max_body_bytes + 1), **hr}
    responses = {
        "json": api.client.get("/health"),
        "signed-in json": api.client.get("/api/v1/roles", headers=hr),
        "401": api.client.get("/api/v1/roles"),
        "404": api.client.get("/no/such/page"),
        "422": api.client.post("/api/v1/roles", json={}, headers=hr),
        "413 from the body limit": api.client.post("/api/v1/roles", content=b"{}", headers=big),
        "redirect": api.client.get("/", follow_redirects=False),
        "hr page": api.client.get("/web/hr.html"),
        "candidate page": api.client.get("/web/interview.html"),
        "script": api.client.get("/web/api.js"),
        "schema": api.client.get("/api/v1/openapi.json"),
    }
    for what, r in responses.items():
        h = r.headers
        assert h.get("content-security-policy") == PAGE_POLICY, (what, r.status_code)
        assert h.get("x-content-type-options") == "nosniff", what
        assert h.get("referrer-policy") == "no-referrer", what
        assert h.get("x-frame-options") == "DENY", what
    assert responses["413 from the body limit"].status_code == 413
    # Nothing the API answers is kept by a browser or a cache: sign-in, data, errors.
    signin = api.client.post(
        "/api/v1/auth/login", json={"email": "admin@acme.test", "password": "correct horse battery"}
    )
    for what, r in {**responses, "sign-in": signin}.items():
        if r.request.url.path.startswith("/api/"):
            assert r.headers.get("cache-control") == "no-store", (what, r.headers)
    assert "no-store" not in responses["script"].headers.get("cache-control", "")
    docs = api.client.get("/docs")
    assert docs.status_code == 200 and docs.headers["content-security-policy"] == DOCS_POLICY
    assert "frame-ancestors 'none'" in DOCS_POLICY


def test_the_page_policy_allows_no_inline_script_and_no_framing() -> None:
    d = _directives(PAGE_POLICY)
    assert d["default-src"] == {"'self'"}
    assert d["script-src"] == {"'self'"}  # no 'unsafe-inline', no 'unsafe-eval'
    assert d["style-src"] == {"'self'"}
    assert d["frame-ancestors"] == {"'none'"}
    assert d["object-src"] == {"'none'"}
    assert d["img-src"] == {"'self'", "data:", "blob:"}  # avatars are data: URLs
    assert d["media-src"] == {"'self'", "blob:"}  # the device check plays a blob back


def test_the_pages_use_nothing_the_policy_blocks() -> None:
    """Inline script, inline event handlers, style attributes and eval would all be blocked
    by PAGE_POLICY: none may appear in web/ (tests/web/test_csp.py checks in Chromium)."""
    problems = []
    for page in sorted(WEB_DIR.glob("*.html")):
        html = page.read_text(encoding="utf-8")
        for m in re.finditer(r"<script\b([^>]*)>(.*?)</script>", html, re.S | re.I):
            if "src=" not in m.group(1) or m.group(2).strip():
                problems.append(f"{page.name}: inline <script>")
            if re.search(r"src=[\"']?(https?:)?//", m.group(1)):
                problems.append(f"{page.name}: a script from another origin")
        if re.search(r"<style\b", html, re.I):
            problems.append(f"{page.name}: an inline <style> block")
        if re.search(r"\sstyle\s*=", html, re.I):
            problems.append(f"{page.name}: a style attribute")
        if re.search(r"\son[a-z]+\s*=", html, re.I):
            problems.append(f"{page.name}: an inline event handler")
        if re.search(r"<link\b[^>]*href=[\"']?(https?:)?//", html, re.I):
            problems.append(f"{page.name}: a stylesheet from another origin")
    for script in sorted(WEB_DIR.glob("*.js")):
        js = script.read_text(encoding="utf-8")
        for pattern, why in (
            (r"setAttribute\(\s*[\"']style[\"']", "a style attribute"),
            (r"\beval\(|new Function\(", "eval"),
            (r"\.innerHTML\s*=|insertAdjacentHTML|document\.write", "HTML from strings"),
            (r"attrs:\s*\{[^}]*\bstyle\s*:", "a style attribute"),
        ):
            if re.search(pattern, js):
                problems.append(f"{script.name}: {why}")
    assert not problems, problems


def test_hsts_only_over_https(api: Api) -> None:
    assert "strict-transport-security" not in api.client.get("/health").headers
    secure = TestClient(api.client.app, base_url="https://testserver")
    r = secure.get("/health")
    assert r.headers["strict-transport-security"] == "max-age=31536000; includeSubDomains"
