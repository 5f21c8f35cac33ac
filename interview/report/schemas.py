"""The report HR reads; candidates never see it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interview.integrity.schemas import Flag
from interview.integrity.summary import IntegritySummary
from interview.scoring.fusion import Contribution, Dimension
from interview.scoring.schemas import AnswerScore, Evidence, JudgeAgreement


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class CompetencyResult(Frozen):
    competency_id: str
    name: str
    weight: float
    level: int = Field(ge=1, le=5)
    value: float = Field(ge=1, le=5)
    confidence: float = Field(ge=0, le=1)
    matched_positive: tuple[str, ...]
    matched_negative: tuple[str, ...]
    evidence: tuple[Evidence, ...]
    answers: tuple[AnswerScore, ...]


class Provenance(Frozen):
    package_version: str
    library_version: str
    competency_model_version: int
    models: dict[str, str]  # task -> catalogue model name
    settings_hash: str
    scored_at: datetime


class Highlight(Frozen):
    """A strength: a positive indicator or a top-level answer, with the words that show it."""

    competency_id: str
    text: str
    quote: str
    question_id: str


class Risk(Frozen):
    """Something a person should look at: a negative indicator, a resume risk point, a flag."""

    kind: Literal["negative_indicator", "resume", "integrity", "reused_answer"]
    text: str
    quote: str = ""
    competency_id: str | None = None


class FollowUpNote(Frozen):
    """What happened after the answers to one open question: the probes asked (by the gap
    they asked about) and, last, why no further probe was asked."""

    question_id: str
    asked: tuple[str, ...]  # gaps probed, in order
    outcome: str  # the last decision: asked, enough, limit, late, failed, no_words
    text: str  # the same, in the report's language


class PersonAssessment(Frozen):
    """Why a person, not the AI, assesses this interview: the candidate withdrew consent to
    AI-assisted assessment (or never gave it). There are no AI scores and no recommendation."""

    reason: Literal["consent_withdrawn", "consent_not_given"]
    at: datetime | None  # when consent was withdrawn
    text: str  # the same, in the report's language


class Report(Frozen):
    session_id: str
    candidate_name: str
    role_title: str
    language: str
    overall: float = Field(ge=0, le=100)  # fused; content over the answered competencies only
    content_score: float = Field(ge=0, le=100)
    coverage: float = Field(ge=0, le=1)  # share of competency weight that was answered
    band: Literal["advance", "review", "not_now", "insufficient"]
    contributions: tuple[Contribution, ...]  # each modality's weight and share of `overall`
    dimensions: tuple[Dimension, ...] = ()  # measured; scored where contributions weight them
    competencies: tuple[CompetencyResult, ...]
    highlights: tuple[Highlight, ...] = ()
    risks: tuple[Risk, ...] = ()
    unanswered: tuple[str, ...]  # question ids with no answer
    # Names of the role's competencies with no scored answer (not in the plan, or not
    # answered), heaviest first: the band rests on the others only, and says so.
    not_assessed: tuple[str, ...] = ()
    followups: tuple[FollowUpNote, ...] = ()  # open questions with a follow-up decision
    judge: JudgeAgreement | None = None
    # Beside the scores, never inside them: how much a reviewer should look, and why.
    integrity: Literal["not_assessed", "low", "medium", "high"] = "not_assessed"
    integrity_summary: IntegritySummary | None = None
    integrity_flags: tuple[Flag, ...] = ()
    # How this report was made, in plain words for the reader (explainability statement).
    explanation: str = ""
    provenance: Provenance
