from datetime import UTC, datetime

import pytest

from interview.competency.library import load_library
from interview.competency.schemas import CompetencyModel, WeightedCompetency
from interview.report.build import build_report, level_to_percent
from interview.report.schemas import Provenance
from interview.scoring.schemas import AnswerScore, Evidence

PROV = Provenance(
    package_version="0",
    library_version="x",
    competency_model_version=1,
    models={"embed": "e5"},
    settings_hash="h",
    scored_at=datetime(2026, 1, 1, tzinfo=UTC),
)


def _model() -> CompetencyModel:
    lib = load_library()
    return CompetencyModel(
        role_title="T",
        template_id=None,
        library_version=lib.version,
        items=(
            WeightedCompetency(competency=lib.competency("teamwork"), weight=0.75),
            WeightedCompetency(competency=lib.competency("integrity"), weight=0.25),
        ),
    )


def _score(qid: str, cid: str, value: float, conf: float = 1.0) -> AnswerScore:
    ev = Evidence(
        question_id=qid, quote="q", start_char=0, end_char=1, supports="anchor:3", similarity=0.9
    )
    return AnswerScore(
        question_id=qid,
        competency_id=cid,
        level=round(value),
        value=value,
        confidence=conf,
        anchor_similarity=(0.1,) * 5,
        matched_positive=(),
        matched_negative=(),
        evidence=(ev,),
    )


def test_overall_is_the_weighted_mean_on_0_to_100() -> None:
    report = build_report(
        session_id="s",
        candidate_name="c",
        language="en",
        model=_model(),
        scores=[_score("a", "teamwork", 5.0), _score("b", "integrity", 1.0)],
        asked=["a", "b", "c"],
        provenance=PROV,
    )
    assert report.overall == pytest.approx(75.0)
    assert report.band == "strong"
    assert report.unanswered == ("c",)
    assert [r.competency_id for r in report.competencies] == ["teamwork", "integrity"]
    assert all(r.evidence for r in report.competencies)
    assert level_to_percent(3.0) == 50.0


def test_unanswered_competencies_are_renormalised_and_empty_is_insufficient() -> None:
    only = build_report(
        session_id="s",
        candidate_name="c",
        language="en",
        model=_model(),
        scores=[_score("b", "integrity", 3.0)],
        asked=["a", "b"],
        provenance=PROV,
    )
    assert only.overall == pytest.approx(50.0)
    assert only.coverage == pytest.approx(0.25) and only.band == "insufficient"
    empty = build_report(
        session_id="s",
        candidate_name="c",
        language="en",
        model=_model(),
        scores=[],
        asked=["a"],
        provenance=PROV,
    )
    assert (empty.overall, empty.band, empty.competencies) == (0.0, "insufficient", ())


def test_confidence_weights_answers_within_a_competency() -> None:
    report = build_report(
        session_id="s",
        candidate_name="c",
        language="en",
        model=_model(),
        scores=[_score("a", "teamwork", 5.0, 0.9), _score("b", "teamwork", 1.0, 0.1)],
        asked=["a", "b"],
        provenance=PROV,
    )
    assert report.competencies[0].value == pytest.approx(4.6)
