"""Role setup: a title or job description becomes a weighted competency model."""

from __future__ import annotations

import numpy as np

from interview.backend.protocols import Vectors
from interview.competency.schemas import CompetencyModel, Library, RoleTemplate, WeightedCompetency
from interview.competency.settings import infer_settings
from interview.errors import InvalidInput

MIN_TEMPLATE_SIMILARITY = 0.83  # cosine (e5); below this the title matches no template well
EXTRA_FROM_DESCRIPTION = 2  # competencies the description may add beyond the template


def template_texts(library: Library) -> list[str]:
    """What each role template is embedded as (both languages, so zh and en titles match)."""
    return [f"{r.title.en} / {r.title.zh}. {r.description.en}" for r in library.roles]


def competency_texts(library: Library) -> list[str]:
    return [f"{c.name.en}: {c.definition.en}" for c in library.competencies]


def build_competency_model(
    title: str,
    description: str,
    library: Library,
    query_vec: Vectors,
    template_vecs: Vectors,
    competency_vecs: Vectors,
) -> tuple[CompetencyModel, float]:
    """Pick the closest template and weight its competencies; returns (model, similarity).

    `query_vec` embeds title and description; the other vectors embed template_texts()
    and competency_texts() in library order.
    """
    title = title.strip()
    if not title:
        raise InvalidInput("role title is empty; give a job title such as 'Retail associate'")
    template_sims = template_vecs @ query_vec
    best = int(np.argmax(template_sims))
    similarity = float(template_sims[best])
    comp_sims = competency_vecs @ query_vec
    weights: dict[str, float]
    template: RoleTemplate | None
    if similarity >= MIN_TEMPLATE_SIMILARITY:
        template = library.roles[best]
        weights = dict(template.weights)
    else:
        template = None
        top = np.argsort(-comp_sims)[:5]
        weights = {library.competencies[int(i)].id: 1.0 for i in top}
    if description.strip():
        mean_w = sum(weights.values()) / len(weights)
        added = 0
        for i in np.argsort(-comp_sims):
            cid = library.competencies[int(i)].id
            if cid not in weights and added < EXTRA_FROM_DESCRIPTION:
                weights[cid] = 0.5 * mean_w
                added += 1
    total = sum(weights.values())
    items = tuple(
        WeightedCompetency(competency=library.competency(cid), weight=w / total)
        for cid, w in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    # Rounding can leave the sum a hair off 1; fold the residue into the largest weight.
    residue = 1.0 - sum(i.weight for i in items)
    if items and residue:
        first = items[0].model_copy(update={"weight": items[0].weight + residue})
        items = (first, *items[1:])
    model = CompetencyModel(
        role_title=title,
        template_id=template.id if template else None,
        library_version=library.version,
        settings=infer_settings(title, description, library, template.id if template else None),
        items=items,
    )
    return model, similarity
