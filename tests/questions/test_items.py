"""The item bank as candidates see it: every multiple-choice item asks a question."""

import pytest

from interview.questions.items import Item, asks, load_items


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_item_asks_a_question(language: str) -> None:
    silent = [item.id for item in load_items().items if not asks(item.question(language).text)]
    assert not silent, f"items that only set a scene in {language}: {silent}"


def test_a_scene_only_stem_gets_the_question_and_an_asking_stem_keeps_its_own() -> None:
    item = Item.model_validate(
        {
            **load_items().items[0].model_dump(),
            "stem": {"en": "The floor is wet.", "zh": "地上有水。"},
        }
    )
    assert item.question("en").text == "The floor is wet. What do you do?"
    assert item.question("zh").text == "地上有水。你会怎么做？"
    asking = Item.model_validate(
        {**item.model_dump(), "stem": {"en": "Who is next?", "zh": "下一位是谁？"}}
    )
    assert asking.question("en").text == "Who is next?"
    assert asking.question("zh").text == "下一位是谁？"


def test_a_picture_item_must_ask_its_question() -> None:
    picture = next(i for i in load_items().items if i.kind == "picture")
    with pytest.raises(ValueError, match="must ask its question"):
        Item.model_validate(
            {**picture.model_dump(), "stem": {"en": "A shelf.", "zh": "一个货架。"}}
        )
