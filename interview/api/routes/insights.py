"""Per role: candidates side by side, and the adverse-impact (four-fifths) report."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Query

from interview.api.deps import CurrentUser, SessionDep
from interview.hiring.dashboard import Comparison, compare_role, fairness_outcomes
from interview.hiring.roles import get_role
from interview.report.fairness import MIN_GROUP, AdverseImpact, adverse_impact
from interview.scoring.fusion import policy_from

router = APIRouter(prefix="/roles/{role_id}", tags=["insights"])


@router.get("/compare")
def compare(role_id: str, user: CurrentUser, s: SessionDep) -> Comparison:
    """Scored candidates of the role: levels (after review), overall, band, integrity."""
    role = get_role(s, user.organization_id, role_id)
    return compare_role(s, role, policy_from(role.settings).thresholds)


@router.get("/fairness")
def fairness(
    role_id: str,
    user: CurrentUser,
    s: SessionDep,
    basis: Literal["recommendation", "decision"] = "recommendation",
    min_group: int = Query(default=MIN_GROUP, ge=MIN_GROUP, le=1000),
) -> AdverseImpact:
    """Selection rates by the candidates' voluntarily self-reported group (never used in
    scoring), each group's ratio to the highest rate, and a warning below four fifths."""
    role = get_role(s, user.organization_id, role_id)
    return adverse_impact(fairness_outcomes(s, role, basis), basis, min_group)
