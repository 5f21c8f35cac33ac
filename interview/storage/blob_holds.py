"""Holds on blob keys, so a blob is never deleted under a row that is about to refer to it.

Blobs are content-addressed: every row with the same bytes shares one file (the same chunk
sent for two takes, the same file uploaded twice), and put() of bytes already there writes
nothing. A writer puts its bytes, then commits the row that refers to them; a deleter checks
that no committed row still needs a key, then deletes the file. Between the writer's put and
its commit the deleter cannot see the writer's row: it deleted a file the writer then
acknowledged as stored (bench/load.py under a CPU hog, where every simulated candidate sends
the same recording: finishing one take released the chunk blobs another take had just been
told were stored).

So a writer holds its key (a shared lock) from before its put until after its commit, and a
deleter takes the key for itself (an exclusive lock), checks the database again while it
holds it, and only then deletes. A deleter that cannot take a key soon keeps the blob: one
kept too long costs disk, one deleted too soon costs an acknowledged answer. The locks are
flock(2) on 256 lock files (one per first byte of the key) under the store's root: they work
between the threads of one server (each hold opens its own file) and between processes on
one host, and the system drops them when a process dies.
"""

from __future__ import annotations

import fcntl
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from interview.storage.blobs import FileBlobStore

DELETE_WAIT_S = 1.0  # how long a deleter waits for a key's writers before it keeps the blob
POLL_S = 0.02  # between tries of a deleter's lock


def _lock_file(blobs: FileBlobStore, key: str) -> int:
    folder = blobs.root / "locks"
    folder.mkdir(exist_ok=True)
    return os.open(folder / f"{key[:2]}.lock", os.O_RDWR | os.O_CREAT, 0o600)


@contextmanager
def holding(blobs: FileBlobStore, key: str) -> Iterator[None]:
    """Keep `key` from being deleted while the block puts its bytes and commits the row that
    refers to them. Waits while a deleter checks the key (one query)."""
    fd = _lock_file(blobs, key)
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # releases the lock


def delete_unless_needed(
    blobs: FileBlobStore, key: str, needed: Callable[[], bool], wait_s: float = DELETE_WAIT_S
) -> bool:
    """Delete `key` unless needed() (a fresh look at the committed rows, made while no writer
    holds the key) says a row refers to it; True when deleted. A key still held by a writer
    after `wait_s` seconds is kept."""
    fd = _lock_file(blobs, key)
    try:
        deadline = time.monotonic() + wait_s
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return False
                time.sleep(POLL_S)
        if needed():
            return False
        blobs.delete(key)
        return True
    finally:
        os.close(fd)
