"""Anchored content scoring: an answer against a competency's BARS anchors and indicators.

Pure: the caller embeds texts through the backend and passes the vectors in
(see anchor_texts() and indicator_texts() for what to embed, in order).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

from interview.backend.protocols import Vectors
from interview.competency.schemas import Competency
from interview.scoring.schemas import AnswerScore, Evidence

TEMPERATURE = 0.01  # softmax temperature over cosine similarities (e5 sims span ~0.75-0.95)
INDICATOR_MATCH = 0.86  # cosine at which a sentence is taken to show an indicator
MIN_WORDS = 8  # shorter answers cannot show behaviour; scored level 1 with low confidence
MAX_EVIDENCE = 3
_SENTENCE = re.compile(r"[^.!?。！？\n]+[.!?。！？]*", re.UNICODE)


def word_count(text: str, language: str) -> float:
    """Words; for Chinese, characters divided by two."""
    if language == "zh":
        return len(re.sub(r"\s", "", text)) / 2
    return len(text.split())


@dataclass(frozen=True)
class Sentence:
    text: str
    start: int
    end: int


def split_sentences(text: str) -> list[Sentence]:
    out = []
    for m in _SENTENCE.finditer(text):
        raw = m.group(0)
        stripped = raw.strip()
        if len(stripped) < 2:
            continue
        start = m.start() + (len(raw) - len(raw.lstrip()))
        out.append(Sentence(stripped, start, start + len(stripped)))
    return out


def anchor_texts(competency: Competency, language: str) -> list[str]:
    """Level 1..5: description and example answer together."""
    return [f"{a.description.get(language)} {a.example.get(language)}" for a in competency.anchors]


def indicator_texts(competency: Competency, language: str) -> list[tuple[str, str]]:
    """(label, text) for every positive then negative indicator, standards in order."""
    out: list[tuple[str, str]] = []
    for sign in ("positive", "negative"):
        for std in competency.standards:
            for ind in getattr(std, sign):
                out.append((f"{sign}:{std.id}", ind.get(language)))
    return out


def _softmax(x: np.ndarray) -> np.ndarray:
    z = np.exp((x - x.max()) / TEMPERATURE)
    return z / z.sum()


def score_answer(
    question_id: str,
    answer: str,
    competency: Competency,
    language: str,
    answer_vec: Vectors,
    sentence_vecs: Vectors,
    anchor_vecs: Vectors,
    indicator_vecs: Vectors,
) -> AnswerScore:
    """Score one answer; vectors are unit-length embeddings of the answer, its sentences
    (split_sentences order), anchor_texts() and indicator_texts()."""
    sentences = split_sentences(answer)
    anchor_sims = anchor_vecs @ answer_vec
    probs = _softmax(anchor_sims)
    value = float(np.dot(probs, np.arange(1, 6)))
    confidence = float(probs.max())
    note = ""
    words = word_count(answer, language)
    if words < MIN_WORDS:
        value, confidence = 1.0, min(confidence, 0.2)
        note = f"answer too short to show behaviour ({words:g} words, need {MIN_WORDS})"
    level = int(np.clip(round(value), 1, 5))

    labels = indicator_texts(competency, language)
    positive: list[str] = []
    negative: list[str] = []
    evidence: list[tuple[float, Evidence]] = []
    if sentences and len(labels):
        sims = sentence_vecs @ indicator_vecs.T  # sentences x indicators
        for j, (label, text) in enumerate(labels):
            i = int(np.argmax(sims[:, j]))
            s = float(sims[i, j])
            if s < INDICATOR_MATCH:
                continue
            (positive if label.startswith("positive") else negative).append(text)
            sent = sentences[i]
            evidence.append(
                (
                    s,
                    Evidence(
                        question_id=question_id,
                        quote=sent.text,
                        start_char=sent.start,
                        end_char=sent.end,
                        supports=label,
                        similarity=round(s, 4),
                    ),
                )
            )
        if not evidence:
            # No indicator matched: cite the sentence closest to the chosen level's anchor.
            to_anchor = sentence_vecs @ anchor_vecs[level - 1]
            i = int(np.argmax(to_anchor))
            sent = sentences[i]
            evidence.append(
                (
                    float(to_anchor[i]),
                    Evidence(
                        question_id=question_id,
                        quote=sent.text,
                        start_char=sent.start,
                        end_char=sent.end,
                        supports=f"anchor:{level}",
                        similarity=round(float(to_anchor[i]), 4),
                    ),
                )
            )
    chosen = _dedupe([e for _, e in sorted(evidence, key=lambda p: -p[0])])[:MAX_EVIDENCE]
    return AnswerScore(
        question_id=question_id,
        competency_id=competency.id,
        level=level,
        value=round(value, 4),
        confidence=round(confidence, 4),
        anchor_similarity=tuple(round(float(s), 4) for s in anchor_sims),
        matched_positive=tuple(dict.fromkeys(positive)),
        matched_negative=tuple(dict.fromkeys(negative)),
        evidence=tuple(chosen),
        note=note,
    )


def _dedupe(items: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[int, int]] = set()
    out = []
    for e in items:
        if (e.start_char, e.end_char) not in seen:
            seen.add((e.start_char, e.end_char))
            out.append(e)
    return out
