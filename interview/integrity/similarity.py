"""Copied answers: near-duplicates across candidates of one role, and matches with what a
language model writes for the same question.

Lexical, not semantic: two honest candidates who led similar projects give answers close in
meaning (e5 puts most answers to one question above 0.85 cosine), but they do not share
long runs of words. A leaked model answer or a script passed between candidates does. The
measure is containment of word 3-grams (Chinese: character 3-grams): the share of the
shorter answer's shingles that also occur in the other answer. Containment, not Jaccard, so
a copied answer padded with a few sentences of one's own is still caught.

Thresholds (checked in tests/integrity/test_similarity.py): independent answers to the same
question share well under 10% of their 3-grams; an answer with a pasted paragraph shares
over half. Flags are for a reviewer to compare the two answers; sharing a memorised answer
is not in itself proof of cheating (a company's own interview-prep material, say).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from interview.integrity.schemas import Flag
from interview.text.sentences import word_count

SHINGLE = 3  # words (Chinese: characters) per shingle
MIN_WORDS = 30.0  # shorter answers share stock phrases by chance; not compared
DUPLICATE_LOW = 0.5  # containment for a low-severity near-duplicate flag
DUPLICATE_MEDIUM = 0.8  # most of the answer is the same text
GENERATOR_MATCH = 0.35  # containment with a generated reference answer

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
_WORD = re.compile(r"\w+", re.UNICODE)


def _tokens(text: str, language: str) -> list[str]:
    """Casefolded words; for Chinese, the Han characters one by one plus any Latin words."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if language == "zh":
        return [t for w in _WORD.findall(text) for t in (_CJK.findall(w) or [w])]
    return _WORD.findall(text)


def shingles(text: str, language: str, n: int = SHINGLE) -> frozenset[tuple[str, ...]]:
    tokens = _tokens(text, language)
    if len(tokens) < n:
        return frozenset([tuple(tokens)]) if tokens else frozenset()
    return frozenset(tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1))


def containment(a: frozenset[tuple[str, ...]], b: frozenset[tuple[str, ...]]) -> float:
    """Share of the smaller set found in the other; 0 when either is empty."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))


@dataclass(frozen=True)
class PeerAnswer:
    """Another candidate's answer to the same role: where it is, and its text."""

    session_id: str
    question_id: str
    text: str


@dataclass(frozen=True)
class Match:
    question_id: str
    peer_session_id: str
    peer_question_id: str
    containment: float


def near_duplicates(
    answers: dict[str, str], peers: Iterable[PeerAnswer], language: str
) -> list[Match]:
    """The best match above DUPLICATE_LOW for each of this candidate's answers (by question id),
    against every peer answer (any question: a leaked answer may be reused elsewhere)."""
    mine = {
        qid: shingles(text, language)
        for qid, text in answers.items()
        if word_count(text, language) >= MIN_WORDS
    }
    if not mine:
        return []
    best: dict[str, Match] = {}
    for peer in peers:
        if word_count(peer.text, language) < MIN_WORDS:
            continue
        theirs = shingles(peer.text, language)
        for qid, own in mine.items():
            c = containment(own, theirs)
            if c >= DUPLICATE_LOW and (qid not in best or c > best[qid].containment):
                best[qid] = Match(qid, peer.session_id, peer.question_id, round(c, 4))
    return [best[q] for q in sorted(best)]


def duplicate_flag(match: Match) -> Flag:
    medium = match.containment >= DUPLICATE_MEDIUM
    return Flag(
        kind="near_duplicate",
        severity="medium" if medium else "low",
        confidence=min(1.0, match.containment),
        evidence={
            "containment": match.containment,
            "threshold": DUPLICATE_MEDIUM if medium else DUPLICATE_LOW,
            "shingle_words": SHINGLE,
            "other_session_id": match.peer_session_id,
            "other_question_id": match.peer_question_id,
        },
        question_id=match.question_id,
        note=(
            f"{match.containment:.0%} of this answer's three-word runs also appear in another "
            "candidate's answer for this role. Compare the two answers: shared preparation "
            "material can explain it; it is not proof of copying."
        ),
    )


def generator_matches(
    answers: dict[str, str], references: Mapping[str, Sequence[str]], language: str, model: str
) -> list[Flag]:
    """Flags for answers that share long runs of words with a generated reference answer to
    the same question (references: question id -> texts the generator wrote)."""
    flags = []
    for qid, text in sorted(answers.items()):
        refs = references.get(qid, ())
        if word_count(text, language) < MIN_WORDS or not refs:
            continue
        own = shingles(text, language)
        c = max(containment(own, shingles(r, language)) for r in refs)
        if c >= GENERATOR_MATCH:
            flags.append(
                Flag(
                    kind="generator_match",
                    severity="low",
                    confidence=min(1.0, c),
                    evidence={
                        "containment": round(c, 4),
                        "threshold": GENERATOR_MATCH,
                        "references": len(refs),
                        "model": model,
                    },
                    question_id=qid,
                    note=(
                        f"{c:.0%} of this answer's three-word runs also appear in an answer "
                        f"the language model {model} wrote for the same question. Read the "
                        "answer for personal, specific detail before drawing any conclusion."
                    ),
                )
            )
    return flags


REFERENCE_PROMPT = {
    "en": (
        "You are a job candidate in an interview. Answer the interviewer's question in the "
        "first person with one concrete example, in about 120 words.\n\nQuestion: {q}\n\nAnswer:"
    ),
    "zh": (
        "你是一名求职者，正在面试。请用第一人称、一个具体的例子回答面试官的问题，约200字。"
        "\n\n问题：{q}\n\n回答："
    ),
}


def reference_prompt(question: str, language: str) -> str:
    return REFERENCE_PROMPT.get(language, REFERENCE_PROMPT["en"]).format(q=question.strip())
