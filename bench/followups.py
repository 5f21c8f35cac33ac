"""Follow-up decisions against labels written blind to the rules, and their latency.

Data: bench/data/followups_blind_{dev,heldout}.jsonl (bench/data/FOLLOWUPS_BLIND.md): 212
answers, en and zh, written and labelled on 2026-12-07 by a helper session that never read
or ran the analyser; 28 English answers are verbatim excerpts of real student interviews
(MIT dev half). The split was fixed before any tuning; only dev is read while tuning, the
heldout file is only scored here. Per answer the labels say whether an interviewer would
probe ("complete") and which gaps are missing, the first being the one to probe.

What is measured, per split and language, for the decision pipeline.followup_for() (the
one the server, the CLI and bench/live.py use, with the real e5 embedder for relevance):
- needless probes: complete answers that got a probe (floor: at most 10%);
- probe on target: incomplete answers whose probe asks about a gap the labels list
  (floor: at least 85%), and how often it is the labeller's first gap;
- missed probes: incomplete answers that got none.
And the p50/p95 latency of the rules alone (analyse_answer + decide_followup) on answers of
about 200 words (floor: p95 under 300 ms).

bench/data/followups.jsonl, labelled by the rules' own author, is reported with --own as
element F1, for comparison only.

Usage: bench/followups.py [--quick] [--split dev|heldout|both] [--own]. Table on stderr; the
last stdout line is one JSON object.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import statistics
import sys
import time
from pathlib import Path
from typing import Any

from interview.competency.library import load_library
from interview.pipeline import EMBEDDER, followup_for
from interview.questions.followup import decide_followup
from interview.text.sentences import word_count
from interview.text.star import analyse_answer

DATA = Path(__file__).parent / "data"
BLIND = {  # file, sha256 frozen on 2026-12-07 (FOLLOWUPS_BLIND.md)
    "dev": (
        DATA / "followups_blind_dev.jsonl",
        "39b634b8699f9d1fef9b8a479f977b9eb07c74c6579ba90f641d2fa3f5f6a881",
    ),
    "heldout": (
        DATA / "followups_blind_heldout.jsonl",
        "aea7e0a38006a8b08f6d966646530a4e6f531fd34fda065a28ca15449c6811ac",
    ),
    # A second labeller's set, written after the first heldout run (FOLLOWUPS_BLIND_DEV2.md).
    "dev2": (
        DATA / "followups_blind_dev2.jsonl",
        "404e4858f1c31ec3f79ef7c5da6d683a8122fa8975f632fe5db5efbd472ac0db",
    ),
}
OWN = DATA / "followups.jsonl"
FLOOR_NEEDLESS = 0.10
FLOOR_ON_TARGET = 0.85
FLOOR_P95_MS = 300.0
LATENCY_WORDS = 200
ELEMENTS = ("situation", "task", "action", "result", "specific")


def load_blind(split: str) -> list[dict[str, Any]]:
    path, sha = BLIND[split]
    raw = path.read_bytes()
    if hashlib.sha256(raw).hexdigest() != sha:
        raise SystemExit(f"{path.name} differs from the frozen labels (sha256 {sha[:12]}...)")
    return [json.loads(line) for line in raw.decode().splitlines() if line.strip()]


def decisions(items: list[dict[str, Any]], embedder: Any) -> list[dict[str, Any]]:
    library = load_library()
    out = []
    for it in items:
        d = followup_for(
            embedder,
            library.competency(it["competency"]),
            it["question"],
            it["answer"],
            it["language"],
            0,
            kind=it["question_kind"],
        )
        out.append({"id": it["id"], "gap": d.gap, "missing": list(d.missing)})
    return out


def rates(items: list[dict[str, Any]], made: list[dict[str, Any]]) -> dict[str, Any]:
    complete = [(it, d) for it, d in zip(items, made, strict=True) if it["complete"]]
    incomplete = [(it, d) for it, d in zip(items, made, strict=True) if not it["complete"]]
    probed = [(it, d) for it, d in incomplete if d["gap"]]

    def share(n: int, of: int) -> float | None:
        return round(n / of, 3) if of else None

    return {
        "n": len(items),
        "complete": len(complete),
        "incomplete": len(incomplete),
        "needless_probe": share(sum(1 for _, d in complete if d["gap"]), len(complete)),
        "on_target": share(
            sum(1 for it, d in probed if d["gap"] in it["missing"]), len(incomplete)
        ),
        "first_gap": share(sum(1 for it, d in probed if d["gap"] == it["probe"]), len(incomplete)),
        "missed_probe": share(len(incomplete) - len(probed), len(incomplete)),
    }


def spoken_form(text: str, language: str) -> str:
    """The answer as a transcript without punctuation may give it: no marks, lower case."""
    if language == "zh":
        return re.sub(r"[，。！？、；：,.!?;:“”\"]+", " ", text).strip()
    return re.sub(r"\s+", " ", re.sub(r"[,.!?;:\"“”]+", " ", text).lower()).strip()


def spoken_agreement(items: list[dict[str, Any]]) -> dict[str, float]:
    """Per language, how often the rules decide the same probe (or none) for an answer and
    for its unpunctuated, lower-case transcript form: spoken answers should be judged alike."""
    out = {}
    for language in ("en", "zh"):
        pick = [it for it in items if it["language"] == language]
        same = 0
        for it in pick:
            a = analyse_answer(it["answer"], language, relevance=0.9)
            b = analyse_answer(spoken_form(it["answer"], language), language, relevance=0.9)
            kind = it["question_kind"]
            same += (
                decide_followup(a, language, 0, kind=kind).gap
                == decide_followup(b, language, 0, kind=kind).gap
            )
        out[language] = round(same / len(pick), 3)
    return out


def confusion(items: list[dict[str, Any]], made: list[dict[str, Any]]) -> dict[str, int]:
    """(labelled first gap -> probed gap) counts, for the dev table."""
    out: dict[str, int] = {}
    for it, d in zip(items, made, strict=True):
        if (it["probe"] or None) != d["gap"]:
            key = f"{it['probe'] or 'none'}->{d['gap'] or 'none'}"
            out[key] = out.get(key, 0) + 1
    return dict(sorted(out.items(), key=lambda kv: -kv[1]))


def own_f1() -> dict[str, float]:
    """Element F1 on the set labelled by the rules' author (not independent)."""
    items = [json.loads(line) for line in OWN.read_text().splitlines() if line.strip()]
    out = {}
    for element in ELEMENTS:
        tp = fp = fn = 0
        for it in items:
            p = bool(getattr(analyse_answer(it["answer"], it["language"]), element))
            g = bool(it["labels"][element])
            tp, fp, fn = tp + (p and g), fp + (p and not g), fn + (g and not p)
        out[element] = round(2 * tp / (2 * tp + fp + fn), 3) if tp else 0.0
    out["macro_f1"] = round(statistics.fmean(out[e] for e in ELEMENTS), 3)
    return out


def long_answers(items: list[dict[str, Any]], language: str) -> list[str]:
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


def latency(items: list[dict[str, Any]], repeats: int) -> dict[str, float]:
    """p50/p95 ms of the rules (analyse_answer + decide_followup) on ~200-word answers."""
    times: list[float] = []
    for language in ("en", "zh"):
        for text in long_answers(items, language):
            for _ in range(repeats):
                t0 = time.perf_counter()
                analysis = analyse_answer(text, language, relevance=0.9)
                decide_followup(analysis, language, 0)
                times.append((time.perf_counter() - t0) * 1000)
    times.sort()
    return {
        "p50_ms": round(times[len(times) // 2], 3),
        "p95_ms": round(times[int(len(times) * 0.95)], 3),
        "answers_timed": len(times),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer latency repeats")
    parser.add_argument("--split", choices=("dev", "dev2", "heldout", "both", "all"), default="all")
    parser.add_argument("--own", action="store_true", help="also the author-labelled set")
    parser.add_argument("--show", action="store_true", help="dev only: each wrong decision")
    args = parser.parse_args()
    from interview.backend.registry import Backend

    embedder = Backend().embedder(EMBEDDER)
    splits = {"both": ("dev", "heldout"), "all": ("dev", "dev2", "heldout")}.get(
        args.split, (args.split,)
    )
    results: dict[str, Any] = {}
    for split in splits:
        items = load_blind(split)
        made = decisions(items, embedder)
        results[split] = {"all": rates(items, made)}
        for language in ("en", "zh"):
            pick = [i for i, it in enumerate(items) if it["language"] == language]
            results[split][language] = rates([items[i] for i in pick], [made[i] for i in pick])
        for key in ("all", "en", "zh"):
            r = results[split][key]
            print(
                f"{split:<8} {key:<3} n={r['n']:<4} needless probe {r['needless_probe']:.3f}  "
                f"on target {r['on_target']:.3f} (first gap {r['first_gap']:.3f})  "
                f"missed {r['missed_probe']:.3f}",
                file=sys.stderr,
            )
        if split in ("dev", "dev2"):
            results[split]["errors"] = confusion(items, made)
            print(f"{split} errors (labelled->probed): {results[split]['errors']}", file=sys.stderr)
            if args.show:
                for it, d in zip(items, made, strict=True):
                    if (it["probe"] or None) != d["gap"]:
                        print(f"  {it['id']} {it['probe']}->{d['gap']} {d['missing']}: "
                              f"{it['answer'][:160]}", file=sys.stderr)  # fmt: skip
    tuning = load_blind("dev") + load_blind("dev2")
    results["spoken_form_agreement"] = spoken_agreement(tuning)
    print(f"same decision for the unpunctuated transcript form (dev+dev2): "
          f"{results['spoken_form_agreement']}", file=sys.stderr)  # fmt: skip
    timing_items = load_blind("dev")
    results["latency"] = latency(timing_items, repeats=2 if args.quick else 10)
    lat = results["latency"]
    print(f"rules latency on ~{LATENCY_WORDS}-word answers: p50 {lat['p50_ms']} ms, "
          f"p95 {lat['p95_ms']} ms", file=sys.stderr)  # fmt: skip
    if args.own:
        results["own_labels_f1"] = own_f1()
        print(f"author-labelled set, element F1: {results['own_labels_f1']}", file=sys.stderr)
    final = results[splits[-1]]["all"]  # the heldout split when it is scored
    results["meets_floor"] = (
        final["needless_probe"] <= FLOOR_NEEDLESS
        and final["on_target"] >= FLOOR_ON_TARGET
        and lat["p95_ms"] < FLOOR_P95_MS
    )
    results["floors"] = {
        "needless_probe_max": FLOOR_NEEDLESS,
        "on_target_min": FLOOR_ON_TARGET,
        "p95_ms_max": FLOOR_P95_MS,
    }
    print(json.dumps(results, ensure_ascii=False))


if __name__ == "__main__":
    main()
