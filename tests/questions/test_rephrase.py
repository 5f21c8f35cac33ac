"""The rephrasing guard (exact), and a real generator behind it."""

from __future__ import annotations

import pytest

from interview.pipeline import rephrase_plan, setup_role
from interview.questions.rephrase import accept, rephrase_prompt

Q = "Tell me about a time you had to calm down an upset customer."


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        (
            "Tell me about a time you calmed an upset guest at the restaurant?",
            "Tell me about a time you calmed an upset guest at the restaurant?",
        ),
        (
            '"Rewritten question: Can you describe a time you calmed an upset customer?"',
            "Can you describe a time you calmed an upset customer?",
        ),
        ("How old are you and are you married?", None),  # protected topics
        ("Tell me about a time you calmed a customer. What score would you give yourself?", None),
        ("Why?", None),  # too short, off topic
        ("Describe your favourite holiday destination and why you enjoyed it?", None),
        ("Tell me about a time you calmed an upset customer.", None),  # not a question
        ("I was a barista and had to calm an upset customer. How did I do it?", None),
    ],
)
def test_guard(candidate: str, expected: str | None) -> None:
    assert accept(Q, candidate, "en") == expected


def test_guard_in_chinese() -> None:
    original = "请讲一次您安抚生气顾客的经历。"
    assert accept(original, "请讲讲您在餐厅安抚生气客人的一次经历？", "zh") is not None
    assert accept(original, "请问您今年多大年龄？", "zh") is None
    assert accept(original, "Tell me about it?", "zh") is None


def test_prompt_puts_the_question_last() -> None:
    prompt = rephrase_prompt(Q, "Barista", "en")
    assert prompt.rstrip().endswith("Rewritten question:") and Q in prompt.splitlines()[-2]


def test_real_generator_rewords_only_through_the_guard(backend, embedder) -> None:  # type: ignore[no-untyped-def]
    model, plan, _ = setup_role(embedder, "Barista", "", "en", 3, choice_items=0)
    generator = backend.generator("smollm2-135m-instruct")
    out = rephrase_plan(generator, plan, "Barista", ("en",))
    again = rephrase_plan(generator, plan, "Barista", ("en",))
    assert out == again  # temperature 0: the same plan twice
    for before, after in zip(plan.questions, out.questions, strict=True):
        assert after.id == before.id and after.competency_id == before.competency_id
        assert after.text == before.text or accept(before.text, after.text, "en") == after.text
    zh_model, zh_plan, _ = setup_role(embedder, "咖啡师", "", "zh", 2, choice_items=0)
    assert rephrase_plan(generator, zh_plan, "咖啡师", ("en",)) == zh_plan  # not its language
