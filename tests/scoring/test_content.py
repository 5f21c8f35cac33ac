"""Anchored content scoring: exact values with hand-built vectors, ordering with the real model."""

import numpy as np
import pytest

from interview.competency.library import load_library
from interview.pipeline import AnswerScorer
from interview.scoring.content import (
    anchor_texts,
    indicator_texts,
    score_answer,
    split_sentences,
    word_count,
)


def _unit(v: np.ndarray) -> np.ndarray:
    return (v / np.linalg.norm(v, axis=-1, keepdims=True)).astype(np.float32)


def test_split_sentences_keeps_character_spans() -> None:
    text = "I stayed calm.  Then I called my lead! 我先道歉。然后处理。"
    spans = split_sentences(text)
    assert [s.text for s in spans] == [
        "I stayed calm.",
        "Then I called my lead!",
        "我先道歉。",
        "然后处理。",
    ]
    assert all(text[s.start : s.end] == s.text for s in spans)


def test_word_count_for_chinese_is_characters_over_two() -> None:
    assert word_count("我 先 道歉", "zh") == 2.0
    assert word_count("one two  three", "en") == 3


def test_score_follows_the_closest_anchor_and_cites_evidence() -> None:
    comp = load_library().competency("teamwork")
    anchors = _unit(np.eye(5, 8, dtype=np.float32) + 0.01)
    answer = "I paired with a new colleague for twenty minutes and we finished the aisle early."
    sentences = split_sentences(answer)
    n_ind = len(indicator_texts(comp, "en"))
    indicators = _unit(np.random.default_rng(0).normal(size=(n_ind, 8)))
    # The answer sits on the level-4 anchor; its only sentence too.
    vec = anchors[3]
    result = score_answer("teamwork:b0", answer, comp, "en", vec, vec[None, :], anchors, indicators)
    assert result.level == 4
    assert result.value == pytest.approx(4.0, abs=1e-3)
    assert result.confidence > 0.99
    assert result.evidence[0].quote == sentences[0].text
    assert result.evidence[0].supports == "anchor:4"
    assert len(anchor_texts(comp, "en")) == 5


def test_short_answers_are_not_scored_as_behaviour() -> None:
    comp = load_library().competency("teamwork")
    anchors = _unit(np.eye(5, 8, dtype=np.float32) + 0.01)
    n_ind = len(indicator_texts(comp, "en"))
    indicators = _unit(np.ones((n_ind, 8)))
    result = score_answer(
        "q", "Yes, always.", comp, "en", anchors[4], anchors[4][None, :], anchors, indicators
    )
    assert result.level == 1 and result.confidence <= 0.2
    assert "too short" in result.note


STRONG_WEAK = {
    "customer_orientation": (
        "en",
        "A regular customer came back furious because the jacket we altered was two centimetres "
        "too short. I listened without interrupting, checked the order slip, and saw our tailor "
        "had used the wrong measurement. I apologised, offered a free re-alteration by Friday "
        "and a 20% voucher, and called her on Thursday to confirm. She picked it up happy and "
        "has since referred two friends to the store.",
        "Customers are sometimes difficult. I usually tell them to talk to my manager because "
        "it is not really my job to deal with complaints.",
    ),
    "teamwork": (
        "en",
        "During stocktake our team of five was behind by a whole aisle. I noticed a new "
        "colleague was stuck on the scanner, so I paired with her for twenty minutes, showed "
        "her the shortcut, and then we split the aisle in half. We finished forty minutes early "
        "and the manager asked us to write the shortcut into the training notes.",
        "I prefer to work alone. When others are slow I just do my own part and let them sort "
        "out theirs.",
    ),
    "safety_awareness": (
        "zh",
        "去年夏天我在仓库发现一个货架的横梁有裂缝，上面还放着三箱饮料。我立刻在货架前拉了警戒线，"
        "把货物转移到旁边的空位，然后拍照报告给主管并填写了隐患单。第二天维修人员更换了横梁，"
        "之后我们班组每周一都会检查货架，一直没有再出现类似问题。",
        "安全的事情有专门的人管，我一般不太注意，赶时间的时候也会不戴手套直接搬。",
    ),
    "stress_tolerance": (
        "zh",
        "春节前一天店里只有我和一个同事，排队的顾客有二十多人。我先把需要退换货的顾客引导到另一边登记，"
        "自己专心收银，每隔十分钟跟排队的顾客说明大概等待时间。那天我们比平时多处理了四十多单，"
        "没有一单投诉，店长后来把这个分流方法推广到了其他门店。",
        "压力大的时候我就不想干了，上次太忙我直接请假回家了。",
    ),
}


@pytest.mark.parametrize("competency_id", sorted(STRONG_WEAK))
def test_real_embeddings_rank_a_star_answer_above_a_vague_one(embedder, competency_id: str) -> None:  # type: ignore[no-untyped-def]
    language, strong, weak = STRONG_WEAK[competency_id]
    comp = load_library().competency(competency_id)
    scorer = AnswerScorer(embedder)
    good = scorer.score("q", strong, comp, language)
    bad = scorer.score("q", weak, comp, language)
    assert good.value >= bad.value + 1.0, (good.anchor_similarity, bad.anchor_similarity)
    assert good.level >= 3 and bad.level <= 2
    for e in good.evidence:  # every quote is a real span of the answer
        assert strong[e.start_char : e.end_char] == e.quote
