"""Typed shapes of the competency model: layers, competencies, standards, anchors."""

from __future__ import annotations

from enum import StrEnum
from typing import Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, model_validator

Language = str  # "zh" or "en"
LANGUAGES = ("en", "zh")

# Where a job is done. A role has one or more; a question or item written for particular
# settings lists them and is drawn only for roles in one of them (none listed: any role).
Setting = Literal[
    "food_service",  # café, restaurant, bar, canteen, fast food
    "hotel",  # front desk, housekeeping, guest rooms
    "retail",  # shop floor, supermarket, store till
    "warehouse",  # picking, packing, dispatch, forklifts
    "delivery",  # couriers, riders, drivers on the road
    "contact_centre",  # phone, chat and email support
    "manufacturing",  # production lines, factory stations
    "healthcare",  # wards, clinics, care homes, patients
    "office",  # professional and knowledge work: software, data, sales, HR, management
    "education",  # schools, classrooms, pupils
]
SETTINGS: tuple[Setting, ...] = get_args(Setting)


class Layer(StrEnum):
    """Iceberg layers, from visible (knowledge) down to hidden (motives)."""

    knowledge = "knowledge"
    skills = "skills"
    social_role = "social_role"
    self_image = "self_image"
    traits = "traits"
    motives = "motives"
    values = "values"


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Text(Frozen):
    """One piece of text in both product languages."""

    en: str = Field(min_length=1)
    zh: str = Field(min_length=1)

    def get(self, language: Language) -> str:
        return self.zh if language == "zh" else self.en


class Prompt(Text):
    """A question in both languages, with the settings it was written for (none: any)."""

    settings: tuple[Setting, ...] = ()

    def fits(self, settings: tuple[str, ...]) -> bool:
        return fits(self.settings, settings)


def fits(written_for: tuple[str, ...], role_settings: tuple[str, ...]) -> bool:
    """A question or item written for `written_for` may be asked in a role of `role_settings`:
    it was written for any setting, or for one of the role's."""
    return not written_for or bool(set(written_for) & set(role_settings))


class Standard(Frozen):
    """An evaluation standard with observable positive and negative indicators."""

    id: str
    name: Text
    positive: tuple[Text, ...] = Field(min_length=2)
    negative: tuple[Text, ...] = Field(min_length=2)


class Anchor(Frozen):
    """One level of a behaviourally anchored rating scale, with an example answer."""

    level: int = Field(ge=1, le=5)
    description: Text
    example: Text


class Competency(Frozen):
    id: str
    layer: Layer
    name: Text
    definition: Text
    standards: tuple[Standard, ...] = Field(min_length=2, max_length=4)
    anchors: tuple[Anchor, ...] = Field(min_length=5, max_length=5)
    behavioural_questions: tuple[Prompt, ...] = Field(min_length=3)
    situational_questions: tuple[Prompt, ...] = Field(min_length=2)

    @model_validator(mode="after")
    def _levels_one_to_five(self) -> Competency:
        if [a.level for a in self.anchors] != [1, 2, 3, 4, 5]:
            raise ValueError(f"competency {self.id!r}: anchors must be levels 1..5 in order")
        return self


class RoleTemplate(Frozen):
    """A role from the library: a title and weighted competencies."""

    id: str
    title: Text
    frontline: bool
    settings: tuple[Setting, ...] = Field(min_length=1)
    description: Text
    weights: dict[str, float]  # competency id -> weight; normalised when a model is built


class Library(Frozen):
    version: str
    competencies: tuple[Competency, ...]
    roles: tuple[RoleTemplate, ...]

    @model_validator(mode="after")
    def _roles_reference_competencies(self) -> Library:
        ids = [c.id for c in self.competencies]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise ValueError(f"competencies defined twice: {dupes}")
        known = set(ids)
        for role in self.roles:
            missing = set(role.weights) - known
            if missing:
                raise ValueError(f"role {role.id!r} names unknown competencies {sorted(missing)}")
        return self

    def competency(self, competency_id: str) -> Competency:
        for c in self.competencies:
            if c.id == competency_id:
                return c
        raise KeyError(competency_id)


class WeightedCompetency(Frozen):
    competency: Competency
    weight: float = Field(gt=0, le=1)
    # HR reworded the competency's anchors or indicators (competency.edit.apply_rubric): later
    # versions keep this wording instead of taking the library's.
    edited: bool = False


class Rubric(Frozen):
    """HR's wording, in one language, of a competency's rating levels (1..5 in order) and
    of each standard's positive and negative indicators (standard id -> texts)."""

    language: Literal["en", "zh"]
    anchors: tuple[str, ...]
    positive: dict[str, tuple[str, ...]]
    negative: dict[str, tuple[str, ...]]


class CompetencyModel(Frozen):
    """The competency model of one job role: what is assessed and how much it counts."""

    role_title: str
    template_id: str | None
    library_version: str
    version: int = 1
    # Where the job is done, read from the title and description (empty in models stored
    # before settings existed: see competency.settings.role_settings).
    settings: tuple[Setting, ...] = ()
    items: tuple[WeightedCompetency, ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _weights_sum_to_one(self) -> CompetencyModel:
        total = sum(i.weight for i in self.items)
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"competency weights must sum to 1, got {total:.4f}")
        return self
