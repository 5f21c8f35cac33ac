"""Per-role scoring policy and the fusion of content, delivery and presence. Pure.

By default only content (what was said, per competency) is scored. Delivery (fluency: fillers
per 100 words) is shown to the reviewer; a role may turn it on, and it then counts with the
share the validation fit gives it (scoring/data/content_model.json). It is off by default
because the fit rests on verbatim human transcripts while the product hears answers through
Whisper, which drops most fillers (typed answers have none), and because filler rates differ
with first language and speech conditions: a default that rewards them would favour some
candidates for how, not what, they answer. Presence (observable on-camera behaviour) is
shown to the reviewer but not scored unless a role turns it on: published evidence finds that
non-verbal cues add no validity to what is said, and they carry bias risk. The EU profile
switches presence scoring off.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from interview.errors import InvalidInput
from interview.scoring.content import load_model

Profile = Literal["default", "eu"]


class Thresholds(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    advance: float = Field(default=70.0, ge=0, le=100)  # overall at or above: advance
    review: float = Field(default=50.0, ge=0, le=100)  # at or above: a person reviews

    @model_validator(mode="after")
    def _ordered(self) -> Thresholds:
        if self.review > self.advance:
            raise ValueError(f"review threshold {self.review} is above advance {self.advance}")
        return self


class ScoringPolicy(BaseModel):
    """How one role's interviews are scored (stored in JobRole.settings['scoring'])."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    profile: Profile = "default"
    # The validation fit's delivery share (used where delivery is on), and the rest.
    content_weight: float = Field(
        default_factory=lambda: 1 - load_model().delivery_weight, gt=0, le=1
    )
    delivery_weight: float = Field(default_factory=lambda: load_model().delivery_weight, ge=0, le=1)
    presence_weight: float = Field(default=0.1, ge=0, le=1)  # used only where presence is on
    delivery: bool = False  # shown, not scored, unless a role turns it on (see module doc)
    presence: bool = False
    thresholds: Thresholds = Thresholds()

    @model_validator(mode="before")
    @classmethod
    def _eu_has_no_video_scoring(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("profile") == "eu":
            return {**data, "presence": False}
        return data


def policy_from(settings: dict[str, Any] | None) -> ScoringPolicy:
    try:
        return ScoringPolicy.model_validate((settings or {}).get("scoring") or {})
    except ValidationError as exc:
        raise InvalidInput(f"role scoring settings are invalid: {exc}") from exc


class Dimension(BaseModel):
    """A non-content dimension (delivery or presence) on the 1-5 scale, with its evidence."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    name: Literal["delivery", "presence"]
    value: float = Field(ge=1, le=5)
    evidence: tuple[str, ...]  # measured facts, e.g. "speaking rate 142 words per minute"


class Contribution(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    modality: Literal["content", "delivery", "presence"]
    weight: float  # effective weight after switches and missing data
    score: float  # 0-100
    points: float  # weight * score: its share of the overall


def level_to_percent(value: float) -> float:
    """Level 1..5 onto 0..100."""
    return (value - 1.0) / 4.0 * 100.0


def fuse(
    content: float | None, dimensions: Sequence[Dimension], policy: ScoringPolicy
) -> tuple[float, tuple[Contribution, ...]]:
    """Overall 0-100 from content (0-100) and the enabled dimensions present; weights of
    switched-off or missing modalities are renormalised away."""
    parts: list[tuple[str, float, float]] = []
    if content is not None:
        parts.append(("content", policy.content_weight, content))
    enabled = {"delivery": policy.delivery, "presence": policy.presence}
    weights = {"delivery": policy.delivery_weight, "presence": policy.presence_weight}
    for d in dimensions:
        if enabled[d.name] and weights[d.name] > 0:
            parts.append((d.name, weights[d.name], level_to_percent(d.value)))
    total = sum(w for _, w, _ in parts)
    if not parts or content is None:
        return 0.0, ()
    contributions = tuple(
        Contribution(
            modality=m,
            weight=round(w / total, 4),
            score=round(s, 2),  # type: ignore[arg-type]
            points=round(w / total * s, 2),
        )
        for m, w, s in parts
    )
    return round(sum(c.points for c in contributions), 2), contributions


def band(
    overall: float, coverage: float, min_coverage: float, thresholds: Thresholds
) -> Literal["advance", "review", "not_now", "insufficient"]:
    """The recommendation band; a person always makes the decision."""
    if coverage < min_coverage:
        return "insufficient"
    if overall >= thresholds.advance:
        return "advance"
    if overall >= thresholds.review:
        return "review"
    return "not_now"
