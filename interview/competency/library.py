"""The shipped competency library (versioned data in competency/data/library.yaml)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import yaml

from interview.competency.schemas import Library

LIBRARY_FILE = Path(__file__).resolve().parent / "data" / "library.yaml"


@lru_cache(maxsize=1)
def load_library(path: Path = LIBRARY_FILE) -> Library:
    """Parse and validate the library once per process."""
    return Library.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
