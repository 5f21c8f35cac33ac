"""Content scoring throughput: our scorer (rubric vectors cached per competency) against a
baseline that re-embeds the rubric for every answer. Last line: one JSON object."""

from __future__ import annotations

import argparse
import json
import sys
import time

from interview.backend.registry import Backend
from interview.competency.library import load_library
from interview.pipeline import EMBEDDER, AnswerScorer

ANSWERS = {
    "en": "When two colleagues called in sick on a Saturday I split the floor into zones, took "
    "the returns queue myself and told waiting customers how long it would take. We served "
    "everyone before closing and complaints fell from six to one that week.",
    "zh": "春节前一天店里只有我和一个同事，排队的顾客有二十多人。"
    "我先把退换货的顾客引导到另一边登记，自己专心收银，每隔十分钟说明等待时间。那天没有一单投诉。",
}


def run(scorer: AnswerScorer, answers: int, language: str) -> float:
    """Answers scored per second, cycling through the library's competencies."""
    comps = load_library().competencies
    start = time.perf_counter()
    for i in range(answers):
        scorer.score(f"q{i}", ANSWERS[language], comps[i % len(comps)], language)
    return answers / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="few answers (under a minute)")
    args = parser.parse_args()
    n = 40 if args.quick else 400
    embedder = Backend().embedder(EMBEDDER)
    embedder.embed_queries(["warm up"])
    results: dict[str, float] = {}
    for language in ("en", "zh"):
        results[f"answers_per_s_{language}"] = round(run(AnswerScorer(embedder), n, language), 2)
        # Baseline: a fresh scorer per answer embeds the rubric every time.
        t0 = time.perf_counter()
        lib = load_library()
        for i in range(n):
            comp = lib.competencies[i % len(lib.competencies)]
            AnswerScorer(embedder).score(f"q{i}", ANSWERS[language], comp, language)
        results[f"baseline_answers_per_s_{language}"] = round(n / (time.perf_counter() - t0), 2)
        print(
            f"{language}: cached {results[f'answers_per_s_{language}']}/s, "
            f"uncached {results[f'baseline_answers_per_s_{language}']}/s",
            file=sys.stderr,
        )
    results["answers"] = n
    results["ten_answer_interviews_per_min_en"] = round(results["answers_per_s_en"] * 6, 1)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
