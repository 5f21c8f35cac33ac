"""Forwarded headers are believed only from configured proxies: a real `interview serve`
(uvicorn trusts X-Forwarded-For from loopback unless told otherwise)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import httpx
from sqlalchemy import select

from interview.accounts.users import create_organization, create_user
from interview.api.ratelimit import ADDRESS_FAILURES
from interview.storage.db import Database
from interview.storage.tables import AuditEvent
from tests.api.conftest import PASSWORD
from tests.server import Server

FAKE = "203.0.113.7"  # TEST-NET-3: an address the header claims


def _failed_sign_in_addresses(url: str) -> list[str]:
    db = Database(url)
    with db.session() as s:
        rows = s.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "auth.login_failed")
            .order_by(AuditEvent.created_at)
        ).all()
        found = [str(r.detail.get("address", r.actor)) for r in rows]
    db.dispose()
    return found


def test_forwarded_headers_count_only_from_a_configured_proxy(tmp_path: Path) -> None:
    server = Server(tmp_path / "var", INTERVIEW_JOB_WORKERS="0")
    db = Database(server.database_url)
    db.upgrade()
    with db.session() as s:
        org = create_organization(s, "Acme", datetime.now(UTC))
        create_user(s, org.id, "hr@acme.test", "HR", "admin", PASSWORD, datetime.now(UTC))
    db.dispose()
    wrong = {"email": "hr@acme.test", "password": "not the password"}
    server.start()
    try:
        with httpx.Client(base_url=server.base, timeout=60) as c:
            spoof = {"X-Forwarded-For": FAKE, "X-Forwarded-Proto": "https"}
            r = c.post("/api/v1/auth/login", json=wrong, headers=spoof)
            assert r.status_code == 401
            assert "strict-transport-security" not in r.headers  # plain HTTP, whatever it says
            # Rotating the header does not make each guess come from a new address.
            codes = [
                c.post(
                    "/api/v1/auth/login",
                    json={"email": f"nobody{i}@acme.test", "password": "guess"},
                    headers={"X-Forwarded-For": f"198.51.100.{i}"},
                ).status_code
                for i in range(ADDRESS_FAILURES)
            ]
            assert codes[-1] == 429, codes
    finally:
        server.stop()
    addresses = _failed_sign_in_addresses(server.database_url)
    assert addresses and all(FAKE not in a for a in addresses), addresses

    # Behind a configured proxy (here: loopback), its headers are the client's truth.
    server.start(INTERVIEW_TRUSTED_PROXIES="127.0.0.1")
    try:
        with httpx.Client(base_url=server.base, timeout=60) as c:
            r = c.post(
                "/api/v1/auth/login",
                json={"email": "hr@acme.test", "password": "still not it"},
                headers={"X-Forwarded-For": FAKE, "X-Forwarded-Proto": "https"},
            )
            assert r.status_code == 401
            assert r.headers["strict-transport-security"].startswith("max-age=")
    finally:
        server.stop()
    assert any(FAKE in a for a in _failed_sign_in_addresses(server.database_url))
