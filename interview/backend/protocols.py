"""One Protocol per model capability; engines implement them (one file per engine)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

import numpy as np
import numpy.typing as npt

from interview.backend.schemas import FaceBox, FaceMesh, Generation, TokenScores, Transcription

Vectors = npt.NDArray[np.float32]
Audio = npt.NDArray[np.float32]  # mono, 16 kHz, -1..1
Image = npt.NDArray[np.uint8]  # H x W x 3, BGR (OpenCV order)


class Embedder(Protocol):
    """Unit-length sentence vectors; queries and passages may be embedded differently."""

    @property
    def dimension(self) -> int: ...

    def embed_passages(self, texts: Sequence[str]) -> Vectors: ...
    def embed_queries(self, texts: Sequence[str]) -> Vectors: ...


class SpeechRecognizer(Protocol):
    def transcribe(
        self, audio: Audio, language: str | None = None, word_timestamps: bool = True
    ) -> Transcription: ...


class TextGenerator(Protocol):
    """A causal LM: generates (greedy at temperature 0) and scores text token by token."""

    def generate(
        self,
        prompts: Sequence[str],
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        stop: Sequence[str] = (),
    ) -> list[Generation]: ...

    def score(self, texts: Sequence[str]) -> list[TokenScores]: ...


class FaceDetector(Protocol):
    def detect(self, image: Image) -> list[FaceBox]: ...


class FaceLandmarker(Protocol):
    def landmarks(self, image: Image) -> list[FaceMesh]: ...


class FaceEmbedder(Protocol):
    """128-d identity descriptors; the same person sits ~0.15 apart, others ~0.7."""

    @property
    def dimension(self) -> int: ...

    def embed(self, image: Image, boxes: Sequence[FaceBox]) -> Vectors: ...


class VoiceEmbedder(Protocol):
    """Unit-length speaker vectors of equal-length clips; the same voice sits ~0.85-0.95
    cosine apart, other voices ~0.45-0.75. Who speaks, nothing about how they feel."""

    @property
    def dimension(self) -> int: ...

    def embed_voices(self, clips: Audio) -> Vectors: ...
