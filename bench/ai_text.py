"""Machine-written answer check: AUROC, TPR at 1% FPR, and fairness to second-language writers.

Data: ../shared/data/text/xsum_gpt-3.5-turbo.json and xsum_gpt-4.json, 150 pairs each of a
human-written news opening ("original"; the two files share the same 150) and the opening's
first ~23 words continued by GPT-3.5-turbo or GPT-4 ("sampled"). Every text is cut to its
first MAX_WORDS words and scored by Gemma 3 270M through the backend; integrity/ai_text.py
reads the first MAX_TOKENS scored tokens. TokenScores are cached under /tmp (by model and
text), so a re-run scores nothing again.

Split: the first half of the pairs of each file fits the calibration (a class-balanced
logistic on the sampling discrepancy; threshold at 1% false positives on the HUMAN fit
texts), the second half is reported: per file, AUROC and TPR at 1% FPR (threshold set on
that half's own human texts) for perplexity (lower = machine) and for the analytic sampling
discrepancy, and the FPR/TPR at the calibrated threshold.

Second-language writers: bench/data/nonnative.jsonl holds 60 short interview-style answers,
all labelled human, in three groups of 20: "l2" (English the way people with 20 different
first languages often write it: simpler words, article and preposition slips, tense and
word-order transfer), "zh-l1" (English the way Chinese speakers often write it: dropped
articles and plural -s, present for past, "although ... but", "learn knowledge"), and
"native" (fluent native English telling the same 20 stories as "l2", story for story, as a
control matched in topic and length). They were written for this benchmark by the
assistant that wrote this file (an LLM imitating those writers), not collected from people,
and have no spelling mistakes: they show how the detector treats those features, not a
real population, and being machine-written they are a harsh test.

Two calibrations are reported:
- news_only: the threshold from the human news texts alone (the protocol above); the
  share of all 20 answers of each group it flags, against the native news texts.
- shipped: the same logistic, with the threshold raised until the first 10 answers of each
  group (the guard) are also at or under 1% FPR (ai_text.fit_calibration(guards=...));
  reported on the other 10 of each group. This one is written to
  interview/integrity/data/calibration.json (not with --quick).
Each also gives the share a perplexity detector set at 1% FPR on the same news texts flags.

Usage: bench/ai_text.py [--quick]. --quick: 20 pairs per file (10 fit, 10 reported), nothing
written. Progress goes to stderr; the last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from interview.backend.schemas import TokenScores
from interview.integrity.ai_text import (
    CALIBRATION_FILE,
    Calibration,
    fit_calibration,
    flag_for,
    judge_text,
    perplexity,
    sampling_discrepancy,
    threshold_at_fpr,
)

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT.parent / "shared" / "data" / "text"
FILES = ("xsum_gpt-3.5-turbo", "xsum_gpt-4")
NONNATIVE = Path(__file__).parent / "data" / "nonnative.jsonl"
GROUPS = ("l2", "zh-l1", "native")
MODEL = "gemma3-270m"
MAX_WORDS = 100  # texts cut to their first 100 words (~130 Gemma tokens) before scoring
MAX_TOKENS = 120  # scored tokens the detector reads
SHORT_TOKENS = 64  # ~50 English words: the shortest answer that is judged
MIN_WORDS = 50
TARGET_FPR = 0.01
CACHE = Path("/tmp/interview-bench-ai-text")


def cut(text: str, max_words: int = MAX_WORDS) -> str:
    """The first max_words words of text (whitespace joined)."""
    return " ".join(text.split()[:max_words])


def score_cached(
    texts: Sequence[str], generator: Callable[[], Any], cache: Path = CACHE
) -> tuple[dict[str, TokenScores], int, float]:
    """TokenScores by text (cached by model and text); how many were new; seconds spent."""
    folder = cache / MODEL
    folder.mkdir(parents=True, exist_ok=True)
    texts = list(dict.fromkeys(texts))  # the files share their human texts: score each once
    paths = [folder / f"{hashlib.sha256(t.encode()).hexdigest()}.json" for t in texts]
    out = [
        TokenScores.model_validate_json(p.read_text(encoding="utf-8")) if p.is_file() else None
        for p in paths
    ]
    todo = [i for i, ts in enumerate(out) if ts is None]
    started = time.perf_counter()
    if todo:
        model = generator()
        for done, i in enumerate(todo, 1):
            ts = model.score([texts[i]])[0]
            tmp = paths[i].with_suffix(".tmp")
            tmp.write_text(ts.model_dump_json(), encoding="utf-8")
            tmp.replace(paths[i])
            out[i] = ts
            if done % 10 == 0 or done == len(todo):
                rate = done / (time.perf_counter() - started)
                print(f"scored {done}/{len(todo)} new texts ({rate:.2f}/s)", file=sys.stderr)
    scores = {t: ts for t, ts in zip(texts, out, strict=True) if ts is not None}
    assert len(scores) == len(texts)
    return scores, len(todo), time.perf_counter() - started


def auroc(negative: Sequence[float], positive: Sequence[float]) -> float:
    """P(a positive outranks a negative), ties counting one half (Mann-Whitney U)."""
    neg, pos = np.asarray(negative, float), np.asarray(positive, float)
    above = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(above / (len(pos) * len(neg)))


def upper95(k: int, n: int) -> float:
    """One-sided 95% Clopper-Pearson upper bound of a rate seen k times in n."""
    if k >= n:
        return 1.0

    def tail(p: float) -> float:  # P(X <= k) for X ~ Binomial(n, p)
        return sum(math.comb(n, i) * p**i * (1 - p) ** (n - i) for i in range(k + 1))

    lo, hi = k / n, 1.0
    for _ in range(60):
        mid = (lo + hi) / 2
        lo, hi = (mid, hi) if tail(mid) > 0.05 else (lo, mid)
    return hi


def rate(flags: Sequence[bool]) -> dict[str, Any]:
    k, n = sum(flags), len(flags)
    return {"n": n, "flagged": k, "rate": round(k / n, 4), "upper95": round(upper95(k, n), 3)}


def tpr_at_fpr(human: Sequence[float], machine: Sequence[float]) -> float:
    """Share of machine texts above the threshold that lets 1% of these human texts through."""
    cut_at = threshold_at_fpr(human, TARGET_FPR)
    return sum(m > cut_at for m in machine) / len(machine)


def load_pairs(name: str, n: int) -> list[tuple[str, str]]:
    data = json.loads((TEXTS / f"{name}.json").read_text(encoding="utf-8"))
    return [
        (cut(h), cut(m)) for h, m in zip(data["original"][:n], data["sampled"][:n], strict=True)
    ]


def features(ts: TokenScores, max_tokens: int = MAX_TOKENS) -> tuple[float, float]:
    """(sampling discrepancy, perplexity) on the first max_tokens scored tokens."""
    return sampling_discrepancy(ts, max_tokens), perplexity(ts, max_tokens)


def evaluate(
    calibration: Calibration,
    ppl_cut: float,
    pairs: dict[str, list[tuple[str, str]]],
    half: int,
    by_text: dict[str, TokenScores],
) -> dict[str, Any]:
    """Per file, on the reported half: AUROC and TPR at 1% FPR of both statistics, and the
    FPR/TPR at the calibrated thresholds."""
    report: dict[str, Any] = {}
    for name in FILES:
        held = pairs[name][half:]
        hd, hp = zip(*(features(by_text[h]) for h, _ in held), strict=True)
        md, mp = zip(*(features(by_text[m]) for _, m in held), strict=True)
        judged = [judge_text(h, "en", by_text[h], calibration) for h, _ in held]
        report[name] = {
            "human": len(hd),
            "machine": len(md),
            "auroc_perplexity": round(auroc([-p for p in hp], [-p for p in mp]), 4),
            "auroc_discrepancy": round(auroc(hd, md), 4),
            "tpr_at_1fpr_perplexity": round(tpr_at_fpr([-p for p in hp], [-p for p in mp]), 4),
            "tpr_at_1fpr_discrepancy": round(tpr_at_fpr(hd, md), 4),
            "calibrated_fpr": round(
                float(np.mean([flag_for(r, None) is not None for r in judged])), 4
            ),
            "calibrated_tpr": round(
                float(np.mean([d > calibration.threshold_discrepancy for d in md])), 4
            ),
            "perplexity_calibrated_fpr": round(float(np.mean([p < ppl_cut for p in hp])), 4),
            "perplexity_calibrated_tpr": round(float(np.mean([p < ppl_cut for p in mp])), 4),
            "median_perplexity_human_machine": [
                round(float(np.median(hp)), 1),
                round(float(np.median(mp)), 1),
            ],
            "median_discrepancy_human_machine": [
                round(float(np.median(hd)), 2),
                round(float(np.median(md)), 2),
            ],
        }
        print(f"{name}: {json.dumps(report[name])}", file=sys.stderr)
    return report


def fairness(
    calibration: Calibration,
    ppl_cut: float,
    native: list[str],
    groups: dict[str, list[dict[str, Any]]],
    by_text: dict[str, TokenScores],
) -> dict[str, Any]:
    """Share flagged per group of human writing at the calibrated threshold (and at a
    perplexity detector's), through judge_text and flag_for as the product does; and the
    share above the thresholds behind the reported TPR at 1% FPR (1% of the reported
    native news texts above), where the detectors catch more."""
    loose_d = threshold_at_fpr(
        [sampling_discrepancy(by_text[t], MAX_TOKENS) for t in native], TARGET_FPR
    )
    loose_p = -threshold_at_fpr([-perplexity(by_text[t], MAX_TOKENS) for t in native], TARGET_FPR)
    out: dict[str, Any] = {}
    for group, items in {
        "native_xsum": [{"text": t, "id": None} for t in native],
        **groups,
    }.items():
        results = [judge_text(it["text"], "en", by_text[it["text"]], calibration) for it in items]
        judged = [r for r in results if r.judged]
        out[group] = {
            **rate(
                [flag_for(r, it["id"]) is not None for r, it in zip(results, items, strict=True)]
            ),
            "judged": len(judged),
            "median_score": round(float(np.median([r.score or 0.0 for r in judged])), 4),
            "median_discrepancy": round(
                float(np.median([r.fast_detect_gpt or 0.0 for r in judged])), 2
            ),
            "median_perplexity": round(float(np.median([r.perplexity or 0.0 for r in judged])), 1),
            "median_tokens": int(np.median([r.tokens for r in judged])),
            "perplexity_detector": rate([(r.perplexity or math.inf) < ppl_cut for r in judged]),
            "at_reported_1fpr": {
                f"discrepancy>{loose_d:.2f}": rate(
                    [(r.fast_detect_gpt or -math.inf) > loose_d for r in judged]
                )["rate"],
                f"perplexity<{loose_p:.2f}": rate(
                    [(r.perplexity or math.inf) < loose_p for r in judged]
                )["rate"],
            },
        }
    # The shortest judged answers (~50 words) are noisier: the native texts cut to 64 tokens.
    out["native_xsum_at_64_tokens"] = rate(
        [
            sampling_discrepancy(by_text[t], SHORT_TOKENS) > calibration.threshold_discrepancy
            for t in native
        ]
    )
    for group, numbers in out.items():
        print(f"  {group}: {json.dumps(numbers)}", file=sys.stderr)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="20 pairs per file; writes nothing")
    args = parser.parse_args()
    pairs_per_file = 20 if args.quick else 150
    half = pairs_per_file // 2
    started = time.perf_counter()
    backend: list[Any] = []

    def generator() -> Any:
        if not backend:
            from interview.backend.registry import Backend

            backend.append(Backend("auto", cache_dir=ROOT / "var" / "models"))
        return backend[0].generator(MODEL)

    # -- score everything (cached) --------------------------------------------------------
    pairs = {name: load_pairs(name, pairs_per_file) for name in FILES}
    texts = [t for name in FILES for pair in pairs[name] for t in pair]
    rows = [json.loads(line) for line in NONNATIVE.read_text(encoding="utf-8").splitlines()]
    by_text, new, score_s = score_cached([*texts, *(r["text"] for r in rows)], generator)

    # -- fit on the first half of each file ----------------------------------------------
    # Both files continue the same 150 human openings, in the same order: each human text
    # counts once, and no human text is in both the fit and the reported half.
    fit_texts = list(dict.fromkeys(p[0] for n in FILES for p in pairs[n][:half]))
    eval_h = list(dict.fromkeys(p[0] for n in FILES for p in pairs[n][half:]))
    assert not set(fit_texts) & set(eval_h)
    fit_h = [features(by_text[t])[0] for t in fit_texts]
    fit_m = [features(by_text[p[1]])[0] for n in FILES for p in pairs[n][:half]]
    # The answers of bench/data/nonnative.jsonl: the first half of each group may set the
    # threshold (the guard), the second half is reported.
    groups = {
        g: sorted((r for r in rows if r["group"] == g), key=lambda r: r["id"]) for g in GROUPS
    }
    guard_fit = {g: items[: len(items) // 2] for g, items in groups.items()}
    guard_held = {g: items[len(items) // 2 :] for g, items in groups.items()}
    settings: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": MAX_TOKENS,
        "min_words": MIN_WORDS,
        "languages": ("en",),
        "target_fpr": TARGET_FPR,
    }
    data = {
        "source": "baoguangsheng/fast-detect-gpt exp_gpt3to4/data (MIT): XSum news "
        "openings (human) and their continuations by the named model (machine)",
        "files": [f"{name}.json" for name in FILES],
        "pairs": f"first {half} of {pairs_per_file} per file",
        "human": len(fit_h),
        "machine": len(fit_m),
        "max_words": MAX_WORDS,
        "genre": "news, English",
        "made_by": "bench/ai_text.py",
    }
    news_only = fit_calibration(fit_h, fit_m, data=data, **settings)
    guarded = fit_calibration(
        fit_h,
        fit_m,
        data={
            **data,
            "guards": "bench/data/nonnative.jsonl, first 10 answers of each group "
            f"({', '.join(GROUPS)}): interview-style English written for the benchmark",
        },
        guards={
            g: [sampling_discrepancy(by_text[r["text"]], MAX_TOKENS) for r in items]
            for g, items in guard_fit.items()
        },
        **settings,
    )
    # The same 1% FPR for a perplexity detector (flags LOW perplexity), for comparison only.
    ppl_cut = -threshold_at_fpr(
        [-perplexity(by_text[t], MAX_TOKENS) for t in fit_texts], TARGET_FPR
    )
    results: dict[str, Any] = {
        "model": MODEL,
        "max_tokens": MAX_TOKENS,
        "pairs_per_file": pairs_per_file,
        "fit_pairs_per_file": half,
        "perplexity_detector_threshold": round(ppl_cut, 2),
    }
    for label, calibration, held in (
        ("news_only", news_only, groups),
        ("shipped", guarded, guard_held),
    ):
        print(
            f"{label}: score = logistic({calibration.slope:.3f} * d + "
            f"{calibration.intercept:.3f}); flag above {calibration.threshold:.3f} "
            f"(d > {calibration.threshold_discrepancy:.3f}, set by "
            f"{calibration.threshold_set_by}: {calibration.group_thresholds}); fit FPR "
            f"{calibration.fit_fpr:.3f} TPR {calibration.fit_tpr:.3f}",
            file=sys.stderr,
        )
        results[label] = {
            "calibration": _summary(calibration),
            "eval": evaluate(calibration, ppl_cut, pairs, half, by_text),
            "second_language": fairness(calibration, ppl_cut, eval_h, held, by_text),
        }
    written = None
    if not args.quick:
        CALIBRATION_FILE.parent.mkdir(parents=True, exist_ok=True)
        CALIBRATION_FILE.write_text(guarded.model_dump_json(indent=2) + "\n", encoding="utf-8")
        written = str(CALIBRATION_FILE.relative_to(ROOT))
    results.update(
        texts_scored_new=new,
        scoring_s=round(score_s, 1),
        total_s=round(time.perf_counter() - started, 1),
        written=written,
    )
    print(json.dumps(results))


def _summary(c: Calibration) -> dict[str, Any]:
    return {
        "slope": round(c.slope, 4),
        "intercept": round(c.intercept, 4),
        "threshold": round(c.threshold, 4),
        "threshold_discrepancy": round(c.threshold_discrepancy, 4),
        "threshold_set_by": c.threshold_set_by,
        "group_thresholds": {g: round(v, 3) for g, v in c.group_thresholds.items()},
        "fit_fpr": round(c.fit_fpr, 4),
        "fit_tpr": round(c.fit_tpr, 4),
    }


if __name__ == "__main__":
    main()
