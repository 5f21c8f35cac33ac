"""Copied answers: independent answers to one question stay apart, pasted text is caught."""

from __future__ import annotations

import itertools
import json
from collections import defaultdict
from pathlib import Path

from interview.integrity.similarity import (
    DUPLICATE_LOW,
    DUPLICATE_MEDIUM,
    GENERATOR_MATCH,
    PeerAnswer,
    containment,
    duplicate_flag,
    generator_matches,
    near_duplicates,
    reference_prompt,
    shingles,
)
from interview.text.sentences import word_count

LABELS = Path(__file__).resolve().parents[2] / "bench" / "data" / "scoring_labels.jsonl"


def _answers() -> list[dict[str, str]]:
    return [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines() if line]


def test_independent_answers_to_one_question_share_little() -> None:
    """Every pair of different people's answers to the same question in the labelled set
    (written separately) stays far below the flag threshold."""
    by_question = defaultdict(list)
    for a in _answers():
        if word_count(a["answer"], a["language"]) >= 30:
            by_question[(a["language"], a["question"])].append(a)
    pairs = 0
    worst = 0.0
    for (language, _), group in by_question.items():
        for x, y in itertools.combinations(group, 2):
            c = containment(shingles(x["answer"], language), shingles(y["answer"], language))
            worst = max(worst, c)
            pairs += 1
    assert pairs >= 20
    assert worst < DUPLICATE_LOW / 2, worst


def test_pasted_paragraph_with_own_padding_is_caught() -> None:
    data = [a for a in _answers() if a["language"] == "en" and word_count(a["answer"], "en") > 60]
    leaked = data[0]["answer"]
    own = "Honestly I think about this a lot. " + leaked + " That is what I learned from it."
    peers = [PeerAnswer("s-other", "q7", leaked), PeerAnswer("s-third", "q1", data[1]["answer"])]
    matches = near_duplicates({"q1": own, "q2": data[2]["answer"]}, peers, "en")
    assert [m.question_id for m in matches] == ["q1"]
    assert matches[0].peer_session_id == "s-other" and matches[0].peer_question_id == "q7"
    flag = duplicate_flag(matches[0])
    assert flag.kind == "near_duplicate" and flag.severity == "medium"
    assert flag.evidence["containment"] >= DUPLICATE_MEDIUM
    assert flag.evidence["other_session_id"] == "s-other"


def test_chinese_copy_is_caught_and_short_answers_are_not_compared() -> None:
    zh = [a for a in _answers() if a["language"] == "zh" and word_count(a["answer"], "zh") > 40]
    text = zh[0]["answer"]
    edited = text.replace("我", "我们", 2)  # a light edit keeps most character runs
    matches = near_duplicates({"q1": edited}, [PeerAnswer("s2", "q1", text)], "zh")
    assert matches and matches[0].containment >= DUPLICATE_LOW
    short = "I like working with people and I always try my best."
    assert near_duplicates({"q1": short}, [PeerAnswer("s2", "q1", short)], "en") == []


def test_generator_match_needs_shared_runs_of_words() -> None:
    answer = _answers()[0]["answer"]
    copied = generator_matches({"q1": answer}, {"q1": [answer[: len(answer) * 2 // 3]]}, "en", "m")
    assert len(copied) == 1 and copied[0].kind == "generator_match"
    assert copied[0].evidence["containment"] >= GENERATOR_MATCH
    assert copied[0].severity == "low"
    other = _answers()[1]["answer"]
    assert generator_matches({"q1": answer}, {"q1": [other]}, "en", "m") == []
    assert generator_matches({"q1": answer}, {}, "en", "m") == []


def test_reference_prompt_puts_the_question_last() -> None:
    p = reference_prompt("  Tell me about a conflict.  ", "en")
    assert p.rstrip().endswith("Tell me about a conflict.\n\nAnswer:")
    assert "问题：说说你的一次冲突" in reference_prompt("说说你的一次冲突", "zh")
