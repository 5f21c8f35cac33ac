"""Gaming the content scorer never pays, in English and Chinese (real embedder; the cases
and the check are tests/scoring/gaming.py, shared with bench/robustness.py)."""

from __future__ import annotations

import pytest

from interview.pipeline import AnswerScorer
from interview.scoring import content
from interview.text.sentences import addresses_scorer
from tests.scoring.gaming import INSTRUCTIONS, check


@pytest.fixture(scope="module")
def scorer(embedder):  # type: ignore[no-untyped-def]
    return AnswerScorer(embedder)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_no_way_of_gaming_pays(scorer, language: str) -> None:  # type: ignore[no-untyped-def]
    """Stuffing, instructions, buzzwords, indicator lists, the question copied back, a ramble
    and the other language never beat the honest answer; appended to weak answers they move
    the overall by at most 2 points and never the band; off-topic reaches at most level 2;
    a reused answer is counted once."""
    result = check(scorer, language)
    assert result["failures"] == []
    assert (
        result["honest_overall"] > result["weak_overall"] + 20
    )  # the scorer still tells them apart
    assert max(result["off_topic_levels"]) <= 2


@pytest.mark.parametrize("language", ["en", "zh"])
def test_every_instruction_wording_is_set_aside(language: str) -> None:
    for text in INSTRUCTIONS[language]:
        assert addresses_scorer(text), text


@pytest.mark.parametrize(
    "text",
    [
        "I worked 24/7 that week to get the stock count right.",
        "We were in the top 5% of stores for returns handled.",
        "He told me to ignore the rules, and I refused.",
        "我们那个月的退货处理量排在全区前5%。",
    ],
)
def test_stories_with_numbers_or_rules_are_kept(text: str) -> None:
    assert not addresses_scorer(text)


def test_a_string_of_numbers_is_set_aside_but_a_number_in_a_story_is_not() -> None:
    kept, aside = content.read_answer(
        "I called the supplier at 7 and had the 40 boxes re-sent by noon. "
        "2019, 2020, 2021: 300 customers, 45%, 12 projects.",
        "en",
        "Tell me about a time you fixed a delivery problem.",
    )
    assert [s.text for s in kept] == [
        "I called the supplier at 7 and had the 40 boxes re-sent by noon."
    ]
    assert [a.reason for a in aside] == ["a string of numbers"]


def test_reused_answers_are_found_in_order() -> None:
    story = "Last spring I reorganised the stock room so that the evening team found things faster."
    reused = content.reused_answers(
        [("a", story), ("b", "Something else entirely here."), ("c", story)]
    )
    assert reused == {"c": "a"}


# Indicator matches read by eye (2026-12-07): (competency, language, question index, answer,
# the indicator sign that must be shown, or None for no match of that sign).
INDICATOR_CASES = [
    (  # explaining a rule calmly is not "that's not my department"
        "customer_orientation",
        "en",
        "Last spring a customer at our phone shop wanted a refund on a phone she had used for "
        "two months, which our policy does not allow. I explained the rule calmly and told her "
        "why I could not refund it. Then I checked the warranty, found the battery fault was "
        "covered, and booked a free repair that same day.",
        "negative",
        False,
    ),
    (
        "customer_orientation",
        "en",
        "Customers are sometimes difficult. I usually tell them to talk to my manager because "
        "it is not really my job to deal with complaints.",
        "negative",
        True,
    ),
    (
        "stress_tolerance",
        "zh",
        "压力大的时候我就不想干了，上次太忙我直接请假回家了。",
        "negative",
        True,
    ),
]


@pytest.mark.parametrize(("competency", "language", "answer", "sign", "shown"), INDICATOR_CASES)
def test_indicator_matches_are_ones_a_reviewer_would_agree_with(  # type: ignore[no-untyped-def]
    scorer, competency: str, language: str, answer: str, sign: str, shown: bool
) -> None:
    from interview.competency.library import load_library

    comp = load_library().competency(competency)
    question = comp.behavioural_questions[0].get(language)
    result = scorer.score("q", question, answer, comp, language)
    matched = result.matched_negative if sign == "negative" else result.matched_positive
    assert bool(matched) == shown, (matched, result.value)
