"""Shared fixtures: settings in tmp dirs, SQLite and PostgreSQL databases, real models once."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from interview.config import Settings
from interview.storage.db import Database

ROOT = Path(__file__).resolve().parents[1]
SHARED = ROOT.parent / "shared"
PG_ADMIN_URL = os.environ.get(
    "INTERVIEW_TEST_PG_ADMIN_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)


def _pg_or_skip() -> None:
    try:
        eng = create_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
        with eng.connect() as conn:
            conn.execute(text("SELECT 1"))
        eng.dispose()
    except Exception as exc:
        if os.environ.get("INTERVIEW_TEST_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL required (INTERVIEW_TEST_REQUIRE_POSTGRES=1) but: {exc}")
        pytest.skip(f"no PostgreSQL server answers at {PG_ADMIN_URL}: {exc}")


@contextmanager
def fresh_pg_database(prefix: str = "interview_test") -> Iterator[str]:
    """The URL of a fresh, empty PostgreSQL database, dropped afterwards."""
    name = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield PG_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database, dropped afterwards."""
    _pg_or_skip()
    with fresh_pg_database() as url:
        yield url


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked one_database run on PostgreSQL only: their subject is the models' and the
    API's work, which costs the same on both, and the whole product runs on SQLite in
    tests/web. Database behaviour itself (tests/storage, durability, erasure, concurrent
    uploads) stays on both."""
    dropped = [
        item
        for item in items
        if item.get_closest_marker("one_database")
        and getattr(getattr(item, "callspec", None), "params", {}).get("db_url") == "sqlite"
    ]
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = [item for item in items if item not in dropped]


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    database = Database(db_url)
    database.upgrade()
    yield database
    database.dispose()


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    # The machine-written-text check (two Qwen models, ~10 s an answer here) runs in the
    # tests that are about it: tests/integrity/test_ai_text.py, test_cli.py, tests/api/
    # test_integrity.py and the batch CLI's --text-checks test.
    return Settings(data_dir=tmp_path / "var", job_poll_seconds=0.05, integrity_text_checks=False)


@pytest.fixture(scope="session")
def backend():  # type: ignore[no-untyped-def]
    """The real backend, one per test process, so each model loads once."""
    from interview.backend.registry import Backend

    return Backend("auto")


@pytest.fixture(scope="session")
def embedder(backend):  # type: ignore[no-untyped-def]
    from interview.pipeline import EMBEDDER

    return backend.embedder(EMBEDDER)
