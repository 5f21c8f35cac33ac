"""The report HR reads; candidates never see it."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interview.scoring.schemas import AnswerScore, Evidence


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


class Report(Frozen):
    session_id: str
    candidate_name: str
    role_title: str
    language: str
    overall: float = Field(ge=0, le=100)  # over the answered competencies only
    coverage: float = Field(ge=0, le=1)  # share of competency weight that was answered
    band: Literal["strong", "moderate", "limited", "insufficient"]
    competencies: tuple[CompetencyResult, ...]
    unanswered: tuple[str, ...]  # question ids with no answer
    integrity: Literal["not_assessed", "low", "medium", "high"] = "not_assessed"
    provenance: Provenance
