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
    # "star:<element>" (a sentence showing the situation, task, action or result),
    # "positive:<standard>", "negative:<standard>", "kept" (counted, no element shown),
    # "anchor:<level>" (earlier scorers), "choice:<points>"
    supports: str
    similarity: float


class Factor(BaseModel):
    """One feature of the content model: its value for this answer and what it added."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: str  # "substance", "star", "details" (content model features)
    value: float
    weight: float  # rating points per unit (content model)
    points: float  # weight * value


class SetAside(BaseModel):
    """A sentence of the answer that did not count, and why."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    quote: str
    start_char: int = Field(ge=0)
    end_char: int = Field(ge=0)
    reason: str  # e.g. "addressed to the scorer", "a string of numbers", "repeats the question"


class AnswerScore(BaseModel):
    """One answer scored against one competency's anchors."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    question_id: str
    competency_id: str
    level: int = Field(ge=1, le=5)
    value: float = Field(ge=1, le=5)  # continuous level: content model + documented caps
    confidence: float = Field(ge=0, le=1)
    anchor_similarity: tuple[float, ...] = ()  # retired (levels no longer read off anchors)
    matched_positive: tuple[str, ...]
    matched_negative: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    note: str = ""  # e.g. why confidence is low, caps applied
    basis: tuple[Factor, ...] = ()  # how the level was reached (content model features)
    relevance: float | None = None  # centred similarity to the question's topic
    set_aside: tuple[SetAside, ...] = ()  # sentences that did not count
    model_version: str = ""  # content model version (data/content_model.json)
    reused_from: str | None = None  # the earlier question this same answer was given to


class JudgeAgreement(BaseModel):
    """How an optional LLM judge's levels compare with the content scorer's."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    model: str
    answers: int
    exact: float  # share of answers with the same level
    adjacent: float  # share within one level
    levels: dict[str, int]  # question id -> the judge's level
