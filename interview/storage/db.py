"""Database engine, sessions and migrations. SQLite is embedded by default; PostgreSQL by URL."""

from __future__ import annotations

import logging
import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Executable, create_engine, event, text
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from interview.errors import BackendUnavailable

log = logging.getLogger(__name__)
MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
BUSY_TIMEOUT_MS = 30_000  # how long an ordinary SQLite write waits for another writer
WRITE_CHECK_MS = 1_500  # how long /ready's probe write waits for a lock before it says "locked"


def make_engine(url: str) -> Engine:
    """Create an engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_MS / 1000, "check_same_thread": False},
            hide_parameters=True,  # SQL logs and errors never carry candidates' words
        )

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=FULL")  # an acknowledged write survives power loss
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            cur.execute("PRAGMA secure_delete=ON")  # erased candidates' bytes are overwritten
            cur.close()

        if "///" in url and path and path != ":memory:":
            _watch_file(engine, Path(path))
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
    )


def _heartbeat_upsert(dialect: str) -> Executable:
    """INSERT ... ON CONFLICT DO UPDATE of the "ready" heartbeat row, in the dialect's words."""
    from sqlalchemy.dialects import postgresql, sqlite

    from interview.storage.tables import Heartbeat

    now = datetime.now(UTC)
    if dialect == "sqlite":
        lite = sqlite.insert(Heartbeat).values(name="ready", at=now)
        return lite.on_conflict_do_update(index_elements=[Heartbeat.name], set_={"at": now})
    pg = postgresql.insert(Heartbeat).values(name="ready", at=now)
    return pg.on_conflict_do_update(index_elements=[Heartbeat.name], set_={"at": now})


def _restore_busy_timeout(conn: Connection) -> None:
    """Give a pooled SQLite connection its ordinary busy timeout back, or drop it from the
    pool: one that kept the probe's short wait would fail ordinary writes under load."""
    try:
        conn.rollback()  # end a failed write's transaction first
        conn.exec_driver_sql(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    except Exception:
        conn.invalidate()
        raise


def _is_lock_timeout(orig: BaseException | None) -> bool:
    """SQLite's "database is locked"/"busy", or PostgreSQL's lock or statement timeout."""
    if isinstance(orig, sqlite3.OperationalError):
        return "locked" in str(orig) or "busy" in str(orig)
    # 55P03 lock_not_available (lock_timeout), 57014 query_canceled (statement_timeout)
    return getattr(orig, "sqlstate", None) in ("55P03", "57014")


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
        """Whether a connection answers a read (says nothing about writes: see check_writes)."""
        try:
            with self.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
            return True
        except Exception as exc:  # any driver error means "not reachable"
            log.warning("database ping failed: %s", exc)
            return False

    def check_writes(self, timeout_ms: int = WRITE_CHECK_MS) -> str | None:
        """Upsert the heartbeat row within `timeout_ms`; None if it committed, else why not.

        A read (ping) succeeds while another connection holds SQLite's write lock or while
        PostgreSQL is a read-only standby, and every write then fails or waits; this probe
        waits at most `timeout_ms` for a lock instead of the ordinary busy timeout."""
        sqlite = self.engine.dialect.name == "sqlite"
        try:
            conn = self.engine.connect()
        except Exception as exc:  # any driver error means "not reachable"
            log.warning("database write check: cannot connect: %s", exc)
            return "unreachable"
        try:
            with conn:
                if sqlite:
                    conn.exec_driver_sql(f"PRAGMA busy_timeout={int(timeout_ms)}")
                else:  # SET LOCAL lasts until this transaction ends
                    conn.exec_driver_sql(f"SET LOCAL lock_timeout = {int(timeout_ms)}")
                    conn.exec_driver_sql(f"SET LOCAL statement_timeout = {int(timeout_ms)}")
                try:
                    conn.execute(_heartbeat_upsert(self.engine.dialect.name))
                    conn.commit()
                finally:
                    if sqlite:
                        _restore_busy_timeout(conn)
            return None
        except OperationalError as exc:
            log.warning("database write check failed: %s", exc.orig)
            if _is_lock_timeout(exc.orig):
                return f"locked: a write did not get its lock within {timeout_ms / 1000:g} s"
            return "refuses writes (see the server log)"
        except Exception as exc:
            log.warning("database write check failed: %s", exc)
            return "refuses writes (see the server log)"

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
