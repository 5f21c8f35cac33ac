"""One integrity level per session, shown beside (never inside) the competency scores.

The level says how much a reviewer should look, not what happened: "high" means look at
this interview before relying on its scores; "low" means nothing stood out in what could be
checked. It never changes a score, a band or a decision.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from interview.integrity.schemas import AiTextResult, Flag

Level = Literal["not_assessed", "low", "medium", "high"]
# Which rule set the level, for saying it in the reader's language: the count is of the flags
# (or of the flag kinds, for "medium_kinds") the rule counted.
Rule = Literal[
    "nothing_checked",
    "high_flags",
    "medium_kinds",
    "medium_flags",
    "low_flags_together",
    "low_flags",
    "no_flags",
]
LOW_FLAGS_FOR_MEDIUM = 3  # this many low flags together make a medium level
MEDIUM_KINDS_FOR_HIGH = 2  # medium flags of this many different kinds make a high level


# The English reason of each rule (the API's `reason`); the report says it in Chinese by rule.
REASONS: dict[str, str] = {
    "nothing_checked": "nothing in this interview could be checked",
    "high_flags": "{n} high-severity flag(s)",
    "medium_kinds": "medium flags of {n} kinds together",
    "medium_flags": "{n} medium-severity flag(s)",
    "low_flags_together": "{n} low-severity flags together",
    "low_flags": "{n} low-severity flag(s)",
    "no_flags": "no flags",
}


class IntegritySummary(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    level: Level
    flags: int = Field(ge=0)
    by_kind: dict[str, int] = {}
    checks: tuple[str, ...] = ()  # what was checked: "browser", "text", "identity", ...
    reason: str  # why this level, in plain English (kept for API clients; see rule)
    rule: Rule | None = None  # None in reports stored before it existed: show reason then
    rule_count: int = Field(default=0, ge=0)
    # The machine-written-text check of each answer it read (question id -> result): its band
    # (strong / some / no sign), the measure, threshold and length judged, or why not judged.
    # Shown to HR with its meaning; only a strong sign also raises a flag.
    machine_text: dict[str, AiTextResult] = {}


def summarise(
    flags: Sequence[Flag],
    checks: Sequence[str],
    machine_text: Mapping[str, AiTextResult] | None = None,
) -> IntegritySummary:
    """The level from the flags' severities: any high flag, or medium flags of two or more
    kinds, give "high"; any medium flag or three low ones give "medium"."""
    by_kind = dict(sorted(Counter(f.kind for f in flags).items()))
    severities = Counter(f.severity for f in flags)
    medium_kinds = {f.kind for f in flags if f.severity == "medium"}
    level: Level
    rule: Rule
    count = 0
    if not checks:
        level, rule = "not_assessed", "nothing_checked"
    elif severities["high"]:
        level, rule, count = "high", "high_flags", severities["high"]
    elif len(medium_kinds) >= MEDIUM_KINDS_FOR_HIGH:
        level, rule, count = "high", "medium_kinds", len(medium_kinds)
    elif severities["medium"]:
        level, rule, count = "medium", "medium_flags", severities["medium"]
    elif severities["low"] >= LOW_FLAGS_FOR_MEDIUM:
        level, rule, count = "medium", "low_flags_together", severities["low"]
    elif flags:
        level, rule, count = "low", "low_flags", severities["low"]
    else:
        level, rule = "low", "no_flags"
    reason = REASONS[rule].format(n=count)
    return IntegritySummary(
        level=level,
        flags=len(flags),
        by_kind=by_kind,
        checks=tuple(dict.fromkeys(checks)),
        reason=f"{reason}; a prompt for human review, never a decision",
        rule=rule,
        rule_count=count,
        machine_text=dict(sorted((machine_text or {}).items())),
    )
