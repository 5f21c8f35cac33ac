"""/ready says whether the server can write: a database that answers reads while every write
waits on a held lock (38 s in the incident) or a blob store that refuses files is not ready."""

from __future__ import annotations

import os
import sqlite3
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from tests.api.conftest import Api

# Far below the ordinary 30 s busy timeout a write waits for a lock; the probe waits 1.5 s.
PROBE_BOUND_S = 10.0


@contextmanager
def write_lock_held(db_url: str) -> Iterator[None]:
    """Hold the database's write lock from another connection: SQLite's BEGIN IMMEDIATE,
    PostgreSQL's LOCK TABLE of the heartbeat table."""
    if db_url.startswith("sqlite"):
        other = sqlite3.connect(db_url.split("///", 1)[1], isolation_level=None)
        try:
            other.execute("BEGIN IMMEDIATE")
            yield
            other.execute("ROLLBACK")
        finally:
            other.close()
        return
    engine = create_engine(db_url)
    try:
        with engine.connect() as other:
            other.exec_driver_sql("LOCK TABLE heartbeat IN ACCESS EXCLUSIVE MODE")
            yield
            other.rollback()
    finally:
        engine.dispose()


def test_ready_is_503_while_another_connection_holds_the_write_lock(api: Api, db_url: str) -> None:
    assert api.client.get("/ready").status_code == 200
    with write_lock_held(db_url):
        assert api.client.get("/health").json() == {"status": "ok"}  # liveness is not this
        start = time.monotonic()
        r = api.client.get("/ready")
        waited = time.monotonic() - start
        assert r.status_code == 503, r.text
        checks = r.json()["checks"]
        assert checks["database"].startswith("locked"), checks
        assert checks["blobs"] == "ok", checks
        assert waited < PROBE_BOUND_S, f"/ready waited {waited:.1f} s on the lock"
    r = api.client.get("/ready")
    assert r.status_code == 200, r.text
    assert r.json()["checks"]["database"] == "ok"


@pytest.mark.parametrize("how", ["read-only", "a file in its place"])
def test_ready_is_503_when_the_blob_store_cannot_take_a_file(api: Api, how: str) -> None:
    blobs = api.settings.blob_dir
    assert api.client.get("/ready").status_code == 200
    away = blobs.with_name("blobs-away")
    if how == "read-only":
        if os.geteuid() == 0:
            pytest.skip("root writes into a 0o500 folder; the other case covers root")
        for folder in (blobs, blobs / "tmp"):
            folder.chmod(0o500)
    else:
        blobs.rename(away)
        blobs.write_text("not a folder")
    try:
        r = api.client.get("/ready")
        assert r.status_code == 503, r.text
        checks = r.json()["checks"]
        assert checks["blobs"].startswith("not writable"), checks
        assert checks["database"] == "ok", checks
    finally:
        if how == "read-only":
            for folder in (blobs, blobs / "tmp"):
                folder.chmod(0o700)
        else:
            blobs.unlink()
            away.rename(blobs)
    assert api.client.get("/ready").status_code == 200
    leftovers = [p for p in Path(blobs).rglob("*") if p.is_file()]
    assert leftovers == [], leftovers  # the probe deletes what it wrote
