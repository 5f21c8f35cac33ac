"""Build a question plan from a competency model: one question per competency, by weight."""

from __future__ import annotations

import random
from collections.abc import Sequence

from interview.competency.schemas import CompetencyModel
from interview.errors import InvalidInput
from interview.questions.items import Item
from interview.questions.schemas import Question, QuestionPlan

DEFAULT_QUESTIONS = 5


def build_plan(
    model: CompetencyModel,
    language: str,
    *,
    max_questions: int = DEFAULT_QUESTIONS,
    seed: int = 0,
    items: Sequence[Item] = (),
    extra: Sequence[Question] = (),
) -> QuestionPlan:
    """Heaviest competencies first; behavioural and situational questions alternate; then
    multiple-choice `items`, then `extra` questions (e.g. from the resume)."""
    if language not in ("en", "zh"):
        raise InvalidInput(f"language {language!r} is not supported; use 'en' or 'zh'")
    if max_questions < 1:
        raise InvalidInput(f"max_questions must be at least 1, got {max_questions}")
    rng = random.Random(seed)
    ranked = sorted(model.items, key=lambda i: (-i.weight, i.competency.id))[:max_questions]
    questions: list[Question] = []
    for n, item in enumerate(ranked):
        comp = item.competency
        if n % 2 == 0:
            pool, kind, letter = comp.behavioural_questions, "behavioural", "b"
        else:
            pool, kind, letter = comp.situational_questions, "situational", "s"
        index = rng.randrange(len(pool))
        questions.append(
            Question(
                id=f"{comp.id}:{letter}{index}",
                competency_id=comp.id,
                kind=kind,  # type: ignore[arg-type]
                text=pool[index].get(language),
            )
        )
    questions.extend(item.question(language) for item in items)
    questions.extend(extra)
    return QuestionPlan(language=language, questions=tuple(questions))  # type: ignore[arg-type]
