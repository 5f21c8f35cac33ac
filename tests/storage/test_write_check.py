"""Database.check_writes, the probe behind /ready (tests/api/test_ready.py drives the route)."""

from __future__ import annotations

from pathlib import Path

from interview.storage.db import BUSY_TIMEOUT_MS, Database
from tests.api.test_ready import write_lock_held


def test_the_probe_leaves_ordinary_writes_their_busy_timeout(tmp_path: Path) -> None:
    """The probe shortens one pooled SQLite connection's busy timeout; an ordinary write on
    that connection afterwards must wait the usual 30 s again, not give up after 1.5 s."""
    db = Database(f"sqlite:///{tmp_path / 'probe.db'}")
    db.upgrade()
    try:
        with write_lock_held(db.url):
            assert db.check_writes(timeout_ms=200) == (
                "locked: a write did not get its lock within 0.2 s"
            )
        assert db.check_writes() is None
        with db.engine.connect() as conn:  # the pool's one connection: the probe's
            assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() == BUSY_TIMEOUT_MS
    finally:
        db.dispose()


def test_the_probe_says_unreachable_when_the_file_is_gone(tmp_path: Path) -> None:
    path = tmp_path / "gone.db"
    db = Database(f"sqlite:///{path}")
    db.upgrade()
    try:
        assert db.check_writes() is None
        path.rename(tmp_path / "moved.db")
        assert db.check_writes() == "unreachable"
        assert not path.exists()  # and no empty database was made in its place
    finally:
        db.dispose()
