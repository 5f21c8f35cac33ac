"""Editing a role's competency model: a new version with the chosen competencies and weights,
and HR's own wording of a competency's anchors and indicators."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from interview.competency.schemas import (
    Competency,
    CompetencyModel,
    Library,
    Rubric,
    Setting,
    Standard,
    Text,
    WeightedCompetency,
)
from interview.errors import InvalidInput

MAX_COMPETENCIES = 12
MAX_ANCHOR_CHARS = 600  # one level's description: a few sentences
MAX_INDICATOR_CHARS = 300  # one observable behaviour
MIN_INDICATORS, MAX_INDICATORS = 2, 8  # per standard and sign, as in the library


def _text(old: Text, language: str, new: str) -> Text:
    return old.model_copy(update={language: new})


def _checked(where: str, text: str, limit: int) -> str:
    text = text.strip()
    if not text:
        raise InvalidInput(f"{where} is empty; write what a rater should see at this point")
    if len(text) > limit:
        raise InvalidInput(f"{where} is {len(text)} characters; at most {limit}")
    return text


def apply_rubric(competency: Competency, rubric: Rubric, where: str) -> Competency:
    """The competency with the rubric's anchors and indicators in rubric.language (the other
    language keeps its wording). Every level needs a description, every standard of the
    competency two to eight indicators of each sign; errors name the field under `where`."""
    lang = rubric.language
    if len(rubric.anchors) != len(competency.anchors):
        raise InvalidInput(
            f"{where}.anchors has {len(rubric.anchors)} levels; give one description for "
            f"each of the levels 1 to {len(competency.anchors)}"
        )
    anchors = tuple(
        a.model_copy(
            update={
                "description": _text(
                    a.description,
                    lang,
                    _checked(f"{where}.anchors[level {a.level}]", new, MAX_ANCHOR_CHARS),
                )
            }
        )
        for a, new in zip(competency.anchors, rubric.anchors, strict=True)
    )
    ids = [std.id for std in competency.standards]
    for sign, given in (("positive", rubric.positive), ("negative", rubric.negative)):
        odd = sorted(set(given) - set(ids))
        if odd:
            raise InvalidInput(f"{where}.{sign} names unknown standards {odd}; known: {ids}")
    standards: list[Standard] = []
    for std in competency.standards:
        update: dict[str, tuple[Text, ...]] = {}
        for sign, given in (("positive", rubric.positive), ("negative", rubric.negative)):
            if std.id not in given:
                continue
            field = f"{where}.{sign}.{std.id}"
            texts = given[std.id]
            if not MIN_INDICATORS <= len(texts) <= MAX_INDICATORS:
                raise InvalidInput(
                    f"{field} has {len(texts)} indicators; give {MIN_INDICATORS} to "
                    f"{MAX_INDICATORS}"
                )
            old: tuple[Text, ...] = getattr(std, sign)
            # Added indicators borrow the other language's text from the last one kept until
            # someone words them in that language too.
            update[sign] = tuple(
                _text(
                    old[min(i, len(old) - 1)],
                    lang,
                    _checked(f"{field}[{i + 1}]", new, MAX_INDICATOR_CHARS),
                )
                for i, new in enumerate(texts)
            )
        standards.append(std.model_copy(update=update))
    return competency.model_copy(update={"anchors": anchors, "standards": tuple(standards)})


def edit_model(
    model: CompetencyModel,
    library: Library,
    weights: dict[str, float],
    settings: Sequence[Setting] | None = None,
    rubrics: Mapping[str, Rubric] | None = None,
) -> CompetencyModel:
    """Return version+1 with `weights` (competency id -> positive weight, normalised to 1),
    when given the workplace `settings` HR chose (else the model's are kept), and HR's
    `rubrics` (competency id -> anchors and indicators). A competency HR reworded before
    keeps that wording; the others are taken from the library."""
    if not weights:
        raise InvalidInput("give at least one competency with a positive weight")
    if len(weights) > MAX_COMPETENCIES:
        raise InvalidInput(
            f"{len(weights)} competencies given; at most {MAX_COMPETENCIES} keep "
            "an interview short enough to finish"
        )
    known = {c.id for c in library.competencies}
    unknown = sorted(set(weights) - known)
    if unknown:
        raise InvalidInput(
            f"unknown competencies {unknown}; `interview roles list` and the "
            "library list the known ones"
        )
    bad = {k: v for k, v in weights.items() if not math.isfinite(v) or v <= 0}
    if bad:
        raise InvalidInput(f"weights must be positive numbers; got {bad}")
    rubrics = rubrics or {}
    stray = sorted(set(rubrics) - set(weights))
    if stray:
        raise InvalidInput(
            f"rubrics given for {stray}, which are not weighted; weight a competency to word it"
        )
    kept = {i.competency.id: i.competency for i in model.items if i.edited}

    def competency(cid: str) -> Competency:
        base = kept.get(cid) or library.competency(cid)
        return apply_rubric(base, rubrics[cid], f"rubrics.{cid}") if cid in rubrics else base

    total = sum(weights.values())
    items = [
        WeightedCompetency(
            competency=competency(cid), weight=w / total, edited=cid in kept or cid in rubrics
        )
        for cid, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    ]
    residue = 1.0 - sum(i.weight for i in items)
    items[0] = items[0].model_copy(update={"weight": items[0].weight + residue})
    return model.model_copy(
        update={
            "items": tuple(items),
            "version": model.version + 1,
            "library_version": library.version,
            "settings": tuple(dict.fromkeys(settings)) if settings else model.settings,
        }
    )
