"""Typed outputs of the model capabilities (what engines return)."""

from __future__ import annotations

from typing import ClassVar

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
    # Binoculars only (two models): -sum_x q(x) log p(x), the other model's next-token
    # distribution q read by this one, per scored token; empty from a single model.
    cross_entropy: tuple[float, ...] = ()


class PairScores(Frozen):
    """Per-position statistics of one text under an observer and a performer LM that share a
    tokenizer (engines/binoculars.py). mean_a_b / var_a_b: the mean and variance of model b's
    log-probability of a token drawn from model a's distribution; mean_x / var_x: the same
    with a = b = x. Every column holds tokens - 1 values (the first token is not scored)."""

    COLUMNS: ClassVar[tuple[str, ...]] = (
        "logprob_observer",
        "logprob_performer",
        "mean_observer",
        "var_observer",
        "mean_performer",
        "var_performer",
        "mean_observer_performer",
        "var_observer_performer",
        "mean_performer_observer",
        "var_performer_observer",
    )
    tokens: int
    logprob_observer: tuple[float, ...] = ()
    logprob_performer: tuple[float, ...] = ()
    mean_observer: tuple[float, ...] = ()
    var_observer: tuple[float, ...] = ()
    mean_performer: tuple[float, ...] = ()
    var_performer: tuple[float, ...] = ()
    mean_observer_performer: tuple[float, ...] = ()
    var_observer_performer: tuple[float, ...] = ()
    mean_performer_observer: tuple[float, ...] = ()
    var_performer_observer: tuple[float, ...] = ()

    def token_scores(self, orientation: str = "performer") -> TokenScores:
        """The TokenScores of one model, with the cross-entropy against the other's choices.

        orientation "performer" is the paper's: the performer's log p, and the cross-entropy
        of the observer's distribution under the performer (-mean_observer_performer).
        """
        if orientation == "performer":
            own, cross = "performer", self.mean_observer_performer
        elif orientation == "observer":
            own, cross = "observer", self.mean_performer_observer
        else:
            raise ValueError(f"orientation must be 'performer' or 'observer', not {orientation!r}")
        return TokenScores(
            tokens=self.tokens,
            logprob=getattr(self, f"logprob_{own}"),
            expected_logprob=getattr(self, f"mean_{own}"),
            variance=getattr(self, f"var_{own}"),
            cross_entropy=tuple(-v for v in cross),
        )


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
