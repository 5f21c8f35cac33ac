from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from interview.accounts.users import create_organization, create_user
from interview.api.app import create_app
from interview.config import Settings
from interview.storage.db import Database

PASSWORD = "correct horse battery"


@dataclass
class Api:
    client: TestClient
    settings: Settings
    db: Database

    def login(self, email: str = "admin@acme.test") -> dict[str, str]:
        r = self.client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
        assert r.status_code == 200, r.text
        return {"Authorization": f"Bearer {r.json()['token']}"}


def seed_org(db: Database, name: str, domain: str) -> None:
    now = datetime.now(UTC)
    with db.session() as s:
        org = create_organization(s, name, now)
        for role in ("admin", "recruiter", "reviewer", "hiring_manager"):
            create_user(s, org.id, f"{role}@{domain}", role.title(), role, PASSWORD, now)


@pytest.fixture
def api(request, tmp_path: Path, db_url: str, backend) -> Iterator[Api]:  # type: ignore[no-untyped-def]
    settings = Settings(
        data_dir=tmp_path / "var",
        database_url=db_url,
        job_poll_seconds=0.05,
        max_body_bytes=4 * 1024 * 1024,
        integrity_reference_answers=False,  # generation is slow; tests/api/test_integrity.py
        # two Qwen models, ~10 s an answer here: only tests marked text_checks run the check
        integrity_text_checks=request.node.get_closest_marker("text_checks") is not None,
        # each stored recording perceived as a job: only where a test is about it (and in
        # the browser tests, whose server runs the product's defaults)
        perceive_on_store=request.node.get_closest_marker("perceive_on_store") is not None,
    )
    db = Database(db_url)
    db.upgrade()
    seed_org(db, "Acme", "acme.test")
    seed_org(db, "Other Co", "other.test")
    with TestClient(create_app(settings, backend=backend)) as client:
        yield Api(client, settings, db)
    db.dispose()
