import pytest

from interview.competency.library import load_library
from interview.competency.schemas import Library
from interview.pipeline import setup_role


def test_library_is_complete_in_both_languages() -> None:
    lib = load_library()
    assert len(lib.competencies) >= 40 and len(lib.roles) >= 15
    assert {c.layer.value for c in lib.competencies} == {
        "knowledge",
        "skills",
        "social_role",
        "self_image",
        "traits",
        "motives",
        "values",
    }
    for c in lib.competencies:
        assert [a.level for a in c.anchors] == [1, 2, 3, 4, 5]
        for std in c.standards:
            assert len(std.positive) >= 2 and len(std.negative) >= 2
        assert len(c.behavioural_questions) >= 3 and len(c.situational_questions) >= 2
        assert all(q.zh and q.en for q in c.behavioural_questions)
    assert {r.frontline for r in lib.roles} == {True, False}


def test_library_refuses_roles_with_unknown_competencies() -> None:
    raw = load_library().model_dump()
    raw["roles"][0]["weights"]["no_such_competency"] = 1.0
    with pytest.raises(ValueError, match="no_such_competency"):
        Library.model_validate(raw)


@pytest.mark.parametrize(
    ("title", "language", "template"),
    [
        ("Retail sales associate", "en", "retail_associate"),
        ("仓库拣货员", "zh", "warehouse_picker"),
        ("客服专员", "zh", "customer_service_agent"),
        ("ICU nurse", "en", "nurse"),
        ("外卖骑手", "zh", "delivery_rider"),
        ("Store manager", "en", "store_manager"),
        ("数据分析师", "zh", "data_analyst"),
        ("Primary school teacher", "en", "teacher"),
        ("Assembly line worker", "en", "assembly_operator"),
    ],
)
def test_titles_find_their_template(embedder, title: str, language: str, template: str) -> None:  # type: ignore[no-untyped-def]
    model, plan, similarity = setup_role(embedder, title, "", language, 4, choice_items=0)
    assert model.template_id == template, similarity
    assert abs(sum(i.weight for i in model.items) - 1) < 1e-9
    assert len(plan.questions) == 4 and plan.language == language
    if language == "zh":
        assert all(any("\u4e00" <= ch <= "\u9fff" for ch in q.text) for q in plan.questions)


def test_description_adds_competencies(embedder) -> None:  # type: ignore[no-untyped-def]
    bare, _, _ = setup_role(embedder, "Retail sales associate", "", "en", 4)
    rich, _, _ = setup_role(
        embedder,
        "Retail sales associate",
        "You will operate forklifts and pallet jacks safely and follow safety rules.",
        "en",
        4,
    )
    assert len(rich.items) > len(bare.items)
    assert "safety_awareness" in {i.competency.id for i in rich.items}
