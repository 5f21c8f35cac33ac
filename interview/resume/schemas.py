"""Typed resume facts: jobs, education, skills, highlights and risk points."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

RiskKind = Literal["job_hopping", "gap", "short_tenure", "title_drop"]
HighlightKind = Literal["team_management", "quantified_result", "claimed_skill"]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Job(_Frozen):
    """One position in the work history. Dates have month precision (day is always 1)."""

    employer: str  # "" when the resume does not say
    title: str  # "" when the resume does not say
    start: date | None
    end: date | None  # None: the candidate still works there ("present", "至今")
    # Tenure in whole months, counting both the first and the last month (Jan-Aug = 8);
    # None when the dates are missing or only give years (too vague to judge a tenure).
    months: int | None = Field(default=None, ge=0)
    raw: str  # the resume line(s) this job was read from
    # An internship, contract, seasonal, temporary or part-time job: short by design, so it
    # never counts as a short tenure or towards job hopping.
    fixed_term: bool = False


class Education(_Frozen):
    school: str
    degree: str = ""  # "" when the resume does not say
    start: date | None = None
    end: date | None = None


class Highlight(_Frozen):
    """A claim worth verifying in the interview."""

    kind: HighlightKind
    text: str  # the claim as written (a bullet line, or the skill)
    evidence: tuple[str, ...]  # the resume lines the claim was read from
    employer: str | None = None  # the job the claim belongs to, when known
    team_size: int | None = Field(default=None, ge=1)  # team_management only, when stated


class RiskPoint(_Frozen):
    """A pattern in the work history to ask about openly; never a verdict on its own."""

    kind: RiskKind
    description: str  # English, for the HR report
    evidence: tuple[str, ...]  # the resume lines involved
    start: date | None = None  # the span of the pattern (month precision)
    end: date | None = None
    months: int | None = None  # gap length or tenure, where that is what the pattern measures
    jobs: tuple[Job, ...] = ()  # the jobs involved, oldest first


class ResumeFacts(_Frozen):
    """What the interviewer knows from one candidate's resume."""

    language: Literal["zh", "en"]
    jobs: tuple[Job, ...]  # oldest first
    education: tuple[Education, ...] = ()
    skills: tuple[str, ...] = ()
    highlights: tuple[Highlight, ...] = ()
    risks: tuple[RiskPoint, ...] = ()
    text_chars: int = Field(ge=0)  # characters of resume text the facts were read from
