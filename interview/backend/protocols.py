"""One Protocol per model capability; engines implement them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

Vectors = npt.NDArray[np.float32]


class Embedder(Protocol):
    """Unit-length sentence vectors; queries and passages may be embedded differently."""

    dimension: int

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...
    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...
