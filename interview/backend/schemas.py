"""Typed outputs of the model capabilities (what engines return)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Word(Frozen):
    word: str
    start: float  # seconds from the start of the audio
    end: float
    probability: float = Field(ge=0, le=1)


class Segment(Frozen):
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    avg_logprob: float | None = None
    no_speech_prob: float | None = None


class Transcription(Frozen):
    """What a speech recognizer heard."""

    text: str
    language: str  # ISO code detected or forced, e.g. "en", "zh"
    language_probability: float | None = None
    duration: float  # seconds of audio
    segments: tuple[Segment, ...] = ()
    model: str  # catalogue name
    engine: str


class Generation(Frozen):
    text: str
    prompt_tokens: int
    completion_tokens: int
    finish_reason: str  # "stop" or "length"
    cached_prefix_tokens: int = 0  # prompt tokens served from the prefix (KV) cache


class TokenScores(Frozen):
    """Per-token statistics of a text under a causal LM (for perplexity and Fast-DetectGPT).

    For each scored token t_i given its prefix: the log-probability of the observed token,
    and the mean and variance of log p(x) for x drawn from the model's own distribution
    (the analytic sampling discrepancy of Fast-DetectGPT uses all three).
    """

    tokens: int
    logprob: tuple[float, ...]
    expected_logprob: tuple[float, ...]
    variance: tuple[float, ...]


class FaceBox(Frozen):
    x: int  # pixels, top-left
    y: int
    width: int
    height: int
    score: float = 1.0


class FaceMesh(Frozen):
    """Normalised (0..1) landmark coordinates; z is relative depth."""

    box: FaceBox
    landmarks: tuple[tuple[float, float, float], ...]  # 478 points with iris
    left_iris: tuple[float, float]
    right_iris: tuple[float, float]
