"""Content scoring: one answer -> a 1-5 level for the competency its question asks about.

Pure: the caller embeds texts through the backend and passes the vectors in (see
score_answer() for which). How a level is reached, each step visible in the AnswerScore:

1. Read the answer sentence by sentence and set aside what is not an account of the
   candidate's own experience (AnswerScore.set_aside says what and why): instructions or
   ratings addressed to the scorer, the question copied back, a sentence said before,
   strings of numbers, bare lists and stock phrases. Nothing set aside counts, anywhere.
2. Measure what is left (the kept text, its first MAX_READ_WORDS words): substance (how many
   different content words the candidate used to tell it), STAR elements (situation, task,
   action, result), and the candidate's own concrete particulars (numbers, names, dates,
   quotes in the sentences kept).
3. Combine them with the weights of the content model (data/content_model.json): a linear
   model fitted by bench/validity.py --fit to independent raters' judgements of real
   interviews, with its provenance. Its prediction (the raters' 1-7 scale) maps onto 1-5.
4. Caps: an answer can only reach a level its content can show. Off-topic for the
   competency asked about, hypothetical, too short for an example, or answered in another
   language than the interview's: at most the cap, whatever it sounds like.

Every AnswerScore carries its basis (feature, value, weight, points) and the quotes that
showed each STAR element; indicators are matched only where a narrated sentence is close to
one (centred similarity, see INDICATOR_MATCH).
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from functools import cache
from pathlib import Path

import numpy as np
from pydantic import BaseModel, ConfigDict

from interview.backend.protocols import Vectors
from interview.competency.schemas import Competency
from interview.scoring.schemas import AnswerScore, Evidence, Factor, SetAside
from interview.text.schemas import StarAnalysis
from interview.text.sentences import (
    MIN_WORDS,
    Sentence,
    addresses_scorer,
    buzzword_count,
    split_sentences,
    word_count,
)
from interview.text.star import analyse_answer

MODEL_FILE = Path(__file__).parent / "data" / "content_model.json"
SHORT_WORDS = 20  # a situation, an action and an outcome do not fit in fewer: level <= 2
MAX_READ_WORDS = 400  # words read per answer (about three minutes of speech); the rest is not
# An answer this long (about four minutes of speech) did not come to the point: capped at
# RAMBLE_CAP. The longest of the 330 rated answers of bench/validity.py has 539 words.
RAMBLE_WORDS = 600
RAMBLE_CAP = 3
MAX_EVIDENCE = 4
STAR_RANK = {"action": 4, "result": 3, "situation": 2, "task": 1}  # evidence order
KEPT_EVIDENCE = 2  # sentences cited when none showed a STAR element or an indicator
DETAIL_MAX = 6  # concrete particulars counted at most
# Relevance: the share of the answer's distinct content words (weighted by how specific each
# is to one competency of the library, IDF) that belong to the topic's vocabulary (the
# question, the competency's definition, indicators, anchors and example answers). Sentence
# embeddings (e5-small) do not separate topics here: the library's own example answers rank
# their competency 24th of 40 at the 90th percentile (bench/validity.py --relevance).
# Lexical, per language, calibrated on the library's example answers at levels 3-5 against
# their own competency with that example left out: 95% lie at or above 0.069 (en) and 0.019
# (zh); hobby stories score 0.00-0.03 against teamwork.
RELEVANCE_MIN = {"en": 0.05, "zh": 0.02}
# ... and a long answer is on topic anyway when its on-topic words weigh this much (IDF sum):
# a share falls as an account grows, while two or three words specific to the competency
# do not turn up in an unrelated story (hobby stories: 0.0-0.6).
RELEVANT_MASS = 1.5
# A question about a past occasion: only there is a hypothetical answer, or one with no
# example, capped.
_ASKS_FOR_EXAMPLE = re.compile(
    r"\b(?:tell (?:me|us) about (?:a|an|one|the) (?:time|occasion|situation|moment|day)|"
    r"describe (?:a|an|one) (?:time|occasion|situation|moment)|"
    r"give (?:me |us )?(?:an?|one) (?:example|instance)|(?:think of|recall) a time|"
    r"(?:walk|take) (?:me|us) through (?:a|an|one) (?:time|occasion|situation)|"
    r"have you ever)\b|讲一次|讲一个|举一个|举个|说一次|说一个|经历|"
    r"有没有(?:过)?.{0,10}(?:时候|情况|经历)",
    re.IGNORECASE,
)
# A question about a situation, past or hypothetical: only there can an answer be off topic.
# General questions ("Tell me about yourself", "Why should we hire you?") have no topic
# beyond the candidate.
_ASKS_ABOUT_SITUATION = re.compile(
    r"\bwhat would you do\b|\bhow would you\b|\bwhat would you say\b|\bimagine\b|\bsuppose\b|"
    r"如果|假如|假设|要是",
    re.IGNORECASE,
)
# An indicator is matched to a narrated sentence (one with a STAR cue) at this centred cosine,
# where that indicator is the sentence's closest of all. Read by eye on the library's
# competencies in both languages (tests/scoring/test_robustness.py keeps the cases): right
# matches at 0.47-0.50 ("not really my job to deal with complaints" -> "that's not my
# department"), a wrong one at 0.475 (explaining a refund rule calmly -> the same negative).
# The embedding cannot tell them apart, so a match is also only shown where the level agrees:
# negative indicators below level NEGATIVE_BELOW, positive ones from it. Fewer matches, but
# ones a reviewer would agree with; the level never depends on them.
INDICATOR_MATCH = 0.45
NEGATIVE_BELOW = 3.0
OFF_TOPIC_CAP = 2
OTHER_LANGUAGE_CAP = 2  # a reviewer reads it; the scorer does not compare across languages
# A sentence is a string of numbers when at least NUMBERS_MIN of its tokens are numbers and
# they make up NUMBER_SHARE of it: "2019, 2020, 2021: 45%, 300 units, 12 projects".
NUMBERS_MIN = 3
NUMBER_SHARE = 0.2
LIST_ITEMS = 4  # a sentence of this many short items (LIST_ITEM_WORDS on average) is a list
LIST_ITEM_WORDS = 2.5
ECHO_SHARE = 0.6  # share of a sentence's content tokens taken from the question
REPEAT_SHARE = 0.7  # token overlap with an earlier kept sentence: said before
FRAGMENT_WORDS = 3  # a "sentence" this short (often what is left around a cut instruction)
REUSED_SHARE = 0.6  # 5-gram overlap of two answers of one interview: one answer reused

_EN_STOP = frozenset(
    [
        "a",
        "about",
        "above",
        "after",
        "again",
        "against",
        "all",
        "also",
        "am",
        "an",
        "and",
        "any",
        "are",
        "as",
        "at",
        "be",
        "because",
        "been",
        "before",
        "being",
        "below",
        "between",
        "both",
        "but",
        "by",
        "can",
        "could",
        "did",
        "do",
        "does",
        "doing",
        "down",
        "during",
        "each",
        "even",
        "ever",
        "few",
        "for",
        "from",
        "further",
        "get",
        "got",
        "had",
        "has",
        "have",
        "having",
        "he",
        "her",
        "here",
        "hers",
        "him",
        "his",
        "how",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "just",
        "kind",
        "like",
        "me",
        "more",
        "most",
        "my",
        "no",
        "nor",
        "not",
        "now",
        "of",
        "off",
        "on",
        "once",
        "only",
        "or",
        "other",
        "our",
        "ours",
        "out",
        "over",
        "own",
        "really",
        "same",
        "she",
        "so",
        "some",
        "sort",
        "such",
        "than",
        "that",
        "the",
        "their",
        "them",
        "then",
        "there",
        "these",
        "they",
        "this",
        "those",
        "through",
        "to",
        "too",
        "under",
        "until",
        "up",
        "very",
        "was",
        "we",
        "were",
        "what",
        "when",
        "where",
        "which",
        "while",
        "who",
        "whom",
        "why",
        "will",
        "with",
        "would",
        "you",
        "your",
        "yours",
        "um",
        "umm",
        "uhm",
        "uh",
        "uhh",
        "ah",
        "ahh",
        "er",
        "erm",
        "hmm",
        "mm",
        "okay",
        "ok",
        "yeah",
        "yes",
        "well",
        "mean",
        "know",
        "guess",
        "think",
        "basically",
        "actually",
        "literally",
        "thing",
        "things",
        "stuff",
        "lot",
    ]
)
_EN_WORD = re.compile(r"[a-z][a-z'-]+")
_CJK = re.compile(r"[\u4e00-\u9fff]")
_ZH_STOP = frozenset("的了是我们你他她它在有和就都也还这那个一不吧呢啊吗嗯呃就是然后那个")
_NUMBER = re.compile(r"\d+(?:[.,:/]\d+)*\s*%?|百分之[一二三四五六七八九十百\d]+")
_LIST_SPLIT = {
    "en": re.compile(r"\s*[,;/]\s*"),
    "zh": re.compile(r"[、，,;；]"),
}
# Distinct CJK character pairs per distinct English content word telling the same story: on
# the library's 200 example answers (same story in both languages) the median is 2.3.
ZH_PAIRS_PER_WORD = 2.3


class ContentModel(BaseModel):
    """The fitted combination of content features (data/content_model.json)."""

    model_config = ConfigDict(frozen=True, extra="allow")
    version: str
    intercept: float  # on the raters' 1-7 scale
    weights: dict[str, float]  # feature -> rating points per unit
    rating_scale: tuple[float, float] = (1.0, 7.0)  # mapped linearly onto levels 1..5
    filler_weight: float = 0.0  # rating points per filler per 100 words (fitted, <= 0)
    delivery_weight: float = 0.0  # the fluency dimension's share of the overall, from the fit
    provenance: dict[str, object] = {}


@cache
def load_model(path: Path = MODEL_FILE) -> ContentModel:
    """The shipped content model."""
    return ContentModel.model_validate(json.loads(path.read_text(encoding="utf-8")))


class Topic(BaseModel):
    """What an answer to one question is expected to be about, for relevance."""

    model_config = ConfigDict(frozen=True)
    vocabulary: frozenset[str]  # content tokens of the question and the competency's texts
    idf: dict[str, float]  # token -> log((competencies + 1) / (competencies using it + 1))
    unseen_idf: float  # a token no competency uses


def competency_texts(competency: Competency, language: str) -> list[str]:
    """Every text of a competency in one language: name, definition, questions, indicators,
    anchor descriptions and example answers."""
    texts = [competency.name.get(language), competency.definition.get(language)]
    texts += [
        q.get(language)
        for q in (*competency.behavioural_questions, *competency.situational_questions)
    ]
    for std in competency.standards:
        texts += [i.get(language) for i in (*std.positive, *std.negative)]
    for a in competency.anchors:
        texts += [a.description.get(language), a.example.get(language)]
    return texts


def library_idf(
    competencies: Sequence[Competency], language: str
) -> tuple[dict[str, float], float]:
    """IDF of content tokens over the library's competencies, and the IDF of an unseen token."""
    counts: dict[str, int] = {}
    for c in competencies:
        for t in set(content_tokens(" ".join(competency_texts(c, language)), language)):
            counts[t] = counts.get(t, 0) + 1
    n = len(competencies)
    return {t: math.log((n + 1) / (k + 1)) for t, k in counts.items()}, math.log(n + 1)


def topic(
    competency: Competency, language: str, question: str, idf: tuple[dict[str, float], float]
) -> Topic:
    """The topic of one question: its words and its competency's."""
    texts = [question, *competency_texts(competency, language)]
    vocab = frozenset(content_tokens(" ".join(texts), language))
    return Topic(vocabulary=vocab, idf=idf[0], unseen_idf=idf[1])


def relevance(text: str, language: str, about: Topic) -> tuple[float, float]:
    """(IDF-weighted share, IDF-weighted sum) of the text's distinct content words that are
    on the topic."""
    tokens = set(content_tokens(text, language))
    weights = {t: about.idf.get(t, about.unseen_idf) for t in tokens}
    total = sum(weights.values())
    mass = sum(w for t, w in weights.items() if t in about.vocabulary)
    return (mass / total if total else 0.0), mass


def asks_for_example(question: str) -> bool:
    """Whether a question asks about a past occasion ("Tell me about a time ...")."""
    return bool(_ASKS_FOR_EXAMPLE.search(question))


def has_topic(question: str) -> bool:
    """Whether a question is about a situation (past or hypothetical), so that an answer
    can miss its topic."""
    return asks_for_example(question) or bool(_ASKS_ABOUT_SITUATION.search(question))


def indicator_texts(competency: Competency, language: str) -> list[tuple[str, str]]:
    """(label, text) for every positive then negative indicator, standards in order."""
    out: list[tuple[str, str]] = []
    for sign in ("positive", "negative"):
        for std in competency.standards:
            for ind in getattr(std, sign):
                out.append((f"{sign}:{std.id}", ind.get(language)))
    return out


def detect_language(text: str) -> str | None:
    """'zh' or 'en' by script, None when the text has too few letters to tell."""
    cjk = len(_CJK.findall(text))
    latin = len(re.findall(r"[A-Za-z]", text))
    if cjk + latin < 10:
        return None
    return "zh" if cjk * 2 >= latin else "en"


def content_tokens(text: str, language: str) -> list[str]:
    """Content words (en) or CJK character pairs (zh), lower case, function words left out."""
    if language == "zh":
        chars = [c for c in _CJK.findall(text) if c not in _ZH_STOP]
        return [a + b for a, b in zip(chars, chars[1:], strict=False)]
    return [w for w in _EN_WORD.findall(text.lower()) if w not in _EN_STOP and len(w) > 2]


def _token_words(text: str, language: str) -> float:
    return word_count(text, language) if language == "zh" else len(re.findall(r"\S+", text))


def set_aside_reason(
    sentence: str, language: str, question_tokens: set[str], kept: Sequence[set[str]]
) -> str | None:
    """Why a sentence is not part of the candidate's account, or None to keep it."""
    if addresses_scorer(sentence):
        return "addressed to the scorer"
    tokens = set(content_tokens(sentence, language))
    if len(tokens) >= 3 and len(tokens & question_tokens) >= ECHO_SHARE * len(tokens):
        return "repeats the question"
    if tokens <= question_tokens and sentence.rstrip().endswith(("?", "？")):
        return "repeats the question"
    if _token_words(sentence, language) <= FRAGMENT_WORDS:
        return "a fragment, not an account"
    if tokens and any(len(tokens & k) >= REPEAT_SHARE * len(tokens | k) for k in kept):
        return "said before"
    numbers = len(_NUMBER.findall(sentence))
    if numbers >= NUMBERS_MIN and numbers >= NUMBER_SHARE * max(
        _token_words(sentence, language), 1
    ):
        return "a string of numbers"
    items = [p for p in _LIST_SPLIT[language].split(sentence) if p.strip()]
    size = sum(_token_words(p, language) for p in items) / max(len(items), 1)
    if len(items) >= LIST_ITEMS and size <= (LIST_ITEM_WORDS * (2 if language == "zh" else 1)):
        return "a list, not an account"
    if buzzword_count(sentence, language) >= 2:
        return "stock phrases"
    return None


def read_answer(text: str, language: str, question: str) -> tuple[list[Sentence], list[SetAside]]:
    """The answer's sentences to keep, and the ones set aside with the reason."""
    question_tokens = set(content_tokens(question, language))
    kept: list[Sentence] = []
    kept_tokens: list[set[str]] = []
    aside: list[SetAside] = []
    for s in split_sentences(text):
        reason = set_aside_reason(s.text, language, question_tokens, kept_tokens)
        if reason is None:
            kept.append(s)
            kept_tokens.append(set(content_tokens(s.text, language)))
        else:
            aside.append(SetAside(quote=s.text, start_char=s.start, end_char=s.end, reason=reason))
    return kept, aside


def substance(text: str, language: str) -> float:
    """log(1 + distinct content words) of the text's first MAX_READ_WORDS words."""
    if language == "zh":
        head = "".join(_CJK.findall(text))[: int(MAX_READ_WORDS * 2)]
        return math.log1p(len(set(content_tokens(head, "zh"))) / ZH_PAIRS_PER_WORD)
    head = " ".join(text.split()[:MAX_READ_WORDS])
    return math.log1p(len(set(content_tokens(head, "en"))))


def level_of(rating: float, model: ContentModel) -> float:
    """A prediction on the raters' scale onto levels 1..5."""
    lo, hi = model.rating_scale
    return float(np.clip(1.0 + 4.0 * (rating - lo) / (hi - lo), 1.0, 5.0))


def features(kept_text: str, language: str) -> tuple[dict[str, float], StarAnalysis]:
    """The content model's features of the kept text, and the STAR analysis behind them."""
    star = analyse_answer(kept_text, language)
    elements = sum((star.situation, star.task, star.action, star.result))
    # Particulars of the kept text only: strings of numbers, ratings and lists are set aside
    # before this, so what is counted belongs to sentences of the candidate's own account.
    details = min(star.details, DETAIL_MAX)
    return (
        {
            "substance": substance(kept_text, language),
            "star": float(elements),
            "details": float(details),
        },
        star,
    )


def _centred(v: np.ndarray, centre: np.ndarray) -> np.ndarray:
    c = v - centre
    return c / max(float(np.linalg.norm(c)), 1e-12)


def score_answer(
    question_id: str,
    question: str,
    answer: str,
    competency: Competency,
    language: str,
    about: Topic,
    sentence_vecs: Vectors,
    indicator_vecs: Vectors,
    centre: Vectors,
    model: ContentModel | None = None,
) -> AnswerScore:
    """Score one answer for `competency`. Vectors are unit-length embeddings of the kept
    sentences (read_answer() order), indicator_texts() and the centre (the mean embedding
    of typical answers, AnswerScorer.centre); `about` is topic() of the question."""
    model = model or load_model()
    reading = detect_language(answer) or language
    kept, aside = read_answer(answer, reading, question)
    assert len(sentence_vecs) == len(kept), "sentence_vecs: one row per kept sentence"
    notes = [f"{len(aside)} sentence(s) set aside"] if aside else []
    kept_text = " ".join(s.text for s in kept)
    words = word_count(kept_text, reading)
    factors: list[Factor] = []
    evidence: list[tuple[float, Evidence]] = []
    positive: list[str] = []
    negative: list[str] = []
    on_topic = None
    if words < MIN_WORDS or not kept:
        value, confidence = 1.0, 0.2
        notes.append(f"too short to show behaviour ({words:g} words kept, need {MIN_WORDS})")
    else:
        feats, star = features(kept_text, reading)
        rating = model.intercept
        for name, x in feats.items():
            w = model.weights.get(name, 0.0)
            rating += w * x
            factors.append(Factor(name=name, value=round(x, 4), weight=w, points=round(w * x, 4)))
        value = level_of(rating, model)
        confidence = round(min(1.0, 0.4 + words / 100.0), 4)
        on_topic, mass = relevance(kept_text, reading, about) if reading == language else (1.0, 0.0)
        caps: list[tuple[int, str]] = []
        if has_topic(question) and on_topic < RELEVANCE_MIN[reading] and mass < RELEVANT_MASS:
            caps.append(
                (OFF_TOPIC_CAP, f"off the topic of the question (relevance {on_topic:.2f})")
            )
        if star.hypothetical and asks_for_example(question):
            caps.append((2, "hypothetical: what they would do, not what they did"))
        if asks_for_example(question) and not (star.action or star.hypothetical):
            caps.append((2, "no example: nothing the candidate did is told"))
        if words < SHORT_WORDS:
            caps.append((2, f"too short for a complete example ({words:g} words)"))
        total = word_count(answer, reading)
        if total > RAMBLE_WORDS:
            caps.append((RAMBLE_CAP, f"far too long for one answer ({total:g} words)"))
        if reading != language:
            caps.append(
                (OTHER_LANGUAGE_CAP, f"answered in {reading}, the interview is in {language}")
            )
        for cap, reason in caps:
            if value > cap:
                value = float(cap)
                notes.append(f"capped at {cap}: {reason}")
        # Each sentence that showed a STAR element, the action first. The analyser quotes
        # sentences of the kept text; their spans in the answer are the kept sentences'.
        in_answer = {k.text: k for k in kept}
        for cue in star.evidence:
            if cue.element in STAR_RANK and cue.quote in in_answer:
                sent = in_answer[cue.quote]
                ev = _evidence(question_id, sent, f"star:{cue.element}", 0.0)
                evidence.append((STAR_RANK[cue.element], ev))
        labels = indicator_texts(competency, language)
        if len(labels) and reading == language and on_topic >= RELEVANCE_MIN[reading]:
            narrated = {e.quote for _, e in evidence}
            rows = [i for i, s in enumerate(kept) if s.text in narrated]
            if rows:
                sv = np.stack([_centred(v, centre) for v in sentence_vecs[rows]])
                iv = np.stack([_centred(v, centre) for v in indicator_vecs])
                sims = sv @ iv.T
                for j, (label, text) in enumerate(labels):
                    i = int(np.argmax(sims[:, j]))
                    s = float(sims[i, j])
                    if s < INDICATOR_MATCH or int(np.argmax(sims[i])) != j:
                        continue  # weak, or the sentence is closer to another indicator
                    if (value < NEGATIVE_BELOW) != label.startswith("negative"):
                        continue  # at odds with the level: not shown (see INDICATOR_MATCH)
                    (positive if label.startswith("positive") else negative).append(text)
                    sent = kept[rows[i]]
                    evidence.append((10 + s, _evidence(question_id, sent, label, s)))
    if not evidence and kept:
        # No sentence showed a STAR element or an indicator: the score rests on what was
        # counted, so cite it (its longest kept sentences).
        longest = sorted(kept, key=lambda s: -len(s.text))[:KEPT_EVIDENCE]
        evidence = [(0.0, _evidence(question_id, s, "kept", 0.0)) for s in longest]
    level = int(np.clip(np.floor(value + 0.5), 1, 5))
    chosen = _dedupe([e for _, e in sorted(evidence, key=lambda p: -p[0])])[:MAX_EVIDENCE]
    return AnswerScore(
        question_id=question_id,
        competency_id=competency.id,
        level=level,
        value=round(value, 4),
        confidence=round(confidence, 4),
        anchor_similarity=(),
        matched_positive=tuple(dict.fromkeys(positive)),
        matched_negative=tuple(dict.fromkeys(negative)),
        evidence=tuple(chosen),
        note="; ".join(notes),
        basis=tuple(factors),
        relevance=None if on_topic is None else round(on_topic, 4),
        set_aside=tuple(aside),
        model_version=model.version,
    )


def _evidence(question_id: str, sent: Sentence, supports: str, similarity: float) -> Evidence:
    return Evidence(
        question_id=question_id,
        quote=sent.text,
        start_char=sent.start,
        end_char=sent.end,
        supports=supports,
        similarity=round(similarity, 4),
    )


def _dedupe(items: list[Evidence]) -> list[Evidence]:
    seen: set[tuple[int, int]] = set()
    out = []
    for e in items:
        if (e.start_char, e.end_char) not in seen:
            seen.add((e.start_char, e.end_char))
            out.append(e)
    return out


def _grams(text: str) -> set[tuple[str, ...]]:
    toks = [t.lower() for t in re.findall(r"[\u4e00-\u9fff]|[A-Za-z0-9']+", text)]
    return {tuple(toks[i : i + 5]) for i in range(max(len(toks) - 4, 0))}


def reused_answers(answers: Sequence[tuple[str, str]]) -> dict[str, str]:
    """{question id: the earlier question whose answer it repeats} for (question id, text)
    pairs in the order asked: an answer sharing REUSED_SHARE of its 5-grams with an earlier
    one is the same answer given again."""
    seen: list[tuple[str, set[tuple[str, ...]]]] = []
    out: dict[str, str] = {}
    for qid, text in answers:
        grams = _grams(text)
        if not grams:
            continue
        for first, earlier in seen:
            if len(grams & earlier) >= REUSED_SHARE * min(len(grams), len(earlier)):
                out[qid] = first
                break
        else:
            seen.append((qid, grams))
    return out


def counted_once(score: AnswerScore, first: str) -> AnswerScore:
    """A reused answer's score: level 1, its evidence kept, the reuse named for the reviewer."""
    note = f"same answer as question {first}: counted once"
    return score.model_copy(
        update={
            "level": 1,
            "value": 1.0,
            "note": "; ".join(p for p in (score.note, note) if p),
            "reused_from": first,
            "matched_positive": (),
            "matched_negative": (),
        }
    )
