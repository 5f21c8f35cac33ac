"""A report after human review: competency levels a reviewer changed, and what they make of
the overall score and band. Pure; the stored report keeps the original values.

A reviewer sets a competency to a whole level (1-5). The content score is recomputed with
the same weights as the original report; the other modalities (delivery, presence) keep
their points, so only what the reviewer changed moves the overall.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interview.errors import InvalidInput
from interview.report.build import MIN_COVERAGE
from interview.report.schemas import Report
from interview.scoring.fusion import Thresholds, band, level_to_percent

MIN_REASON_CHARS = 10  # a written reason, not "ok"
Decision = Literal["advance", "reject", "hold"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ReviewedCompetency(Frozen):
    competency_id: str
    name: str
    original_level: int = Field(ge=1, le=5)
    original_value: float = Field(ge=1, le=5)
    level: int = Field(ge=1, le=5)  # after review
    overridden: bool


class Reviewed(Frozen):
    """Scores after review, beside (never instead of) the machine's."""

    competencies: tuple[ReviewedCompetency, ...]
    content_score: float = Field(ge=0, le=100)
    overall: float = Field(ge=0, le=100)
    band: Literal["advance", "review", "not_now", "insufficient"]
    changed: bool  # any competency differs from the machine's level


class OverrideEntry(Frozen):
    """One change a reviewer made, as the audit trail keeps it."""

    competency_id: str
    old_level: int = Field(ge=1, le=5)
    new_level: int = Field(ge=1, le=5)
    reason: str
    reviewer: str  # the reviewer's name ("" when the account was deleted)
    at: datetime


class DecisionEntry(Frozen):
    decision: Decision
    reason: str
    by: str
    at: datetime


class ReviewSummary(Frozen):
    reviewer: str | None  # the assigned reviewer's name
    overrides: tuple[OverrideEntry, ...] = ()
    decision: DecisionEntry | None = None
    reviewed: Reviewed


def check_reason(reason: str) -> str:
    """The reason stripped, or InvalidInput when it is too short to explain anything."""
    text = " ".join(reason.split())
    if len(text) < MIN_REASON_CHARS:
        raise InvalidInput(
            f"write a reason of at least {MIN_REASON_CHARS} characters "
            f"(got {len(text)}): it is kept in the audit trail"
        )
    return text


def apply_overrides(report: Report, levels: Mapping[str, int], thresholds: Thresholds) -> Reviewed:
    """The report's scores with `levels` (competency id -> level 1-5) put in place."""
    known = {c.competency_id for c in report.competencies}
    unknown = sorted(set(levels) - known)
    if unknown:
        raise InvalidInput(f"competencies {unknown} are not scored in this report")
    comps = []
    weighted = 0.0
    for c in report.competencies:
        new = levels.get(c.competency_id)
        if new is not None and not 1 <= new <= 5:
            raise InvalidInput(f"level {new} for {c.competency_id!r} is outside 1-5")
        value = float(new) if new is not None else c.value
        weighted += level_to_percent(value) * c.weight
        comps.append(
            ReviewedCompetency(
                competency_id=c.competency_id,
                name=c.name,
                original_level=c.level,
                original_value=c.value,
                level=new if new is not None else c.level,
                overridden=new is not None and new != c.level,
            )
        )
    content = weighted / report.coverage if report.coverage > 0 else 0.0
    overall = 0.0
    for part in report.contributions:
        overall += part.weight * content if part.modality == "content" else part.points
    overall = round(min(100.0, max(0.0, overall)), 2)
    return Reviewed(
        competencies=tuple(comps),
        content_score=round(content, 2),
        overall=overall,
        band=band(overall, report.coverage, MIN_COVERAGE, thresholds),
        changed=any(c.overridden for c in comps),
    )
