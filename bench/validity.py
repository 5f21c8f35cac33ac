"""Validity of the overall score against independent human raters of real interviews.

Data: ../shared/data/ratings/mit_interviews_dev.jsonl (68 mock job interviews, 34
participants, rated 1-7 by raters who are not us; see its README). Each transcript becomes
question/answer pairs (bench/mit_data.py), every answer is scored through the product's own
path (pipeline.AnswerScorer, then report.build.build_report with the role's default
policy), and the overall 0-100 is compared with the ratings by Spearman's rho.

Whatever is fitted (the content model's weights) is fitted inside grouped cross-validation:
folds split by participant (both interviews of a person in one fold), the model fitted on
the training folds only, the held-out interviews scored with it. Reported: rho of the
pooled out-of-fold scores, the mean and spread over folds, over REPEATS shuffles of the
folds; and, for reference, the shipped model scored on all 68 (in-sample, not validity).

    bench/validity.py                 # the figures (about two minutes on 2 CPU cores)
    bench/validity.py --fit           # refit on all 68 and write scoring/data/content_model.json
    bench/validity.py --relevance     # relevance of the library's example answers (calibration)

Last line: one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
from scipy.stats import spearmanr

sys.path.insert(0, str(Path(__file__).parent))
import mit_data  # noqa: E402

from interview.backend.protocols import Vectors  # noqa: E402
from interview.competency.library import load_library  # noqa: E402
from interview.competency.schemas import CompetencyModel, WeightedCompetency  # noqa: E402
from interview.perception.schemas import Transcript  # noqa: E402
from interview.perception.speech import count_fillers, spoken_words  # noqa: E402
from interview.report.build import build_report  # noqa: E402
from interview.report.schemas import Provenance  # noqa: E402
from interview.scoring import content  # noqa: E402
from interview.scoring.dimensions import FILLER_FAR, fluency  # noqa: E402
from interview.scoring.fusion import ScoringPolicy  # noqa: E402

LABELS = Path(__file__).parent / "data" / "scoring_labels.jsonl"
FOLDS = 5
REPEATS = 5
ALPHA = 2.0  # ridge penalty on standardised features (68 interviews: keep the fit small)
FEATURES = ("substance", "star", "details")
FLOOR = 0.45  # issue 19: grouped cross-validated Spearman with `overall`


class CachedEmbedder:
    """The product's embedder with a memory of texts already embedded (the folds re-score)."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.memo: dict[str, np.ndarray] = {}

    def dimension(self) -> int:
        return int(self.inner.dimension())

    def embed_queries(self, texts: Sequence[str]) -> Vectors:
        todo = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if todo:
            for t, v in zip(todo, self.inner.embed_queries(todo), strict=True):
                self.memo[t] = v
        return np.stack([self.memo[t] for t in texts]) if texts else np.zeros((0, 384))

    def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return self.inner.embed_passages(texts)


def role_model() -> CompetencyModel:
    """The competencies the MIT questions ask about, equally weighted (an internship role)."""
    library = load_library()
    comps = sorted({c for _, c in mit_data.QUESTIONS})
    return CompetencyModel(
        role_title="Intern",
        template_id=None,
        library_version=library.version,
        items=tuple(
            WeightedCompetency(competency=library.competency(c), weight=1 / len(comps))
            for c in comps
        ),
    )


def filler_rate(interview: mit_data.Interview) -> float:
    """Fillers per 100 words over the interviewee's answers (perception.speech's counter)."""
    text = " ".join(p.answer for p in interview.pairs)
    t = Transcript(text=text, language="en", duration_s=0.0, status="ok", model="verbatim")
    return 100.0 * count_fillers(t) / max(spoken_words(text, "en"), 1.0)


def answer_features(interview: mit_data.Interview) -> np.ndarray:
    """Mean content features over the interview's answers (what the model is fitted on)."""
    rows = []
    for p in interview.pairs:
        kept, _ = content.read_answer(p.answer, "en", p.question)
        feats, _ = content.features(" ".join(s.text for s in kept), "en")
        rows.append([feats[f] for f in FEATURES])
    return np.asarray(rows, float).mean(axis=0)


def fit(
    x: np.ndarray, fill: np.ndarray, y: np.ndarray, alpha: float = ALPHA
) -> content.ContentModel:
    """Ridge of the rating on the content features and the filler rate; content weights kept
    non-negative (a feature that lowers the rating when it grows is dropped and refitted)."""
    X = np.column_stack([x, fill])
    active = list(range(X.shape[1]))
    while True:
        mu, sd = X[:, active].mean(0), X[:, active].std(0) + 1e-9
        Z = (X[:, active] - mu) / sd
        w = np.linalg.solve(Z.T @ Z + alpha * np.eye(len(active)), Z.T @ (y - y.mean()))
        raw = w / sd
        bad = [a for a, v in zip(active, raw, strict=True) if a < len(FEATURES) and v < 0]
        if not bad:
            break
        active.remove(bad[0])
    weights = dict.fromkeys(FEATURES, 0.0)
    w_fill = 0.0
    for a, v in zip(active, raw, strict=True):
        if a < len(FEATURES):
            weights[FEATURES[a]] = float(v)
        else:
            w_fill = float(v)
    intercept = float(y.mean() - raw @ mu)
    # The filler term becomes the fluency dimension of the overall; its mean is folded into
    # the intercept (the content level is that of an answer with average fluency).
    intercept += min(w_fill, 0.0) * float(fill.mean())
    model = content.ContentModel(
        version="",
        intercept=round(intercept, 5),
        weights={f: round(v, 5) for f, v in weights.items()},
        filler_weight=round(min(w_fill, 0.0), 5),
    )
    return delivery_share(calibrate_levels(model))


def delivery_share(model: content.ContentModel) -> content.ContentModel:
    """Fluency's share of the overall: dimensions.fluency runs from 5 (no fillers) to 1 (at
    FILLER_FAR per 100 words), content from level 1 to 5 over rating_scale; a share k/(1+k)
    with k = |filler weight| * FILLER_FAR / (rating span) moves the overall per filler as
    much as the fitted coefficient moves the raters' judgement."""

    lo, hi = model.rating_scale
    k = -model.filler_weight * FILLER_FAR / (hi - lo)
    return model.model_copy(update={"delivery_weight": round(k / (1 + k), 4)})


def label_rows(splits: tuple[str, ...] = ("dev", "dev2")) -> list[dict[str, Any]]:
    """Our own rubric-level labels (bench/data/scoring_labels.jsonl), development splits."""
    rows = [json.loads(line) for line in LABELS.read_text(encoding="utf-8").splitlines()]
    return [r for r in rows if r["split"] in splits]


def raw_rating(model: content.ContentModel, answer: str, language: str, question: str) -> float:
    """The content model's prediction for one answer before caps (the raters' scale)."""
    kept, _ = content.read_answer(answer, language, question)
    feats, _ = content.features(" ".join(s.text for s in kept), language)
    return model.intercept + sum(model.weights.get(k, 0.0) * v for k, v in feats.items())


def calibrate_levels(model: content.ContentModel) -> content.ContentModel:
    """The levels' scale: the raters fix the weights (what counts, and how much), but their
    1-7 judgements of whole interviews say nothing about where a single answer sits on the
    rubric's 1-5. Our development labels (100 answers, dev and dev2 splits, levels by the
    rubric) set that: the prediction's mean and spread mapped onto the labels' (reduced major
    axis, which keeps the spread where least squares would shrink it)."""
    rows = label_rows()
    pred = np.array([raw_rating(model, r["answer"], r["language"], r["question"]) for r in rows])
    level = np.array([r["level"] for r in rows], float)
    slope = float(level.std() / max(pred.std(), 1e-9))
    intercept = float(level.mean() - slope * pred.mean())
    lo = (1.0 - intercept) / slope
    return model.model_copy(update={"rating_scale": (round(lo, 4), round(lo + 4.0 / slope, 4))})


def overall(
    scorer: Any,
    interview: mit_data.Interview,
    model: CompetencyModel,
    fill: float,
    with_fluency: bool = False,
) -> float:
    """The product's overall 0-100 for one interview: by default with the default scoring
    policy (content only); with_fluency as a role that turns delivery scoring on."""
    library = load_library()
    items = [
        (f"q{n}", p.question, p.answer, library.competency(p.competency), "en")
        for n, p in enumerate(interview.pairs)
    ]
    scores = scorer.score_many(items)
    dw = scorer.model.delivery_weight
    policy = (
        ScoringPolicy(content_weight=1 - dw, delivery_weight=dw, delivery=True)
        if with_fluency and dw > 0
        else ScoringPolicy()
    )
    report = build_report(
        session_id=interview.id,
        candidate_name=interview.id,
        language="en",
        model=model,
        scores=scores,
        asked=[s.question_id for s in scores],
        provenance=Provenance(
            package_version="bench",
            library_version=model.library_version,
            competency_model_version=1,
            models={},
            settings_hash="",
            scored_at=datetime(2026, 12, 7, tzinfo=UTC),
        ),
        policy=policy,
        dimensions=[fluency([fill])],
    )
    return float(report.overall)


def rho(a: Sequence[float], b: Sequence[float]) -> float:
    return float(spearmanr(a, b)[0])


def cross_validate(
    embedder: Any, interviews: list[mit_data.Interview], with_fluency: bool = False
) -> dict[str, Any]:
    from interview.pipeline import AnswerScorer

    role = role_model()
    x = np.stack([answer_features(i) for i in interviews])
    fill = np.array([filler_rate(i) for i in interviews])
    parts = np.array([i.participant for i in interviews])
    out: dict[str, Any] = {}
    target = np.array([i.ratings["overall"] for i in interviews])
    pooled: dict[str, list[float]] = {r: [] for r in mit_data.RATINGS}
    per_fold: dict[str, list[float]] = {r: [] for r in mit_data.RATINGS}
    for seed in range(REPEATS):
        order = np.unique(parts)
        np.random.default_rng(seed).shuffle(order)
        pred = np.zeros(len(interviews))
        for f in range(FOLDS):
            test = np.isin(parts, order[f::FOLDS])
            m = fit(x[~test], fill[~test], target[~test])
            scorer = AnswerScorer(embedder, m)
            for j in np.flatnonzero(test):
                pred[j] = overall(scorer, interviews[j], role, fill[j], with_fluency)
            for r in mit_data.RATINGS:
                y = [interviews[j].ratings[r] for j in np.flatnonzero(test)]
                per_fold[r].append(rho(pred[test], y))
        for r in mit_data.RATINGS:
            pooled[r].append(rho(pred, [i.ratings[r] for i in interviews]))
    for r in mit_data.RATINGS:
        out[r] = {
            "spearman": round(float(np.mean(pooled[r])), 3),
            "spearman_sd_over_repeats": round(float(np.std(pooled[r])), 3),
            "fold_mean": round(float(np.nanmean(per_fold[r])), 3),
            "fold_sd": round(float(np.nanstd(per_fold[r])), 3),
        }
    return out


def write_model(
    interviews: list[mit_data.Interview], figures: dict[str, Any]
) -> content.ContentModel:
    x = np.stack([answer_features(i) for i in interviews])
    fill = np.array([filler_rate(i) for i in interviews])
    y = np.array([i.ratings["overall"] for i in interviews])
    m = fit(x, fill, y)
    digest = hashlib.sha256(mit_data.DEV.read_bytes()).hexdigest()
    version = f"mit-dev-{digest[:8]}-{'-'.join(FEATURES)}"
    m = m.model_copy(
        update={
            "version": version,
            "provenance": {
                "fitted_by": "bench/validity.py --fit",
                "data": "shared/data/ratings/mit_interviews_dev.jsonl",
                "data_sha256": digest,
                "interviews": len(interviews),
                "participants": len({i.participant for i in interviews}),
                "target": "overall (independent raters, 1-7)",
                "method": f"ridge (alpha {ALPHA}) on standardised interview means; "
                "content weights non-negative",
                "features": {
                    "substance": "log(1 + distinct content words) of the kept answer",
                    "star": "STAR elements shown (0-4)",
                    "details": "concrete particulars (numbers, names, dates, quotes) in the "
                    f"kept sentences (0-{content.DETAIL_MAX})",
                },
                "delivery": "fillers per 100 words; its share of the overall is delivery_weight",
                "cross_validation": figures,
            },
        }
    )
    content.MODEL_FILE.write_text(json.dumps(m.model_dump(), indent=2, ensure_ascii=False) + "\n")
    return m


def relevance_table(embedder: Any) -> dict[str, Any]:
    """Centred relevance of each library example answer (levels 3-5) to its own competency's
    questions and to the other competencies' questions: where RELEVANCE_MIN should sit."""
    from interview.pipeline import AnswerScorer

    library = load_library()
    scorer = AnswerScorer(embedder)
    out: dict[str, Any] = {}
    for language in ("en", "zh"):
        centre = scorer.centre(language)
        own, other = [], []
        comps = library.competencies
        topics = {
            c.id: content._centred(
                scorer._topic(c, language, c.behavioural_questions[0].get(language)), centre
            )
            for c in comps
        }
        for c in comps:
            for a in c.anchors[2:]:
                v = content._centred(embedder.embed_queries([a.example.get(language)])[0], centre)
                own.append(float(v @ topics[c.id]))
                other += [float(v @ topics[o.id]) for o in comps if o.id != c.id]
        out[language] = {
            "own_p05": round(float(np.percentile(own, 5)), 3),
            "own_p50": round(float(np.percentile(own, 50)), 3),
            "other_p50": round(float(np.percentile(other, 50)), 3),
            "other_p95": round(float(np.percentile(other, 95)), 3),
        }
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--fit", action="store_true", help="refit and write the content model")
    ap.add_argument("--relevance", action="store_true", help="relevance calibration table")
    args = ap.parse_args()
    from interview.backend.registry import Backend
    from interview.pipeline import EMBEDDER

    embedder = CachedEmbedder(Backend().embedder(EMBEDDER))
    if args.relevance:
        print(json.dumps({"relevance": relevance_table(embedder)}))
        return
    interviews = mit_data.load()
    default = cross_validate(embedder, interviews)
    fluent = cross_validate(embedder, interviews, with_fluency=True)
    results: dict[str, Any] = {
        "interviews": len(interviews),
        "participants": len({i.participant for i in interviews}),
        "folds": FOLDS,
        "repeats": REPEATS,
        "default_policy_content_only": default,
        "delivery_on_content_and_fluency": fluent,
        "floor_overall": FLOOR,
        "meets_floor_default": default["overall"]["spearman"] >= FLOOR,
        "meets_floor_delivery_on": fluent["overall"]["spearman"] >= FLOOR,
    }
    if args.fit:
        results["written"] = write_model(
            interviews, {"default": default, "delivery_on": fluent}
        ).version
    results["shipped_model"] = content.load_model().version
    for name, figures in (("default (content)", default), ("delivery on (+fluency)", fluent)):
        for r, v in figures.items():
            print(
                f"{name:24s} {r:20s} grouped-CV Spearman {v['spearman']:+.3f} (sd over repeats "
                f"{v['spearman_sd_over_repeats']:.3f}; per fold {v['fold_mean']:+.3f} "
                f"± {v['fold_sd']:.3f})",
                file=sys.stderr,
            )
    print(json.dumps(results))


if __name__ == "__main__":
    main()
