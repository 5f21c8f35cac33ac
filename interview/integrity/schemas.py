"""Typed integrity outputs: flags for a reviewer, and the per-answer results behind them."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

FlagKind = Literal[
    "machine_text",  # the answer reads as machine-written (ai_text.py)
    "read_aloud",  # a spoken answer sounds read from a script
    "identity_mismatch",  # the face differs from the one enrolled at the start
    "extra_person",  # another person in frame
    "no_face",  # nobody in frame for a stretch
    "looking_away",  # gaze off the screen for a stretch, as when reading
    "tab_switch",  # the interview page lost focus
    "page_reload",  # the page was reloaded (or opened again): how long it was gone
    "paste",  # text pasted into an answer box
    "near_duplicate",  # an answer nearly identical to another candidate's
    "generator_match",  # an answer close to what a language model writes for the question
    "still_image",  # the face does not move like a live person (a photo held to the camera)
    "reading_pattern",  # eyes sweeping left to right line after line, as when reading text
    "copy",  # text copied out of the interview page
    "slow_start",  # an unusually long delay before answering began
    "second_voice",  # a stretch of a recorded answer in a voice other than the candidate's
]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Flag(Frozen):
    """Something a human reviewer should look at. Never a verdict, never a rejection."""

    kind: FlagKind
    severity: Literal["low", "medium", "high"]
    confidence: float = Field(ge=0, le=1)
    start_s: float | None = Field(default=None, ge=0)  # seconds into the answer's media
    end_s: float | None = Field(default=None, ge=0)
    evidence: dict[str, Any]  # the measured numbers behind the flag, with the threshold crossed
    question_id: str | None = None  # None: the flag concerns the whole interview
    note: str = ""  # what the reviewer should know, in plain words

    @model_validator(mode="after")
    def _span_in_order(self) -> Flag:
        if self.start_s is not None and self.end_s is not None and self.end_s < self.start_s:
            raise ValueError(f"end_s {self.end_s} is before start_s {self.start_s}")
        return self


class AiTextResult(Frozen):
    """How machine-like one written answer reads under a small causal LM (zero-shot).

    Not judged (judged=False, reason says why): too short, a language without calibration,
    or too few scored tokens. Then score, perplexity and fast_detect_gpt are None.
    """

    judged: bool
    reason: str  # e.g. "too short: 31 words, need 50"; for a judged answer, what was scored
    words: float  # word count; Chinese: characters / 2
    score: float | None = Field(default=None, ge=0, le=1)  # higher = more likely machine-written
    threshold: float | None = Field(default=None, ge=0, le=1)  # flag above this (1% human FPR)
    perplexity: float | None = Field(default=None, gt=0)
    fast_detect_gpt: float | None = None  # analytic sampling discrepancy (Fast-DetectGPT)
    tokens: int = Field(default=0, ge=0)  # scored tokens the numbers come from
    model: str = ""  # catalogue name of the scoring LM
    binoculars: float | None = None  # performer log-perplexity / cross-perplexity (lower: machine)
    statistic: str = ""  # which statistic the score is made from: binoculars, fast_detect_gpt
    # "strong": above the flag threshold (at most 1% of each human group in the calibration
    # data reach it); "some": above the level 5% of human texts reach; "none": below both.
    band: Literal["strong", "some", "none"] | None = None
