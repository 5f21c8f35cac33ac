"""Runs `interview serve` as a real process on a free loopback port, for out-of-process tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Server:
    def __init__(self, data_dir: Path, **env: str) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.env = {
            **os.environ,
            "INTERVIEW_DATA_DIR": str(data_dir),
            "INTERVIEW_PORT": str(self.port),
            "INTERVIEW_JOB_POLL_SECONDS": "0.1",
            "INTERVIEW_INTEGRITY_REFERENCE_ANSWERS": "0",  # slow; tests/api/test_integrity.py
            # Two Qwen models at ~10 s an answer on 2 cores: tests/integrity/test_ai_text.py,
            # tests/integrity/test_cli.py and tests/api/test_integrity.py run the check
            "INTERVIEW_INTEGRITY_TEXT_CHECKS": "0",
            **env,
        }
        self.log = data_dir.parent / f"server-{self.port}.log"
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def database_url(self) -> str:
        return f"sqlite:///{(Path(self.env['INTERVIEW_DATA_DIR']) / 'interview.db').resolve()}"

    def start(self, **env: str) -> Server:
        """Start and wait for /health; a port lost to another process gets a fresh one."""
        self.env.update(env)
        for _ in range(3):
            if self._try_start():
                return self
            self.port = free_port()
            self.base = f"http://127.0.0.1:{self.port}"
            self.env["INTERVIEW_PORT"] = str(self.port)
        raise AssertionError("server did not start: " + self.tail())

    def _try_start(self) -> bool:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "interview.cli", "serve"],
            env=self.env,
            stdout=self.log.open("ab"),
            stderr=subprocess.STDOUT,
        )
        deadline = time.time() + 60
        while time.time() < deadline:
            if self.proc.poll() is not None:
                return False
            try:
                if httpx.get(f"{self.base}/health", timeout=1).status_code == 200:
                    # Make sure it is our process that answered, not one that held the port.
                    time.sleep(0.3)
                    return self.proc.poll() is None
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        self.kill()
        return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(10)

    def stop(self) -> None:
        """SIGTERM, and SIGKILL if it is still finishing a job after 15 s (a perception or
        scoring job runs again on a next start; the tests never need it)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.kill()

    def tail(self) -> str:
        return self.log.read_text()[-3000:] if self.log.exists() else ""
