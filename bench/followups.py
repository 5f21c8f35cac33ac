"""Follow-up analyser: per-element precision/recall/F1 against hand labels, and latency.

Data: bench/data/followups.jsonl, 100 answers (50 zh, 50 en; 10 competencies; full STAR,
action-only, no result, hypothetical, "we"-only, vague, off-topic, very short, rambling),
half "dev" (used to tune the cue patterns) and half "test" (only ever reported). The
labels were written and frozen before any rule existed, by this guide:

- situation: a specific past occasion is set up (when, where, or what was going on).
- task: the candidate states what they had to achieve, their responsibility, or the
  goal/constraint; left implicit = false.
- action: concrete steps actually taken in that event, by "I" or "we"; "I would" or
  "I always" = false; a bare "I helped him" with no step = false.
- result: an outcome of those steps is stated (what changed, how people reacted).
- specific: one real past event told with at least two checkable particulars
  (numbers or quantities, names of people/places/products, dates or times, quoted words).

Usage: bench/followups.py [--quick] [--split dev|test|both] [--relevance]. Table on
stderr; the last stdout line is one JSON object. --relevance also embeds every answer and
its question with multilingual-e5-small (CPU, about a minute) and reports how well RELEVANCE_MIN
flags the off-topic answers (kind "off_topic").
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import sys
import time
from pathlib import Path

from interview.competency.library import load_library
from interview.pipeline import EMBEDDER
from interview.questions.followup import decide_followup, relevance_reference
from interview.text.sentences import word_count
from interview.text.star import RELEVANCE_MIN, analyse_answer

DATA = Path(__file__).parent / "data" / "followups.jsonl"
FROZEN_SHA256 = "1bb81648872ac5af908524ccba45354a83dda591c9f78221a1bcacb3199994b1"
ELEMENTS = ("situation", "task", "action", "result", "specific")
FLOOR_MACRO_F1 = 0.85  # on the test split
LATENCY_WORDS = 200


def load(path: Path = DATA) -> list[dict]:
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != FROZEN_SHA256:
        print("warning: followups.jsonl differs from the frozen labels", file=sys.stderr)
    return [json.loads(line) for line in raw.decode().splitlines() if line.strip()]


def prf(pairs: list[tuple[bool, bool]]) -> dict[str, float]:
    """Precision, recall, F1 of predicted against gold booleans (positive class = True)."""
    tp = sum(1 for p, g in pairs if p and g)
    fp = sum(1 for p, g in pairs if p and not g)
    fn = sum(1 for p, g in pairs if not p and g)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": round(precision, 3), "recall": round(recall, 3), "f1": round(f1, 3)}


def evaluate(items: list[dict]) -> dict:
    predictions = [analyse_answer(it["answer"], it["language"]) for it in items]
    out: dict = {"n": len(items)}
    for element in ELEMENTS:
        pairs = [
            (bool(getattr(a, element)), bool(it["labels"][element]))
            for a, it in zip(predictions, items, strict=True)
        ]
        out[element] = prf(pairs)
    out["macro_f1"] = round(statistics.fmean(out[e]["f1"] for e in ELEMENTS), 3)
    return out


def off_topic_detection(items: list[dict]) -> dict[str, dict[str, float]]:
    """Precision/recall of relevant=False against kind == "off_topic", per split."""
    from interview.backend.registry import Backend  # loads a model: only with --relevance

    embedder = Backend().embedder(EMBEDDER)
    library = load_library()
    out = {}
    for split in ("dev", "test"):
        pairs = []
        for it in (i for i in items if i["split"] == split):
            reference = relevance_reference(
                library.competency(it["competency"]), it["language"], it["question"]
            )
            vecs = embedder.embed_queries([it["answer"], reference])
            analysis = analyse_answer(it["answer"], it["language"], float(vecs[0] @ vecs[1]))
            pairs.append((analysis.relevant is False, it["kind"] == "off_topic"))
        out[split] = prf(pairs)
    return out


def long_answers(items: list[dict], language: str) -> list[str]:
    """Answers of one language joined until each is at least LATENCY_WORDS words."""
    texts = [it["answer"] for it in items if it["language"] == language]
    sep = "" if language == "zh" else " "
    out = []
    for start in range(len(texts)):
        joined, i = "", start
        while word_count(joined, language) < LATENCY_WORDS:
            joined = f"{joined}{sep}{texts[i % len(texts)]}".strip()
            i += 1
        out.append(joined)
    return out


def latency(items: list[dict], repeats: int) -> dict[str, float]:
    """p50/p95 ms of analyse_answer + decide_followup on ~200-word answers."""
    competency = load_library().competencies[0]
    times: list[float] = []
    for language in ("en", "zh"):
        for text in long_answers(items, language):
            for _ in range(repeats):
                t0 = time.perf_counter()
                analysis = analyse_answer(text, language, relevance=0.85)
                decide_followup(analysis, competency, language, followups_asked=0)
                times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "p50_ms": round(times[len(times) // 2], 3),
        "p95_ms": round(times[int(len(times) * 0.95)], 3),
        "answers_timed": len(times),
    }


def table(name: str, result: dict) -> str:
    lines = [f"{name} (n={result['n']})", f"  {'element':<10} {'P':>6} {'R':>6} {'F1':>6}"]
    for e in ELEMENTS:
        r = result[e]
        lines.append(f"  {e:<10} {r['precision']:>6.3f} {r['recall']:>6.3f} {r['f1']:>6.3f}")
    lines.append(f"  {'macro F1':<10} {'':>6} {'':>6} {result['macro_f1']:>6.3f}")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer latency repeats")
    parser.add_argument(
        "--split", choices=("dev", "test", "both"), default="both", help="tune on dev only"
    )
    parser.add_argument(
        "--relevance", action="store_true", help="also check off-topic flags with e5-small"
    )
    args = parser.parse_args()
    items = load()
    results: dict = {}
    splits = ("dev", "test") if args.split == "both" else (args.split,)
    for split in splits:
        chosen = [it for it in items if it["split"] == split]
        results[split] = evaluate(chosen)
        print(table(split, results[split]), file=sys.stderr)
        for language in ("en", "zh"):
            sub = evaluate([it for it in chosen if it["language"] == language])
            results[split][f"macro_f1_{language}"] = sub["macro_f1"]
        print(
            f"  by language: en {results[split]['macro_f1_en']:.3f}, "
            f"zh {results[split]['macro_f1_zh']:.3f}",
            file=sys.stderr,
        )
    if args.relevance:
        results["off_topic"] = off_topic_detection(items)
        results["off_topic"]["thresholds"] = RELEVANCE_MIN
        for split in ("dev", "test"):
            r = results["off_topic"][split]
            print(
                f"off-topic flags ({split}): P {r['precision']:.3f} R {r['recall']:.3f}",
                file=sys.stderr,
            )
    results["latency"] = latency(items, repeats=2 if args.quick else 20)
    lat = results["latency"]
    print(
        f"latency over {lat['answers_timed']} answers of >= {LATENCY_WORDS} words: "
        f"p50 {lat['p50_ms']} ms, p95 {lat['p95_ms']} ms",
        file=sys.stderr,
    )
    summary = {
        "test_macro_f1": results.get("test", {}).get("macro_f1"),
        "dev_macro_f1": results.get("dev", {}).get("macro_f1"),
        "p95_ms": lat["p95_ms"],
        "floor_macro_f1": FLOOR_MACRO_F1,
        "items": len(items),
        **results,
    }
    if "test" in results:
        summary["meets_floor"] = results["test"]["macro_f1"] >= FLOOR_MACRO_F1
    print(json.dumps(summary, ensure_ascii=False))


if __name__ == "__main__":
    main()
