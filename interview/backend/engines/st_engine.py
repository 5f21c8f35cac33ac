"""Sentence embeddings (all-MiniLM-L6-v2) through sentence-transformers, from a packaged folder."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from interview.backend import devices, weights
from interview.backend.catalogue import ModelEntry
from interview.backend.protocols import Vectors
from interview.errors import InvalidInput


def prepare(entry: ModelEntry, cache_dir: Path) -> dict[str, Any]:
    """Find and verify the packaged weights; the folder is used in place, nothing is written."""
    path = weights.existing_file(entry, entry.source.file)
    digest = weights.verify(entry, path)
    return {"model": entry.name, "folder": str(path.parent), "converted": False, "sha256": digest}


class SentenceTransformerEmbedder:
    """Unit-length vectors; this model wants no query/passage prefixes, so both are the same."""

    def __init__(self, entry: ModelEntry, device: str, cache_dir: Path) -> None:
        import torch
        from sentence_transformers import SentenceTransformer

        self.entry = entry
        self.device = device
        self.prepared = prepare(entry, cache_dir)
        self._model = SentenceTransformer(self.prepared["folder"], device=device)
        dtype = entry.dtype.get(device.split(":")[0], "float32")
        if device.split(":")[0] in devices.platforms():
            dtype = devices.adapt_dtype(device, dtype)  # float16 -> float32 on CPU
        if dtype in ("float16", "bfloat16"):
            self._model.to(getattr(torch, dtype))
        self._model.eval()
        # Renamed in sentence-transformers 6; the old name still works but warns.
        dimension_of = (
            getattr(self._model, "get_embedding_dimension", None)
            or self._model.get_sentence_embedding_dimension
        )
        found = int(dimension_of() or 0)
        if entry.dimension is not None and entry.dimension != found:
            raise InvalidInput(
                f"model {entry.name!r} makes {found}-d vectors but its catalogue entry says "
                f"dimension {entry.dimension}; set dimension: {found}"
            )
        self.dimension = found
        self._lock = threading.Lock()  # one encode at a time on the device

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        """Normalised float32 vectors, one row per text."""
        if isinstance(texts, str) or not all(isinstance(t, str) for t in texts):
            raise InvalidInput("embed needs a list of strings; wrap one text in [...]")
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        with self._lock:
            out = self._model.encode(
                list(texts),
                batch_size=self.entry.max_batch,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(out, dtype=np.float32).reshape(len(texts), self.dimension)

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        """Same as passages: all-MiniLM-L6-v2 was trained symmetric."""
        return self.embed_passages(texts)
