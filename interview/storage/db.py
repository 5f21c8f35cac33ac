"""Database engine, sessions and migrations. SQLite is embedded by default; PostgreSQL by URL."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from interview.errors import BackendUnavailable

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": 30, "check_same_thread": False},
            hide_parameters=True,  # SQL logs and errors never carry candidates' words
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # an acknowledged write survives power loss
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA secure_delete=ON")  # erased candidates' bytes are overwritten
            cur.close()

        if "///" in url and path and path != ":memory:":
            _watch_file(engine, Path(path))
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
    )


def _file_id(path: Path) -> tuple[int, int] | None:
    try:
        st = os.stat(path)
    except FileNotFoundError:
        return None
    return st.st_dev, st.st_ino


def _watch_file(engine: Engine, path: Path) -> None:
    """Tie a SQLite engine's connections to the file they opened. A pooled connection keeps
    working on its open file after the file was moved away or replaced, so writes would land
    in a file the server no longer uses; and a new connection to a missing file would create
    an empty database in its place. So: while the file is missing every checkout fails (503,
    the pool keeps nothing stale) and no connection is opened; once it is back (the same file)
    connections open again; a different file at the path gets fresh connections."""
    opened: dict[str, tuple[int, int] | None] = {"file": None}

    def missing() -> sqlite3.OperationalError:
        return sqlite3.OperationalError(f"unable to open database file: {path} is missing")

    @event.listens_for(engine, "do_connect")
    def _no_new_file(*_: Any) -> None:
        if opened["file"] is not None and _file_id(path) is None:
            raise missing()  # it existed: do not create an empty one in its place

    @event.listens_for(engine, "connect")
    def _remember(_conn: Any, record: Any) -> None:
        record.info["file"] = opened["file"] = _file_id(path)

    @event.listens_for(engine, "checkout")
    def _same_file(_conn: Any, record: Any, _proxy: Any) -> None:
        now = _file_id(path)
        if now is None:
            raise missing()
        if now != record.info.get("file"):
            raise DisconnectionError(f"database file {path} was replaced; reconnecting")


class Database:
    """An engine and its session factory."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = make_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: commits on success, rolls back on error."""
        try:
            with self._sessions() as s, s.begin():
                yield s
        except OperationalError as exc:
            raise BackendUnavailable(f"database unavailable: {exc.orig}") from exc

    def new_session(self) -> Session:
        """A bare session; the caller commits and closes it."""
        return self._sessions()

    def ping(self) -> bool:
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception as exc:  # any driver error means "not reachable"
            log.warning("database ping failed: %s", exc)
            return False

    def upgrade(self, revision: str = "head") -> None:
        """Apply Alembic migrations up to `revision`."""
        from alembic import command
        from alembic.config import Config

        cfg = Config()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        cfg.attributes["connection_url"] = self.url
        with self.engine.begin() as conn:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)

    def dispose(self) -> None:
        self.engine.dispose()
