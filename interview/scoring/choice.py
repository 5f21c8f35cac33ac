"""Scoring multiple-choice items (SJT and picture items) by their effectiveness key. Pure."""

from __future__ import annotations

from interview.errors import InvalidInput
from interview.questions.schemas import Question
from interview.scoring.schemas import AnswerScore, Evidence

# Keyed effectiveness 3..0 onto the 1..5 rating scale: picking the best option is strong
# evidence, the worst is the lowest level; a single item never carries much confidence.
POINTS_TO_LEVEL = {3: 5, 2: 4, 1: 2, 0: 1}
ITEM_CONFIDENCE = 0.5


def score_choice(question: Question, choice_id: str) -> AnswerScore:
    """The chosen option's key as a level, citing the option the candidate picked."""
    chosen = next((c for c in question.choices if c.id == choice_id), None)
    if chosen is None:
        known = ", ".join(c.id for c in question.choices)
        raise InvalidInput(
            f"choice {choice_id!r} is not an option of {question.id}; options: {known}"
        )
    level = POINTS_TO_LEVEL[chosen.points]
    quote = chosen.text  # the words the candidate chose; the option letter is internal
    return AnswerScore(
        question_id=question.id,
        competency_id=question.competency_id,
        level=level,
        value=float(level),
        confidence=ITEM_CONFIDENCE,
        anchor_similarity=(),
        matched_positive=(),
        matched_negative=(),
        evidence=(
            Evidence(
                question_id=question.id,
                quote=quote,
                start_char=0,
                end_char=len(quote),
                supports=f"choice:{chosen.points}",
                similarity=1.0,
            ),
        ),
        note=f"multiple-choice item; option keyed {chosen.points} of 3",
    )
