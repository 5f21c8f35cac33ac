"""Typed shapes of the follow-up analyser: what an answer shows, and what to ask next."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict

# Gaps in the order a follow-up probes them, most important first: an off-topic or
# hypothetical answer makes every other gap moot, then the behaviour itself (action), its
# outcome, how concrete it is, its context, and last whose part it was.
Gap = Literal[
    "relevance",
    "hypothetical",
    "too_short",
    "action",
    "result",
    "specificity",
    "situation",
    "task",
    "first_person",
]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class FollowUp(Frozen):
    """The decision after one answer: ask one probe for the weakest gap, or stop."""

    needed: bool
    gap: Gap | None  # the gap the probe asks about; None when no probe is asked
    probe: str | None  # in the answer's language; never mentions scores
    missing: tuple[Gap, ...]  # every gap found, most important first
    enough_to_score: bool  # no blocking gap is left
