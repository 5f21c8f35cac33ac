"""Typed shapes of the text analysis: what one answer shows."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

Element = Literal["situation", "task", "action", "result", "specific", "hypothetical"]


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Cue(Frozen):
    """One sentence that shows an element, with the words that gave it away."""

    element: Element
    quote: str
    start_char: int = Field(ge=0)  # span of the sentence in the answer, [start, end)
    end_char: int = Field(ge=0)
    cue: str  # the matched words, e.g. "as a result" or "最后"


class StarAnalysis(Frozen):
    """What one answer shows: STAR elements, specificity, voice and relevance."""

    language: Literal["en", "zh"]
    situation: bool  # a specific past occasion is set up (when, where, what was going on)
    task: bool  # the candidate's responsibility, goal or constraint is stated
    action: bool  # steps actually taken (by "I" or "we"), told in the past
    result: bool  # an outcome of those steps is stated
    specific: bool  # a real past example with at least two concrete particulars
    first_person: bool  # the candidate's own part ("I"/"我") is told, not only "we"/"我们"
    hypothetical: bool  # mostly "I would ..."/"我会..." rather than what happened
    habitual: bool = False  # ... of which mostly what usually happens ("I always ...")
    # For questions about a hypothetical situation: steps are proposed (or told), and a
    # reason or an expected effect is given for them.
    proposes_steps: bool = False
    gives_reason: bool = False
    has_numbers: bool
    words: float  # Chinese: characters / 2
    i_mentions: int  # I/me/my, 我 (not 我们)
    we_mentions: int  # we/us/our, 我们/咱们
    details: int  # concrete particulars counted for `specific`
    # Phrases that tell a view of oneself or a principle instead of a step ("I'm a positive
    # person", "communication is key", "充分沟通", "换位思考"): many in a short answer make
    # it vague.
    platitudes: int = 0
    evidence: tuple[Cue, ...]
    relevance: float | None  # cosine of answer and question/competency, from the caller
    relevant: bool | None  # relevance >= threshold; None when no relevance was passed

    def evidence_for(self, element: Element) -> tuple[Cue, ...]:
        return tuple(c for c in self.evidence if c.element == element)
