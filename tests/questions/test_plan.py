import pytest

from interview.competency.library import load_library
from interview.competency.schemas import CompetencyModel, WeightedCompetency
from interview.errors import InvalidInput
from interview.questions.plan import build_plan


def _model(weights: dict[str, float]) -> CompetencyModel:
    lib = load_library()
    total = sum(weights.values())
    return CompetencyModel(
        role_title="Test",
        template_id=None,
        library_version=lib.version,
        items=tuple(
            WeightedCompetency(competency=lib.competency(k), weight=v / total)
            for k, v in weights.items()
        ),
    )


def test_heaviest_competencies_first_alternating_kinds() -> None:
    plan = build_plan(
        _model({"teamwork": 1, "integrity": 3, "ownership": 2}), "en", max_questions=2
    )
    assert [q.competency_id for q in plan.questions] == ["integrity", "ownership"]
    assert [q.kind for q in plan.questions] == ["behavioural", "situational"]
    lib = load_library()
    texts = {t.en for t in lib.competency("integrity").behavioural_questions}
    assert plan.questions[0].text in texts


def test_plan_is_deterministic_per_seed_and_in_chinese() -> None:
    model = _model({"teamwork": 1, "integrity": 1})
    assert build_plan(model, "zh", seed=3) == build_plan(model, "zh", seed=3)
    lib = load_library()
    zh = {t.zh for c in lib.competencies for t in c.behavioural_questions + c.situational_questions}
    assert all(q.text in zh for q in build_plan(model, "zh").questions)


def test_bad_language_is_named() -> None:
    with pytest.raises(InvalidInput, match="'fr'"):
        build_plan(_model({"teamwork": 1}), "fr")
