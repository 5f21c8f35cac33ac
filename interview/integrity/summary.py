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
LOW_FLAGS_FOR_MEDIUM = 3  # this many low flags together make a medium level
MEDIUM_KINDS_FOR_HIGH = 2  # medium flags of this many different kinds make a high level


class IntegritySummary(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    level: Level
    flags: int = Field(ge=0)
    by_kind: dict[str, int] = {}
    checks: tuple[str, ...] = ()  # what was checked: "browser", "text", "identity", ...
    reason: str  # why this level, in plain words
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
    if not checks:
        level, reason = "not_assessed", "nothing in this interview could be checked"
    elif severities["high"]:
        level, reason = "high", f"{severities['high']} high-severity flag(s)"
    elif len(medium_kinds) >= MEDIUM_KINDS_FOR_HIGH:
        level, reason = "high", f"medium flags of {len(medium_kinds)} kinds together"
    elif severities["medium"]:
        level, reason = "medium", f"{severities['medium']} medium-severity flag(s)"
    elif severities["low"] >= LOW_FLAGS_FOR_MEDIUM:
        level, reason = "medium", f"{severities['low']} low-severity flags together"
    else:
        level = "low"
        reason = f"{severities['low']} low-severity flag(s)" if flags else "no flags"
    return IntegritySummary(
        level=level,
        flags=len(flags),
        by_kind=by_kind,
        checks=tuple(dict.fromkeys(checks)),
        reason=f"{reason}; a prompt for human review, never a decision",
        machine_text=dict(sorted((machine_text or {}).items())),
    )
