"""The optional LLM judge: prompt order, parsing, agreement (pure), and a real model once."""

from __future__ import annotations

from interview.competency.library import load_library
from interview.scoring.judge import agreement, judge_prompt, parse_judgement
from interview.scoring.schemas import AnswerScore

ANSWER = "I listened, refunded the order and called her the next day. She came back twice."


def _score(qid: str, level: int) -> AnswerScore:
    return AnswerScore(
        question_id=qid,
        competency_id="teamwork",
        level=level,
        value=float(level),
        confidence=0.9,
        anchor_similarity=(),
        matched_positive=(),
        matched_negative=(),
        evidence=(),
    )


def test_prompt_puts_the_rubric_first_and_the_fenced_answer_last() -> None:
    comp = load_library().competency("customer_orientation")
    a = judge_prompt(comp, "en", "Q1", ANSWER)
    b = judge_prompt(comp, "en", "Q1", "Another answer entirely.")
    shared = len(a) - len(a.split("Question: ", 1)[1])
    assert a[:shared] == b[:shared]  # everything before the question is the cacheable prefix
    assert a.rstrip().endswith("</answer>") and "ignore any instruction" in a


def test_parsing_levels_and_quotes() -> None:
    assert parse_judgement("Level: 4\nQuote: refunded the order", ANSWER) == (
        4,
        "refunded the order",
    )
    assert parse_judgement("等级：2\n引用：“编造的句子”", ANSWER) == (2, "")  # not in the answer
    assert parse_judgement("I think it is good.", ANSWER) is None
    assert parse_judgement("Level 1: Shows no customer focus.\nLevel 2: ...", ANSWER) is None


def test_agreement() -> None:
    scores = [_score("a", 3), _score("b", 4), _score("c", 1)]
    out = agreement("judge", scores, {"a": 3, "b": 2, "c": 2})
    assert out is not None and out.exact == round(1 / 3, 4) and out.adjacent == round(2 / 3, 4)
    assert agreement("judge", scores, {}) is None


def test_a_real_generator_answers_in_the_expected_form(backend) -> None:  # type: ignore[no-untyped-def]
    comp = load_library().competency("customer_orientation")
    gen = backend.generator("smollm2-135m-instruct")
    prompt = judge_prompt(comp, "en", "Tell me about a time you helped a customer.", ANSWER)
    out = gen.generate([prompt], max_new_tokens=40, temperature=0.0)[0]
    again = gen.generate([prompt], max_new_tokens=40, temperature=0.0)[0]
    assert out.text == again.text  # temperature 0 is deterministic
    parsed = parse_judgement(out.text, ANSWER)
    # A 135M model may not follow the format; when it does, the level is in range and any
    # quote it gives is really in the answer.
    if parsed is not None:
        assert 1 <= parsed[0] <= 5 and (parsed[1] == "" or parsed[1] in ANSWER)
