"""Runs jobs from the job table in a small thread pool inside the server process."""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.orm import Session

from interview.storage import jobs
from interview.storage.db import Database

log = logging.getLogger(__name__)

# A handler computes outside any transaction and returns a commit step that writes its
# results; the worker runs that step in the same transaction that marks the job done,
# so a job's effects land exactly once even if the process dies at any point.
Commit = Callable[[Session], dict[str, Any]]
Handler = Callable[[dict[str, Any]], Commit]


def _now() -> datetime:
    return datetime.now(UTC)


class Worker:
    """Polls the job table; leases, runs and finishes jobs with a heartbeat."""

    def __init__(
        self,
        db: Database,
        handlers: Mapping[str, Handler],
        *,
        threads: int = 1,
        lease_s: float = 30.0,
        poll_s: float = 0.5,
        start_delay_s: float = 0.0,
    ) -> None:
        self.db = db
        self.handlers = dict(handlers)
        self.threads = threads
        self.lease_s = lease_s
        self.poll_s = poll_s
        self.start_delay_s = start_delay_s
        self.name = f"{socket.gethostname()}:{os.getpid()}"
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._pool: list[threading.Thread] = []
        self._running: set[str] = set()  # ids of the jobs being run now

    def start(self) -> None:
        for i in range(self.threads):
            t = threading.Thread(target=self._loop, args=(f"{self.name}:{i}",), daemon=True)
            t.start()
            self._pool.append(t)

    def stop(self, timeout: float = 10.0) -> list[str]:
        """Stop polling and wait up to `timeout` seconds for running jobs. Returns the ids of
        jobs still running then: their leases expire and the next start runs them again (the
        caller must end the process without waiting on them: see cli.serve)."""
        self._stop.set()
        self._wake.set()
        deadline = time.monotonic() + timeout
        for t in self._pool:
            t.join(max(0.0, deadline - time.monotonic()))
        self._pool = [t for t in self._pool if t.is_alive()]
        left = sorted(self._running)
        if left:
            log.warning(
                "stopping with %d job(s) still running (%s); they resume on the next start "
                "once their leases (%.0f s) expire",
                len(left),
                ", ".join(left),
                self.lease_s,
            )
        return left

    def wake(self) -> None:
        """Tell idle threads a job was just enqueued."""
        self._wake.set()

    def run_once(self, worker_name: str | None = None) -> bool:
        """Claim and run one job; False when none was runnable."""
        claim = jobs.claim(self.db, worker_name or self.name, self.lease_s, _now())
        if claim is None:
            return False
        self._run(claim)
        return True

    def _loop(self, worker_name: str) -> None:
        while not self._stop.is_set():
            try:
                if self.run_once(worker_name):
                    continue
            except Exception:  # the database may be away; keep polling
                log.exception("job worker iteration failed")
            self._wake.wait(self.poll_s)
            self._wake.clear()

    def _run(self, claim: jobs.Claim) -> None:
        log.info("job %s (%s) attempt %d started", claim.id, claim.kind, claim.attempt)
        self._running.add(claim.id)
        done = threading.Event()
        beat = threading.Thread(target=self._heartbeat, args=(claim, done), daemon=True)
        beat.start()
        try:
            if self.start_delay_s:
                time.sleep(self.start_delay_s)
            handler = self.handlers.get(claim.kind)
            if handler is None:
                raise LookupError(f"no handler for job kind {claim.kind!r}")
            commit = handler({**claim.payload, "job_id": claim.id})
            with self.db.session() as s:
                result = commit(s)
                if not jobs.finish(s, claim, result, _now()):
                    # Lost the lease to another worker: roll our writes back.
                    raise _LeaseLost(claim.id)
            log.info("job %s done", claim.id)
        except _LeaseLost:
            log.warning("job %s: lease lost, results discarded", claim.id)
        except Exception as exc:
            log.exception("job %s failed", claim.id)
            jobs.fail(self.db, claim, f"{type(exc).__name__}: {exc}", _now(), retry_s=2.0)
        finally:
            done.set()
            beat.join()
            self._running.discard(claim.id)

    def _heartbeat(self, claim: jobs.Claim, done: threading.Event) -> None:
        while not done.wait(self.lease_s / 3):
            try:
                if not jobs.renew(self.db, claim, self.lease_s, _now()):
                    return
            except Exception:
                log.warning("job %s: lease renewal failed", claim.id)


class _LeaseLost(Exception):
    pass
