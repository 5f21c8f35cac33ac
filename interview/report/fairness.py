"""Adverse impact per role: selection rates by voluntarily self-reported group and the
four-fifths rule. Pure.

Groups come from the candidates' own optional self-report, stored apart from scoring and
never read by it. A group's impact ratio is its selection rate over the highest rate among
the groups shown; below 0.8 (the four-fifths rule of the US Uniform Guidelines, also what
NYC Local Law 144 audits report) the page warns. Groups with fewer than `min_group`
candidates are suppressed: their numbers are too small to mean anything and could identify
people.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

FOUR_FIFTHS = 0.8
MIN_GROUP = 5  # candidates a group needs before its numbers are shown
Basis = Literal["recommendation", "decision"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class GroupRate(Frozen):
    group: str
    suppressed: bool  # fewer than min_group candidates: no numbers shown
    candidates: int | None = Field(default=None, ge=0)
    selected: int | None = Field(default=None, ge=0)
    rate: float | None = Field(default=None, ge=0, le=1)
    impact_ratio: float | None = Field(default=None, ge=0)  # rate / the highest shown rate
    below_four_fifths: bool = False


class AdverseImpact(Frozen):
    basis: Basis  # recommendation: the band was "advance"; decision: a person advanced them
    min_group: int
    groups: tuple[GroupRate, ...]  # shown groups by rate (highest first), then suppressed ones
    reference_group: str | None  # the group with the highest selection rate
    not_reported: int = Field(ge=0)  # candidates who gave no group
    warning: bool  # some shown group is below four fifths of the highest rate
    note: str


def adverse_impact(
    outcomes: Sequence[tuple[str | None, bool]],
    basis: Basis = "recommendation",
    min_group: int = MIN_GROUP,
) -> AdverseImpact:
    """Selection rates from (group or None, selected) per candidate."""
    totals: Counter[str] = Counter()
    chosen: Counter[str] = Counter()
    not_reported = 0
    for group, selected in outcomes:
        if group is None:
            not_reported += 1
            continue
        totals[group] += 1
        chosen[group] += int(selected)
    shown = {g: chosen[g] / n for g, n in totals.items() if n >= min_group}
    best = max(shown.values(), default=0.0)
    reference = min((g for g, r in shown.items() if r == best), default=None) if best > 0 else None
    groups = []
    for g in sorted(shown, key=lambda g: (-shown[g], g)):
        ratio = round(shown[g] / best, 4) if best > 0 else None
        groups.append(
            GroupRate(
                group=g,
                suppressed=False,
                candidates=totals[g],
                selected=chosen[g],
                rate=round(shown[g], 4),
                impact_ratio=ratio,
                below_four_fifths=ratio is not None and ratio < FOUR_FIFTHS,
            )
        )
    groups += [GroupRate(group=g, suppressed=True) for g in sorted(set(totals) - set(shown))]
    warning = any(g.below_four_fifths for g in groups)
    if len(shown) < 2:
        note = f"fewer than two groups have {min_group} or more candidates: no ratio to compare"
    elif best == 0:
        note = "no group has any selected candidate yet: no ratio to compare"
    elif warning:
        note = (
            "a group's selection rate is below four fifths of the highest: look at the "
            "questions, weights and thresholds of this role with someone who knows the law"
        )
    else:
        note = "every shown group is at or above four fifths of the highest selection rate"
    return AdverseImpact(
        basis=basis,
        min_group=min_group,
        groups=tuple(groups),
        reference_group=reference,
        not_reported=not_reported,
        warning=warning,
        note=note,
    )
