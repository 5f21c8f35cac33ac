"""Typed scores; every score carries the evidence that earned it."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class Evidence(BaseModel):
    """A quote from the answer, where it is, and which anchor or indicator it supports."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    question_id: str
    quote: str
    start_char: int = Field(ge=0)
    end_char: int = Field(ge=0)
    start_s: float | None = None  # seconds into the answer's media, when there is media
    end_s: float | None = None
    supports: str  # "anchor:<level>", "positive:<standard>", "negative:<standard>"
    similarity: float


class AnswerScore(BaseModel):
    """One answer scored against one competency's anchors."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    question_id: str
    competency_id: str
    level: int = Field(ge=1, le=5)
    value: float = Field(ge=1, le=5)  # continuous level: anchor position + documented caps
    confidence: float = Field(ge=0, le=1)
    anchor_similarity: tuple[float, ...]  # to the level 1..5 anchors, in order
    matched_positive: tuple[str, ...]
    matched_negative: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    note: str = ""  # e.g. why confidence is low
