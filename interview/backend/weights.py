"""Finding weights inside installed packages, joining split files, verifying checksums."""

from __future__ import annotations

import hashlib
import importlib.util
import os
import re
from pathlib import Path

from interview.backend.catalogue import ModelEntry
from interview.errors import BackendUnavailable

CHUNK = 4 * 1024 * 1024  # bytes per read while hashing or joining


def package_dir(module: str) -> Path:
    """The folder of an installed package, found without importing it (some import heavy deps)."""
    spec = importlib.util.find_spec(module)
    if spec is None or not spec.submodule_search_locations:
        raise BackendUnavailable(f"package {module!r} is not installed; run `make install`")
    return Path(next(iter(spec.submodule_search_locations)))


def package_file(entry: ModelEntry, name: str) -> Path:
    """A file named in entry.source: 'path' in source.module's folder, or 'module:path'."""
    module, _, relative = name.rpartition(":")
    default = entry.source.module or re.split(r"[<>=!~;\[ ]", entry.source.package)[0]
    return package_dir((module or default).replace("-", "_")) / relative


def existing_file(entry: ModelEntry, name: str) -> Path:
    """package_file(), which must exist."""
    path = package_file(entry, name)
    if not path.is_file():
        raise BackendUnavailable(
            f"model {entry.name!r}: weights file {path} is missing; "
            f"reinstall {entry.source.package}"
        )
    return path


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        while block := f.read(CHUNK):
            digest.update(block)
    return digest.hexdigest()


def join_parts(parts: list[Path], target: Path) -> Path:
    """Concatenate split weight files into `target` atomically (once)."""
    if target.exists():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_suffix(target.suffix + ".part")
    with tmp.open("wb") as out:
        for part in parts:
            with part.open("rb") as f:
                while block := f.read(CHUNK):
                    out.write(block)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, target)
    return target


def verify(entry: ModelEntry, path: Path) -> str:
    """Return the file's sha256; raise if the catalogue names a different one."""
    actual = sha256_file(path)
    if entry.source.sha256 and actual != entry.source.sha256:
        raise BackendUnavailable(
            f"model {entry.name!r}: {path} has sha256 {actual}, the catalogue expects "
            f"{entry.source.sha256}; reinstall {entry.source.package}"
        )
    return actual


def verify_file(entry: ModelEntry, path: Path, expected: str | None) -> str:
    """Return the sha256 of a file the model needs besides source.file (a landmarks or
    helper file); raise if it is missing or differs from `expected` (None: any digest)."""
    actual = sha256_file(path) if path.is_file() else "missing"
    if actual == "missing" or (expected and actual != expected):
        raise BackendUnavailable(
            f"model {entry.name!r}: {path} has sha256 {actual}, the catalogue expects "
            f"{expected}; reinstall {entry.source.package}"
        )
    return actual
