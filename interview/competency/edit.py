"""Editing a role's competency model: a new version with the chosen competencies and weights."""

from __future__ import annotations

import math
from collections.abc import Sequence

from interview.competency.schemas import CompetencyModel, Library, Setting, WeightedCompetency
from interview.errors import InvalidInput

MAX_COMPETENCIES = 12


def edit_model(
    model: CompetencyModel,
    library: Library,
    weights: dict[str, float],
    settings: Sequence[Setting] | None = None,
) -> CompetencyModel:
    """Return version+1 with `weights` (competency id -> positive weight, normalised to 1)
    and, when given, the workplace `settings` HR chose (else the model's are kept)."""
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
    total = sum(weights.values())
    items = [
        WeightedCompetency(competency=library.competency(cid), weight=w / total)
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
