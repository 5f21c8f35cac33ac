"""Property-based fuzzing of every API operation from the app's own OpenAPI schema.

schemathesis draws requests from the schema (valid ones, and invalid ones that break it) and
sends them to the ASGI app in process, signed in as an admin for HR routes. Half of the
draws for an operation with ids in its path use real ids of the seeded organization (a
role, an interview, an answer, a job, the candidate's invite token), so the bodies reach the
code behind the 404s. Every answer must be free of server errors (no 5xx) and, where the
schema documents the status, conform to it.

Bounded: EXAMPLES draws per operation and mode, derandomized (the same draws every run), no
shrinking; about two to three minutes on two cores.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance
from sqlalchemy import create_engine, text

from interview.api.app import create_app
from interview.config import Settings
from interview.storage.db import Database
from tests.api.conftest import PASSWORD, seed_org
from tests.conftest import PG_ADMIN_URL, fresh_pg_database

EXAMPLES = 5  # per operation and generation mode
# Calls that would end the fuzzer's own sign-in (everything after would be a 401).
SKIP = {("POST", "/api/v1/auth/logout")}


@contextmanager
def _database(root: Path) -> Iterator[str]:
    """PostgreSQL when a server answers (it refuses more than SQLite: NULs, bad encodings,
    type mismatches), else SQLite."""
    try:
        admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception:
        yield f"sqlite:///{root / 'fuzz.db'}"
        return
    admin.dispose()
    with fresh_pg_database("interview_fuzz") as url:
        yield url


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory, backend: Any) -> Iterator[dict[str, Any]]:
    root = tmp_path_factory.mktemp("fuzz")
    with _database(root) as url:
        yield from _target(root, url, backend)


def _target(root: Path, url: str, backend: Any) -> Iterator[dict[str, Any]]:
    settings = Settings(
        data_dir=root / "var",
        database_url=url,
        max_body_bytes=2 * 1024 * 1024,
        job_workers=0,  # no scoring jobs: the fuzzer tests the API, not the models
        retention_check_seconds=0,
        integrity_reference_answers=False,
    )
    db = Database(url)
    db.upgrade()
    seed_org(db, "Acme", "acme.test")
    app = create_app(settings, backend=backend)
    with TestClient(app) as client:
        login = {"email": "admin@acme.test", "password": PASSWORD}
        token = client.post("/api/v1/auth/login", json=login).json()["token"]
        hr = {"Authorization": f"Bearer {token}"}
        role = client.post(
            "/api/v1/roles", headers=hr, json={"title": "Cashier", "max_questions": 1}
        ).json()
        inv = client.post(
            f"/api/v1/roles/{role['id']}/invitations", headers=hr, json={"candidate_name": "Fuzz"}
        ).json()
        ids = {
            "role_id": role["id"],
            "session_id": inv["session_id"],
            "candidate_id": inv["candidate_id"],
            "token": inv["token"],
            "question_id": role["questions"][0]["id"],
        }
        yield {"app": app, "hr": hr, "ids": ids, "statuses": Counter(), "url": url}
    db.dispose()


def _check(case: Any, hr: dict[str, str], statuses: Counter[int]) -> None:
    # Role creation builds a competency model with the embedder: allow it its seconds.
    response = case.call(headers=hr, timeout=120)
    statuses[response.status_code] += 1
    case.validate_response(response, checks=[not_a_server_error, response_schema_conformance])


def test_no_operation_answers_with_a_server_error(target: dict[str, Any]) -> None:
    schema = schemathesis.openapi.from_dict(target["app"].openapi())
    schema.app = target["app"]
    failures: list[str] = []
    operations = 0
    began = time.monotonic()
    for result in schema.get_all_operations():
        op = result.ok()
        if (op.method.upper(), op.path) in SKIP:
            continue
        operations += 1
        real = {k: v for k, v in target["ids"].items() if k in op.path}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            strategies = [op.as_strategy(generation_mode=mode)]
            if real:
                strategies.append(op.as_strategy(generation_mode=mode, path_parameters=real))

            @settings(
                max_examples=EXAMPLES,
                derandomize=True,
                database=None,
                deadline=None,
                phases=[Phase.explicit, Phase.generate],
                suppress_health_check=list(HealthCheck),
            )
            @given(case=st.one_of(strategies))
            def run(case: Any) -> None:
                _check(case, target["hr"], target["statuses"])

            try:
                run()
            except Unsatisfiable:
                pass  # nothing in this operation can be made invalid (no body, free strings)
            except (Exception, BaseExceptionGroup) as exc:  # (schemathesis raises a group)
                # Collect every operation's failure, then report them all.
                failures.append(f"{op.method.upper()} {op.path} ({mode}): {exc}"[:3000])
    statuses = dict(sorted(target["statuses"].items()))
    print(
        f"fuzzed {operations} operations on {target['url'].split(':')[0]}: "
        f"{sum(statuses.values())} requests in {time.monotonic() - began:.0f} s, {statuses}"
    )
    assert operations >= 60
    assert not failures, "\n\n".join(failures)
