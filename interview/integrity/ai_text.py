"""Machine-written answer check: zero-shot statistics of a causal LM, calibrated on data.

Pure: the pipeline scores the answer through the backend
(backend.generator(calibration.model).score([text])) and passes the TokenScores in.

The signal is Fast-DetectGPT's analytic sampling discrepancy (Bao et al., ICLR 2024): how
much more likely the observed tokens are than tokens the model would itself sample, in
standard deviations. Machine text sits near the model's own choices (discrepancy near or
above 0); human text is more surprising than the model expects (well below 0).

Perplexity is reported as evidence but not used in the score: on the XSum pairs of
bench/ai_text.py with Gemma 3 270M the discrepancy separates better (AUROC 0.90 / 0.76 for
GPT-3.5 / GPT-4 text against 0.88 / 0.75; TPR at 1% FPR 0.40 / 0.20 against 0.15 / 0.12),
and perplexity detectors are known to flag second-language writers (Liang et al., 2023).

Neither statistic is fair by itself. On the benchmark's second-language answers the
discrepancy rates simple, regular English as far more machine-like than native English
telling the same stories (median -0.33 against -1.43; human news -2.13): at the threshold
behind those TPRs, 45% of them would be flagged against 5% of the native ones. So the
threshold keeps at most 1% of the human calibration texts above it AND at most 1% of each
guard group (second-language and native interview-style answers), and a flag is "medium"
at most. With 75 human texts, "at most 1%" means none: the threshold sits at the highest
one, and few machine texts pass it (see calibration.json, fit_tpr).

The logistic turns the discrepancy into 0..1; it was fitted on balanced human/machine data,
so the score is not a probability at a real base rate. Languages without calibration data
(Chinese, for now) are not judged.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator

from interview.backend.schemas import PairScores, TokenScores
from interview.errors import InvalidInput
from interview.integrity.schemas import AiTextResult, Flag
from interview.text.sentences import word_count

CALIBRATION_FILE = Path(__file__).parent / "data" / "calibration.json"
MIN_TOKENS = 16  # fewer scored tokens carry too little evidence to judge
RIDGE = 1e-3  # L2 penalty on the logistic slope: keeps the fit finite on separable data
SOME_FPR = 0.05  # "some sign": a level one in twenty human texts reaches


PAIR_STATISTICS = (
    "binoculars",
    "binoculars_swapped",
    "loglik_performer",
    "loglik_observer",
    "fdg_performer",
    "fdg_cross",
)


class Calibration(BaseModel):
    """How a discrepancy becomes a 0..1 score, and the score above which an answer is flagged."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    model: str  # catalogue name of the LM whose TokenScores this was fitted on
    max_tokens: int = Field(gt=0)  # the first max_tokens scored tokens are used
    min_words: float = Field(ge=0)  # shorter answers are not judged (Chinese: characters / 2)
    languages: tuple[str, ...]  # languages of the human writing the threshold was set on
    slope: float  # score = 1 / (1 + exp(-(slope * discrepancy + intercept)))
    intercept: float
    threshold: float = Field(ge=0, le=1)  # flag when the score is strictly above this
    threshold_discrepancy: float  # the same threshold in discrepancy units
    target_fpr: float = Field(gt=0, lt=1)  # share of human fit texts allowed above threshold
    fit_fpr: float = Field(ge=0, le=1)  # share of human fit texts above it (<= target_fpr)
    fit_tpr: float = Field(ge=0, le=1)  # share of machine fit texts above it
    threshold_set_by: str = "human"  # the group whose 1% FPR threshold was the strictest
    group_thresholds: dict[str, float] = {}  # 1%-FPR discrepancy threshold of each group
    data: dict[str, Any]  # where the fit texts came from: files, pairs, counts, truncation
    # Which statistic the logistic reads; its "signal" is oriented so that higher = more
    # machine-like (binoculars: minus the Binoculars score).
    statistic: Literal[
        "fast_detect_gpt",  # one model's TokenScores
        "binoculars",  # the rest need PairScores (engines/binoculars.py), except binoculars
        "binoculars_swapped",  # which TokenScores with cross_entropy also carry
        "loglik_performer",
        "loglik_observer",
        "fdg_performer",
        "fdg_cross",
        "combination",  # sum of weights[name] * pair_statistics()[name]
    ] = "fast_detect_gpt"
    weights: dict[str, float] = {}  # statistic "combination" only

    @model_validator(mode="after")
    def _weights_name_statistics(self) -> Calibration:
        unknown = sorted(set(self.weights) - set(PAIR_STATISTICS))
        if unknown or (self.statistic == "combination" and not self.weights):
            raise ValueError(
                f"statistic 'combination' needs weights over {', '.join(PAIR_STATISTICS)}; "
                f"got {sorted(self.weights) or 'none'}"
            )
        return self

    # Per-length thresholds (shorter texts are noisier and need a higher bar): the band with
    # the largest min_tokens at or under the scored tokens applies. Empty: threshold only.
    bands: tuple[LengthBand, ...] = ()


class LengthBand(BaseModel):
    """Thresholds for answers of at least min_tokens scored tokens, in signal units."""

    model_config = ConfigDict(frozen=True, extra="forbid")
    min_tokens: int = Field(gt=0)
    flag_at: float  # strong sign above this: at most target_fpr of every human fit group
    some_at: float  # some sign above this: SOME_FPR of the pooled human fit texts
    fit_fpr: dict[str, float] = {}  # share of each human fit group above flag_at
    fit_tpr: float = Field(default=0, ge=0, le=1)  # share of machine fit texts above flag_at


def first_tokens(ts: TokenScores, max_tokens: int | None) -> TokenScores:
    """The first max_tokens scored tokens (all of them when None), every column cut alike."""
    if max_tokens is None or len(ts.logprob) <= max_tokens:
        return ts
    return TokenScores(
        tokens=max_tokens + 1,  # the unscored first token, then max_tokens scored ones
        logprob=ts.logprob[:max_tokens],
        expected_logprob=ts.expected_logprob[:max_tokens],
        variance=ts.variance[:max_tokens],
        cross_entropy=ts.cross_entropy[:max_tokens],
    )


def _check(ts: TokenScores) -> int:
    n = len(ts.logprob)
    if n == 0:
        raise InvalidInput(f"no scored tokens (text of {ts.tokens} tokens); need at least 2")
    if not len(ts.expected_logprob) == len(ts.variance) == n:
        raise InvalidInput(
            f"TokenScores lengths differ: logprob {n}, expected_logprob "
            f"{len(ts.expected_logprob)}, variance {len(ts.variance)}; score the text again"
        )
    return n


def perplexity(ts: TokenScores, max_tokens: int | None = None) -> float:
    """exp of the mean negative log-probability of the scored tokens."""
    ts = first_tokens(ts, max_tokens)
    n = _check(ts)
    return math.exp(-math.fsum(ts.logprob) / n)


def sampling_discrepancy(ts: TokenScores, max_tokens: int | None = None) -> float:
    """Fast-DetectGPT analytic: (sum log p - sum E[log p]) / sqrt(sum Var[log p])."""
    ts = first_tokens(ts, max_tokens)
    _check(ts)
    gap = math.fsum(ts.logprob) - math.fsum(ts.expected_logprob)
    spread = math.sqrt(math.fsum(ts.variance))
    if spread == 0:  # the model is certain at every step: nothing to compare against
        return 0.0
    return gap / spread


def binoculars(ts: TokenScores, max_tokens: int | None = None) -> float:
    """Binoculars score: mean -log p(observed) over mean cross-entropy (lower = machine)."""
    ts = first_tokens(ts, max_tokens)
    n = _check(ts)
    cross = ts.cross_entropy[:n]
    if len(cross) != n:
        raise InvalidInput(
            f"Binoculars needs the cross-entropy of every scored token ({n}), got {len(cross)}: "
            "score the text with an engine that runs two models (binoculars)"
        )
    denominator = math.fsum(cross)
    if denominator <= 0:
        return 0.0
    return -math.fsum(ts.logprob) / denominator


def _discrepancy(logprob: Sequence[float], mean: Sequence[float], var: Sequence[float]) -> float:
    spread = math.sqrt(math.fsum(var))
    return 0.0 if spread == 0 else (math.fsum(logprob) - math.fsum(mean)) / spread


def pair_statistics(pair: PairScores, n: int) -> dict[str, float]:
    """Every two-model statistic on the first n scored tokens, oriented higher = machine.

    binoculars: minus the performer's log-perplexity over the observer-to-performer
    cross-perplexity (Hans et al. 2024); binoculars_swapped: the roles exchanged;
    loglik_performer / loglik_observer: mean log-likelihood; fdg_performer: Fast-DetectGPT
    under the performer; fdg_cross: sampling from the observer, scoring with the performer.
    """
    perf = first_tokens(pair.token_scores("performer"), n)
    swap = first_tokens(pair.token_scores("observer"), n)
    _check(perf)
    return {
        "binoculars": -binoculars(perf),
        "binoculars_swapped": -binoculars(swap),
        "loglik_performer": math.fsum(perf.logprob) / len(perf.logprob),
        "loglik_observer": math.fsum(swap.logprob) / len(swap.logprob),
        "fdg_performer": sampling_discrepancy(perf),
        "fdg_cross": _discrepancy(
            pair.logprob_performer[:n],
            pair.mean_observer_performer[:n],
            pair.var_observer_performer[:n],
        ),
    }


def signal(scores: TokenScores | PairScores, calibration: Calibration) -> float:
    """The calibration's statistic on its window, oriented so that higher is more machine-like."""
    if isinstance(scores, PairScores):
        n = min(calibration.max_tokens, len(scores.logprob_performer))
        stats = pair_statistics(scores, n)
        if calibration.statistic == "combination":
            return math.fsum(w * stats[name] for name, w in calibration.weights.items())
        return stats[calibration.statistic]
    if calibration.statistic == "binoculars":
        return -binoculars(scores, calibration.max_tokens)
    if calibration.statistic != "fast_detect_gpt":
        raise InvalidInput(
            f"statistic {calibration.statistic!r} needs the scores of two models (PairScores); "
            "score the text with the binoculars engine's pair_scores"
        )
    return sampling_discrepancy(scores, calibration.max_tokens)


def band_for(tokens: int, calibration: Calibration) -> LengthBand | None:
    """The length band whose thresholds apply to an answer of `tokens` scored tokens."""
    fitting = [b for b in calibration.bands if b.min_tokens <= tokens]
    return max(fitting, key=lambda b: b.min_tokens) if fitting else None


def logistic(x: float, slope: float, intercept: float) -> float:
    """1 / (1 + exp(-(slope * x + intercept))), without overflow."""
    z = slope * x + intercept
    if z >= 0:
        return 1.0 / (1.0 + math.exp(-z))
    e = math.exp(z)
    return e / (1.0 + e)


def ai_text_score(ts: TokenScores | PairScores, calibration: Calibration) -> float:
    """0..1, higher = more machine-like: the calibrated logistic of the signal."""
    return logistic(signal(ts, calibration), calibration.slope, calibration.intercept)


def judge_text(
    text: str, language: str, scores: TokenScores | PairScores, calibration: Calibration
) -> AiTextResult:
    """Judge one written answer, or say why it is not judged (too short, uncalibrated language)."""
    words = word_count(text, language)
    if words < calibration.min_words:
        return AiTextResult(
            judged=False,
            reason=f"too short: {words:g} words, need {calibration.min_words:g}",
            words=words,
            model=calibration.model,
        )
    if language not in calibration.languages:
        return AiTextResult(
            judged=False,
            reason=(
                f"no calibration for language {language!r} (calibrated on "
                f"{', '.join(calibration.languages)}): its false-positive rate is unknown"
            ),
            words=words,
            model=calibration.model,
        )
    ts = scores.token_scores("performer") if isinstance(scores, PairScores) else scores
    window = first_tokens(ts, calibration.max_tokens)
    n = len(window.logprob)
    length = band_for(n, calibration)
    if n < MIN_TOKENS or (calibration.bands and length is None):
        need = max(MIN_TOKENS, min((b.min_tokens for b in calibration.bands), default=0))
        return AiTextResult(
            judged=False,
            reason=f"too few scored tokens: {n}, need {need}",
            words=words,
            tokens=n,
            model=calibration.model,
        )
    value = signal(scores, calibration)
    flag_at = calibration.threshold_discrepancy if length is None else length.flag_at
    some_at = flag_at if length is None else min(length.some_at, flag_at)
    band = "strong" if value > flag_at else "some" if value > some_at else "none"
    return AiTextResult(
        judged=True,
        reason=f"first {n} tokens scored by {calibration.model}",
        words=words,
        score=logistic(value, calibration.slope, calibration.intercept),
        threshold=logistic(flag_at, calibration.slope, calibration.intercept),
        perplexity=perplexity(window),
        fast_detect_gpt=sampling_discrepancy(window),
        binoculars=binoculars(window) if window.cross_entropy else None,
        statistic=calibration.statistic,
        band=band,
        tokens=n,
        model=calibration.model,
    )


def flag_for(result: AiTextResult, question_id: str | None) -> Flag | None:
    """A medium flag when the score is above the 1%-FPR threshold; otherwise None.

    Never "high": one zero-shot statistic of a small LM misfires on formulaic, heavily
    edited or translated writing, so it only ever asks a reviewer to look.
    """
    if not result.judged or result.score is None or result.threshold is None:
        return None
    if result.band is not None and result.band != "strong":
        return None
    if result.band is None and result.score <= result.threshold:
        return None
    return Flag(
        kind="machine_text",
        severity="medium",
        confidence=result.score,
        evidence={
            "score": result.score,
            "threshold": result.threshold,
            "perplexity": result.perplexity,
            "discrepancy": result.fast_detect_gpt,
            "binoculars": result.binoculars,
            "statistic": result.statistic or "fast_detect_gpt",
            "band": result.band or "strong",
            "tokens": result.tokens,
            "words": result.words,
            "model": result.model,
        },
        question_id=question_id,
        note=(
            f"Written like a language model: strong sign. Score {result.score:.2f} is above "
            f"{result.threshold:.2f} on the first {result.tokens} tokens, a level at most 1 in "
            "100 human-written calibration texts of each group reach (native and "
            "second-language writers). A prompt for review, never a verdict: read the answer; "
            "this statistic alone does not show that it was machine-written."
        ),
    )


# -- calibration ------------------------------------------------------------------------


def fit_logistic(
    x: Sequence[float],
    y: Sequence[int],
    weights: Sequence[float] | None = None,
    ridge: float = RIDGE,
) -> tuple[float, float]:
    """Slope and intercept of a weighted one-feature logistic regression (Newton steps)."""
    xs = np.asarray(x, dtype=np.float64)
    ys = np.asarray(y, dtype=np.float64)
    ws = np.ones_like(xs) if weights is None else np.asarray(weights, dtype=np.float64)
    if xs.shape != ys.shape or xs.shape != ws.shape or xs.size < 2:
        raise InvalidInput("fit_logistic needs x, y (and weights) of one length, at least 2")
    if not set(ys.tolist()) <= {0.0, 1.0} or ys.min() == ys.max():
        raise InvalidInput("fit_logistic needs 0/1 labels with both classes (0 and 1) in y")
    design = np.column_stack([xs, np.ones_like(xs)])
    w = newton_logistic(design, ys, ws, np.diag([ridge * ws.sum(), 0.0]))  # slope penalised
    return float(w[0]), float(w[1])


def newton_logistic(
    design: np.ndarray, y: np.ndarray, weights: np.ndarray, penalty: np.ndarray
) -> np.ndarray:
    """Coefficients of a weighted logistic regression with an L2 penalty matrix (Newton)."""
    beta = np.zeros(design.shape[1])
    for _ in range(100):
        p = 1.0 / (1.0 + np.exp(-(design @ beta)))
        grad = design.T @ (weights * (p - y)) + penalty @ beta
        hess = design.T @ (design * (weights * p * (1 - p))[:, None]) + penalty
        step = np.linalg.solve(hess, grad)
        beta -= step
        if np.abs(step).max() < 1e-10:
            break
    return beta


def threshold_at_fpr(human: Sequence[float], fpr: float) -> float:
    """The smallest human value with at most fpr of human values strictly above it."""
    if not human:
        raise InvalidInput("threshold_at_fpr needs at least one human value")
    ranked = sorted(human, reverse=True)
    allowed = math.floor(fpr * len(ranked) + 1e-9)  # how many may lie above
    return ranked[min(allowed, len(ranked) - 1)]


def fit_calibration(
    human: Sequence[float],
    machine: Sequence[float],
    *,
    model: str,
    max_tokens: int,
    min_words: float,
    languages: Sequence[str],
    data: dict[str, Any],
    target_fpr: float = 0.01,
    guards: Mapping[str, Sequence[float]] | None = None,
) -> Calibration:
    """A Calibration from the sampling discrepancies of human and machine texts.

    The two classes weigh the same in the logistic, so a score of 0.5 means "as likely
    machine as human" at even odds, whatever the counts. guards: discrepancies of further
    human writing by group (second-language writers, answers rather than news); the
    threshold is the strictest one that keeps every group, and the main human texts, at or
    under target_fpr.
    """
    if not human or not machine:
        raise InvalidInput("fit_calibration needs human and machine discrepancies")
    weights = [0.5 / len(human)] * len(human) + [0.5 / len(machine)] * len(machine)
    slope, intercept = fit_logistic(
        [*human, *machine], [0] * len(human) + [1] * len(machine), weights
    )
    if slope <= 0:
        raise InvalidInput(
            f"machine texts do not have higher discrepancies than human ones (slope {slope:.3f}); "
            "check the labels and that both were scored by the same model"
        )
    cuts = {"human": threshold_at_fpr(human, target_fpr)}
    for group, values in (guards or {}).items():
        cuts[group] = threshold_at_fpr(values, target_fpr)
    set_by = max(cuts, key=lambda group: cuts[group])
    cut = cuts[set_by]
    return Calibration(
        model=model,
        max_tokens=max_tokens,
        min_words=min_words,
        languages=tuple(languages),
        slope=slope,
        intercept=intercept,
        threshold=logistic(cut, slope, intercept),
        threshold_discrepancy=cut,
        target_fpr=target_fpr,
        fit_fpr=sum(h > cut for h in human) / len(human),
        fit_tpr=sum(m > cut for m in machine) / len(machine),
        threshold_set_by=set_by,
        group_thresholds={group: round(value, 6) for group, value in cuts.items()},
        data=data,
    )


@functools.cache
def _shipped() -> Calibration:
    return Calibration.model_validate_json(CALIBRATION_FILE.read_text(encoding="utf-8"))


def load_calibration(path: Path | None = None) -> Calibration:
    """The shipped calibration (interview/integrity/data/calibration.json), or one from path."""
    if path is None:
        return _shipped()
    try:
        return Calibration.model_validate_json(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidInput(f"cannot read calibration {path}: {exc}") from exc
