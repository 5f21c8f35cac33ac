"""Fuse answer scores into competency results and an overall 0-100 score. Pure."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence

from interview.competency.schemas import CompetencyModel
from interview.report.schemas import CompetencyResult, Provenance, Report
from interview.scoring.schemas import AnswerScore

BANDS = ((75.0, "strong"), (50.0, "moderate"), (0.0, "limited"))
MIN_COVERAGE = 0.5  # share of competency weight that must be answered before a band is given


def level_to_percent(value: float) -> float:
    """Level 1..5 onto 0..100."""
    return (value - 1.0) / 4.0 * 100.0


def build_report(
    *,
    session_id: str,
    candidate_name: str,
    language: str,
    model: CompetencyModel,
    scores: Sequence[AnswerScore],
    asked: Sequence[str],
    provenance: Provenance,
) -> Report:
    """Competencies without any answer are left out and their weight renormalised away;
    when less than MIN_COVERAGE of the weight was answered the band is 'insufficient'."""
    by_comp: dict[str, list[AnswerScore]] = defaultdict(list)
    for s in scores:
        by_comp[s.competency_id].append(s)
    results = []
    for item in model.items:
        answers = by_comp.get(item.competency.id)
        if not answers:
            continue
        # Confidence-weighted mean over this competency's answers.
        weights = [max(a.confidence, 1e-3) for a in answers]
        value = sum(a.value * w for a, w in zip(answers, weights, strict=True)) / sum(weights)
        results.append(
            CompetencyResult(
                competency_id=item.competency.id,
                name=item.competency.name.get(language),
                weight=item.weight,
                level=int(min(5, max(1, round(value)))),
                value=round(value, 4),
                confidence=round(sum(weights) / len(weights), 4),
                matched_positive=tuple(
                    dict.fromkeys(p for a in answers for p in a.matched_positive)
                ),
                matched_negative=tuple(
                    dict.fromkeys(n for a in answers for n in a.matched_negative)
                ),
                evidence=tuple(e for a in answers for e in a.evidence),
                answers=tuple(answers),
            )
        )
    answered = {s.question_id for s in scores}
    unanswered = tuple(q for q in asked if q not in answered)
    coverage = sum(r.weight for r in results)
    if results:
        overall = sum(level_to_percent(r.value) * r.weight for r in results) / coverage
    else:
        overall = 0.0
    # Too little answered: say so instead of extrapolating a band from one answer.
    band = (
        next(name for floor, name in BANDS if overall >= floor)
        if coverage >= MIN_COVERAGE
        else "insufficient"
    )
    return Report(
        session_id=session_id,
        candidate_name=candidate_name,
        role_title=model.role_title,
        language=language,
        overall=round(overall, 2),
        coverage=round(coverage, 4),
        band=band,  # type: ignore[arg-type]
        competencies=tuple(results),
        unanswered=unanswered,
        provenance=provenance,
    )
