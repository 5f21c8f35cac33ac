"""The shipped competency library (versioned data in competency/data/).

library.yaml holds the version and the role templates; competencies/*.yaml hold the
competencies, a file per group, so the library can grow without one huge file.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from interview.competency.schemas import Library

DATA_DIR = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def load_library(data_dir: Path = DATA_DIR) -> Library:
    """Parse and validate the library once per process."""
    raw: dict[str, Any] = yaml.safe_load((data_dir / "library.yaml").read_text(encoding="utf-8"))
    competencies = list(raw.get("competencies") or [])
    for path in sorted((data_dir / "competencies").glob("*.yaml")):
        part = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        competencies.extend(part.get("competencies") or [])
    raw["competencies"] = competencies
    return Library.model_validate(raw)
