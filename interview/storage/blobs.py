"""Content-addressed blob store. A write is fsynced before put() returns."""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
import time
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import BinaryIO, Protocol

from interview.errors import InvalidInput, NotFound

KEY_RE = re.compile(r"^[0-9a-f]{64}$")
CHUNK = 1024 * 1024  # bytes read per step when streaming


class BlobStore(Protocol):
    """Where media lives; S3-compatible storage can implement the same four methods."""

    def put(self, data: bytes | BinaryIO) -> str: ...
    def open(self, key: str) -> BinaryIO: ...
    def exists(self, key: str) -> bool: ...
    def delete(self, key: str) -> None: ...


def _fsync_dir(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


class FileBlobStore:
    """Blobs as files named by their sha256 under root/ab/cd/<key>."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)
        (self.root / "tmp").mkdir(parents=True, exist_ok=True)

    def _path(self, key: str) -> Path:
        if not KEY_RE.match(key):
            raise InvalidInput(f"blob key {key!r} is not a sha256 hex digest")
        return self.root / key[:2] / key[2:4] / key

    def put(self, data: bytes | BinaryIO) -> str:
        """Store bytes; return their sha256 key once they are durable on disk."""
        digest = hashlib.sha256()
        fd, tmp_name = tempfile.mkstemp(dir=self.root / "tmp")
        tmp = Path(tmp_name)
        try:
            with os.fdopen(fd, "wb") as out:
                for block in _blocks(data):
                    digest.update(block)
                    out.write(block)
                out.flush()
                os.fsync(out.fileno())
            key = digest.hexdigest()
            final = self._path(key)
            if final.exists():
                tmp.unlink()
                return key
            final.parent.mkdir(parents=True, exist_ok=True)
            os.replace(tmp, final)
            _fsync_dir(final.parent)
            return key
        except BaseException:
            tmp.unlink(missing_ok=True)
            raise

    def open(self, key: str) -> BinaryIO:
        path = self._path(key)
        if not path.exists():
            raise NotFound(f"blob {key} not found")
        return path.open("rb")

    def exists(self, key: str) -> bool:
        return self._path(key).exists()

    def delete(self, key: str) -> None:
        self._path(key).unlink(missing_ok=True)

    def check_writable(self) -> str | None:
        """Write, rename and delete a small file the way put() does; None if that worked, else
        why not (a read-only, full or missing store refuses every recording)."""
        tmp: Path | None = None
        probe: Path | None = None
        try:
            fd, tmp_name = tempfile.mkstemp(dir=self.root / "tmp", prefix="ready-")
            tmp = Path(tmp_name)
            with os.fdopen(fd, "wb") as out:
                out.write(b"ready")
                out.flush()
                os.fsync(out.fileno())
            probe = self.root / f".{tmp.name}"  # not a key: keys() and the sweeps skip it
            os.replace(tmp, probe)
            probe.unlink()
            return None
        except OSError as exc:
            with contextlib.suppress(OSError):
                for leftover in (tmp, probe):
                    if leftover is not None:
                        leftover.unlink(missing_ok=True)
            return f"not writable: {exc.strerror or exc}"

    def keys(self, older_than_s: float = 0.0) -> Iterator[str]:
        """Stored keys whose files are at least `older_than_s` seconds old."""
        limit = time.time() - older_than_s
        for path in self.root.glob("??/??/*"):
            if KEY_RE.match(path.name) and path.stat().st_mtime <= limit:
                yield path.name


def _blocks(data: bytes | BinaryIO) -> Iterable[bytes]:
    if isinstance(data, bytes | bytearray | memoryview):
        yield bytes(data)
        return
    while block := data.read(CHUNK):
        yield block
