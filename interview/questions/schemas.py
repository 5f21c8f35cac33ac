"""Typed question plans."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field


class Choice(BaseModel):
    """One option of a multiple-choice item. `points` is the scoring key: never shown."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    text: str
    points: int = Field(ge=0, le=3)  # 3 most effective ... 0 least effective


class Question(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str  # stable within a plan: "<competency>:<kind letter><index>"
    competency_id: str
    kind: Literal["behavioural", "situational", "resume", "followup", "sjt", "picture", "history"]
    text: str
    answer_modes: tuple[Literal["text", "audio", "video", "choice"], ...] = (
        "video",
        "audio",
        "text",
    )
    time_limit_s: int = Field(default=180, ge=10, le=1800)
    choices: tuple[Choice, ...] = ()  # sjt and picture items
    image: str | None = None  # picture items: file name under web/items/


class QuestionPlan(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    language: Literal["en", "zh"]
    questions: tuple[Question, ...] = Field(min_length=1)
    # Where the role's job is done: what the questions and items were chosen to fit.
    settings: tuple[str, ...] = ()
    # Weighted competencies no question or item asks about, heaviest first, and the share of
    # the role's weight that is asked about (None: a plan stored before coverage was kept).
    uncovered: tuple[str, ...] = ()
    coverage: float | None = Field(default=None, ge=0, le=1)

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)
