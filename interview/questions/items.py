"""The item bank: multiple-choice situational judgement (SJT) and timed picture items.

Data in questions/data/items.yaml (zh and en); pictures are SVG files in web/items/.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, model_validator

from interview.competency.schemas import Language, Setting, Text
from interview.questions.schemas import Choice, Question

ITEMS_FILE = Path(__file__).resolve().parent / "data" / "items.yaml"
# Asked after an SJT scene whose stem only sets the scene, so every item asks the candidate
# something; stems that ask their own question keep it.
SJT_QUESTION = Text(en="What do you do?", zh="你会怎么做？")


def asks(text: str) -> bool:
    """Whether `text` ends with a question (English or Chinese question mark)."""
    return text.rstrip().endswith(("?", "？"))


class ItemOption(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    text: Text
    points: int = Field(ge=0, le=3)


class Item(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    id: str
    competency_id: str
    kind: Literal["sjt", "picture"]
    frontline: bool
    settings: tuple[Setting, ...] = ()  # where the scene is set; none: any workplace
    stem: Text
    options: tuple[ItemOption, ...] = Field(min_length=3, max_length=5)
    image: str | None = None
    time_limit_s: int = Field(default=60, ge=10, le=600)

    @model_validator(mode="after")
    def _keyed(self) -> Item:
        if max(o.points for o in self.options) != 3:
            raise ValueError(f"item {self.id!r}: one option must be keyed 3 (most effective)")
        if self.kind == "picture" and not self.image:
            raise ValueError(f"item {self.id!r}: picture items need an image")
        if self.kind == "picture" and not (asks(self.stem.en) and asks(self.stem.zh)):
            raise ValueError(f"item {self.id!r}: a picture item's stem must ask its question")
        return self

    def question(self, language: Language) -> Question:
        text = self.stem.get(language).rstrip()
        if not asks(text):
            ask = SJT_QUESTION.get(language)
            text = f"{text}{ask}" if language == "zh" else f"{text} {ask}"
        return Question(
            id=f"item:{self.id}",
            competency_id=self.competency_id,
            kind=self.kind,
            text=text,
            answer_modes=("choice",),
            time_limit_s=self.time_limit_s,
            image=self.image,
            choices=tuple(
                Choice(id=o.id, text=o.text.get(language), points=o.points) for o in self.options
            ),
        )


class ItemBank(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
    version: str
    items: tuple[Item, ...]


@lru_cache(maxsize=1)
def load_items(path: Path = ITEMS_FILE) -> ItemBank:
    return ItemBank.model_validate(yaml.safe_load(path.read_text(encoding="utf-8")))
